import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

/**
 * What the writers of a table without triggers call in their own transaction so that the grid
 * statistics (and the building tiles) stay exact (docs/citus.md step 1; the tables lost their
 * triggers so that Citus can distribute them). The comparisons themselves are SQL functions, the
 * same for every writer: a service, an import, a test fixture.
 */

/**
 * Per table: the view of its facts, the key they are read by (and its type), their type, the
 * function reading them by key and the one comparing before with after.
 */
const FACTS = {
  units: { rows: 'unit_fact_rows', key: 'code', keyType: 'text', type: 'unit_fact', of: 'unit_facts_of', written: 'units_written' }, // sql/0046
  buildings: { rows: 'building_fact_rows', key: 'code', keyType: 'text', type: 'building_fact', of: 'building_facts_of', written: 'buildings_written' }, // sql/0047
  permits: { rows: 'permit_fact_rows', key: 'id', keyType: 'bigint', type: 'permit_fact', of: 'permit_facts_of', written: 'permits_written' }, // sql/0048
  residencies: { rows: 'stay_fact_rows', key: 'id', keyType: 'bigint', type: 'stay_fact', of: 'stay_facts_of', written: 'stays_written' }, // sql/0049
  persons: { rows: 'person_fact_rows', key: 'person_id', keyType: 'bigint', type: 'person_fact', of: 'person_facts', written: 'persons_written' }, // sql/0049
} as const;
export type CountedTable = keyof typeof FACTS;
/** The keys of the rows written: codes, or ids for permits, stays and persons. */
type Keys = readonly (string | number)[];

/**
 * The facts of the rows of `table` with these keys, locked until the transaction ends:
 * read before a write and handed to factsWritten after it, so that no concurrent writer slips in
 * between.
 */
export async function lockFacts(db: Kysely<DB>, table: CountedTable, keys: Keys): Promise<string[]> {
  if (keys.length === 0) return [];
  const { rows: view, key, keyType } = FACTS[table];
  const { rows } = await sql<{ fact: string }>`
    SELECT f.fact::text AS fact FROM ${sql.table(view)} AS f
    WHERE f.${sql.ref(key)} = ANY (${keys as unknown[]}::${sql.raw(keyType)}[]) ORDER BY f.${sql.ref(key)} FOR UPDATE`.execute(db);
  return rows.map((row) => row.fact);
}

/**
 * Recounts what a write of the rows with these keys changed: their facts before (lockFacts; none
 * for rows just added) against their facts now (none for rows deleted).
 */
export async function factsWritten(db: Kysely<DB>, table: CountedTable, before: readonly string[], keys: Keys): Promise<void> {
  const { keyType, type, of, written } = FACTS[table];
  await sql`SELECT ${sql.raw(written)}(${before as string[]}::text[]::${sql.raw(type)}[], ${sql.raw(of)}(${keys as unknown[]}::${sql.raw(keyType)}[]))`.execute(
    db,
  );
}

/**
 * `write` of the rows of `table` with these keys (changed or deleted; new rows have no facts to
 * lock and go to factsWritten alone), in the caller's transaction: their facts locked before, the
 * recount of what it changed after. Answers what `write` answers.
 */
export async function writeCounted<T>(db: Kysely<DB>, table: CountedTable, keys: Keys, write: () => Promise<T>): Promise<T> {
  const before = await lockFacts(db, table, keys);
  const result = await write();
  await factsWritten(db, table, before, keys);
  return result;
}
