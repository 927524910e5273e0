import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { cityGridStatistics, type GridCounts } from './layer-rows.ts';

export type { GridCounts };

/** Each grid's counts, by grid code, in the caller's snapshot (counts below `privacyK` residents withheld). */
export async function gridCountsByCode(db: Kysely<DB>, privacyK: number): Promise<Map<string, GridCounts>> {
  const { rows } = await cityGridStatistics(privacyK).execute(db);
  return new Map(rows.map(({ code, ...counts }) => [code, counts]));
}
