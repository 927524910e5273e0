import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

/**
 * What the writers of a table without triggers call in their own transaction so that the grid
 * statistics (and the building tiles) stay exact (docs/citus.md step 1; the tables lost their
 * triggers so that Citus can distribute them). The comparisons themselves are SQL functions, the
 * same for every writer: a service, an import, a test fixture.
 */

/** Per table: the view of its facts by code, their type, the function reading them by code and the one comparing before with after. */
const FACTS = {
  units: { rows: 'unit_fact_rows', type: 'unit_fact', of: 'unit_facts_of', written: 'units_written' }, // sql/0046
  buildings: { rows: 'building_fact_rows', type: 'building_fact', of: 'building_facts_of', written: 'buildings_written' }, // sql/0047
} as const;
export type CountedTable = keyof typeof FACTS;

/**
 * The facts of the rows of `table` with these codes (as text), locked until the transaction ends:
 * read before a write and handed to factsWritten after it, so that no concurrent writer slips in
 * between.
 */
export async function lockFacts(db: Kysely<DB>, table: CountedTable, codes: readonly string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const { rows } = await sql<{ fact: string }>`
    SELECT f.fact::text AS fact FROM ${sql.table(FACTS[table].rows)} AS f WHERE f.code = ANY (${codes as string[]}::text[]) ORDER BY f.code FOR UPDATE`.execute(
    db,
  );
  return rows.map((row) => row.fact);
}

/**
 * Recounts what a write of the rows with these codes changed: their facts before (lockFacts; none
 * for rows just added) against their facts now (none for rows deleted).
 */
export async function factsWritten(db: Kysely<DB>, table: CountedTable, before: readonly string[], codes: readonly string[]): Promise<void> {
  const { type, of, written } = FACTS[table];
  await sql`SELECT ${sql.raw(written)}(${before as string[]}::text[]::${sql.raw(type)}[], ${sql.raw(of)}(${codes as string[]}::text[]))`.execute(db);
}
