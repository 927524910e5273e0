import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

/**
 * What the writers of a table without triggers call in their own transaction so that the grid
 * statistics stay exact (docs/citus.md step 1; the tables lost their statistics triggers so that
 * Citus can distribute them). The comparisons themselves are SQL functions (sql/0046), the same
 * for every writer: a service, an import, the bench's loader, a test fixture.
 */

/**
 * The facts of the units that the figures count (sql/0046 `unit_fact`, as text), locked until the
 * transaction ends: read before a write and handed to unitsWritten after it, so that a concurrent
 * writer cannot slip in between.
 */
export async function lockUnitFacts(db: Kysely<DB>, unitCodes: readonly string[]): Promise<string[]> {
  if (unitCodes.length === 0) return [];
  const { rows } = await sql<{ fact: string }>`
    SELECT f.fact::text AS fact FROM unit_fact_rows AS f WHERE f.code = ANY (${unitCodes as string[]}::text[]) ORDER BY f.code FOR UPDATE`.execute(db);
  return rows.map((row) => row.fact);
}

/**
 * Recounts the grids where a write of `unitCodes` changed what the figures count: their facts
 * before (lockUnitFacts; none for units just added) against their facts now (none for units deleted).
 */
export async function unitsWritten(db: Kysely<DB>, before: readonly string[], unitCodes: readonly string[]): Promise<void> {
  await sql`SELECT units_written(${before as string[]}::text[]::unit_fact[], unit_facts_of(${unitCodes as string[]}::text[]))`.execute(db);
}
