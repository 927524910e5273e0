import { sql, type Kysely } from 'kysely';
import { expect } from 'vitest';
import type { DB } from '../../server/db/schema.ts';

/**
 * The grids' population as the statistics keep it and as the counting rules give it, written out
 * once more straight over residencies, persons and permits: what a test compares after writes, so
 * that a writer that forgets to count what it wrote (sql/0049: no trigger does it) shows.
 */

/** A grid's population on a day with its occupied units, as grid_population_daily holds them. */
type GridCounts = PopulationCounts & { occupiedUnits: number };

export interface PopulationCounts {
  registered: number;
  lodging: number;
  floating: number;
  overseas: number;
  floatingRegistered: number;
  floatingPermitted: number;
}

/** The counting rules written out once more, straight over residencies, persons and permits. */
export async function directPopulation(db: Kysely<DB>, day: string): Promise<Record<string, PopulationCounts>> {
  const result = await sql<PopulationCounts & { grid: string }>`
    SELECT left(r.unit_code, 14) AS grid,
           count(*) FILTER (WHERE p.category = 'registered')::int AS registered,
           count(*) FILTER (WHERE p.category = 'lodging')::int AS lodging,
           count(*) FILTER (WHERE p.category = 'floating')::int AS floating,
           count(*) FILTER (WHERE p.category = 'overseas')::int AS overseas,
           count(*) FILTER (WHERE p.category = 'floating' AND r.registered_at <= ${day}::date)::int AS "floatingRegistered",
           count(*) FILTER (WHERE p.category = 'floating' AND EXISTS (
             SELECT 1 FROM permits AS m WHERE m.person_id = p.id AND m.issued_on <= ${day}::date AND m.expires_on >= ${day}::date
               AND (m.revoked_on IS NULL OR m.revoked_on > ${day}::date)))::int AS "floatingPermitted"
    FROM residencies AS r JOIN persons AS p ON p.id = r.person_id
    WHERE r.moved_in <= ${day}::date AND (r.moved_out IS NULL OR r.moved_out > ${day}::date)
    GROUP BY 1 ORDER BY 1`.execute(db);
  return byGrid(result.rows);
}

/** Units of active buildings somebody lived in on `day`, per grid, counted straight from residencies. */
async function directOccupiedUnits(db: Kysely<DB>, day: string): Promise<Record<string, number>> {
  const result = await sql<{ grid: string; occupied: number }>`
    SELECT left(u.code, 14) AS grid, count(*)::int AS occupied
    FROM units AS u JOIN buildings AS b ON b.code = u.building_code AND b.status = 'active'
    WHERE EXISTS (SELECT 1 FROM residencies AS r WHERE r.unit_code = u.code
                    AND r.moved_in <= ${day}::date AND (r.moved_out IS NULL OR r.moved_out > ${day}::date))
    GROUP BY 1`.execute(db);
  return Object.fromEntries(result.rows.map((row) => [row.grid, row.occupied]));
}

/** The kept tables' view of a day: the population counts and the occupied units side by side (grids with neither left out). */
export async function directPopulationAndOccupancy(db: Kysely<DB>, day: string): Promise<Record<string, GridCounts>> {
  const population = await directPopulation(db, day);
  const occupied = await directOccupiedUnits(db, day);
  const none: PopulationCounts = { registered: 0, lodging: 0, floating: 0, overseas: 0, floatingRegistered: 0, floatingPermitted: 0 };
  const grids = [...new Set([...Object.keys(population), ...Object.keys(occupied)])].sort();
  return Object.fromEntries(grids.map((grid) => [grid, { ...(population[grid] ?? none), occupiedUnits: occupied[grid] ?? 0 }]));
}

/** Rows with a grid column, as grid → the rest. */
export const byGrid = <Counts>(rows: (Counts & { grid: string })[]): Record<string, Counts> =>
  Object.fromEntries(rows.map(({ grid, ...counts }) => [grid, counts as Counts]));

/** The kept changes summed up to `day`, per grid (grids whose sums are all zero left out): what the statistics say of that day. */
export async function summedPopulationChanges(db: Kysely<DB>, day: string): Promise<Record<string, GridCounts>> {
  const summed = await sql<GridCounts & { grid: string }>`
      SELECT grid_code AS grid, sum(registered)::int AS registered, sum(lodging)::int AS lodging, sum(floating)::int AS floating, sum(overseas)::int AS overseas,
             sum(floating_registered)::int AS "floatingRegistered", sum(floating_permitted)::int AS "floatingPermitted",
             sum(occupied_units)::int AS "occupiedUnits"
      FROM grid_population_changes WHERE day <= ${day}::date GROUP BY 1
      HAVING (sum(registered), sum(lodging), sum(floating), sum(overseas), sum(floating_registered), sum(floating_permitted), sum(occupied_units))
             <> (0, 0, 0, 0, 0, 0, 0) ORDER BY 1`.execute(db);
  return byGrid(summed.rows);
}

/** Fails unless the statistics of each of `days` are what the counting rules give, per grid; `when` names the write just made. */
export async function expectPopulationAsCounted(db: Kysely<DB>, days: readonly string[], when: string): Promise<void> {
  for (const day of days) expect(await summedPopulationChanges(db, day), `${when}: ${day}`).toEqual(await directPopulationAndOccupancy(db, day));
}
