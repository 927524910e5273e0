import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { privacyKOf } from '../../domain/privacy.ts';
import { cityGridStatistics, gridStatisticsOfCodesInSnapshot, type GridCounts } from './layer-rows.ts';

export type { GridCounts };

/**
 * Each grid's counts, by grid code, in the caller's snapshot (counts below `privacyK` residents
 * withheld). Read without JIT compilation: the planner costs the recent changes' sum once per grid
 * though it runs only while the population window lags behind today, so the city's read was
 * estimated past jit_above_cost and, at Shenzhen scale, spent 240–270 ms compiling for a 55 ms
 * read, on every execution (pg_stat_statements during `npm run bench`, issue 18). `SET LOCAL`
 * keeps the setting to this transaction.
 */
export async function gridCountsByCode(trx: Transaction<DB>, privacyK: number): Promise<Map<string, GridCounts>> {
  await sql`SET LOCAL jit = off`.execute(trx);
  const { rows } = await cityGridStatistics(privacyK).execute(trx);
  return new Map(rows.map(({ code, ...counts }) => [code, counts]));
}

/**
 * The counts of the grids with these codes (a tile's: a few hundred grids; their estimate stays
 * far below jit_above_cost) in one statement, which also reads the data version and the privacy
 * threshold k of its snapshot: no transaction is needed to tell whether they are the counts of the
 * version the caller holds, withheld at that snapshot's k (if not, the caller asks again with it).
 */
export async function gridCountsInSnapshot(
  db: Kysely<DB>,
  privacyK: number,
  codes: readonly string[],
): Promise<{ version: string; privacyK: number; counts: Map<string, GridCounts> }> {
  const { rows } = await gridStatisticsOfCodesInSnapshot(privacyK, codes).execute(db);
  const [first] = rows;
  if (!first) throw new Error('the counts statement answered no row');
  const counts = new Map<string, GridCounts>();
  for (const { code, buildings, units, residents } of rows) {
    if (code !== undefined && code !== null) counts.set(code, { buildings: buildings!, units: units!, residents: residents ?? null });
  }
  return { version: first.version, privacyK: privacyKOf(first.privacy), counts };
}
