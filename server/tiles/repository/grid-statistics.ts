import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { cityGridStatistics, type GridCounts } from './layer-rows.ts';

export type { GridCounts };

/**
 * Each grid's counts, by grid code, in the caller's snapshot (counts below `privacyK` residents
 * withheld). Read without JIT compilation: the planner costs the recent-changes probe once per grid
 * though a one-time filter skips it on all but the day's first reads, so the city's read was
 * estimated past jit_above_cost and, at Shenzhen scale, spent 240–270 ms compiling for a 55 ms
 * read, on every execution (pg_stat_statements during `npm run bench`, issue 18). `SET LOCAL`
 * keeps the setting to this transaction.
 */
export async function gridCountsByCode(trx: Transaction<DB>, privacyK: number): Promise<Map<string, GridCounts>> {
  await sql`SET LOCAL jit = off`.execute(trx);
  const { rows } = await cityGridStatistics(privacyK).execute(trx);
  return new Map(rows.map(({ code, ...counts }) => [code, counts]));
}
