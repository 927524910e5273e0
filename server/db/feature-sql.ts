import { sql, type RawBuilder } from 'kysely';
import type { Bbox } from '../domain/coordinates.ts';

/**
 * SQL pieces shared by several features' repositories: vector tiles and the OGC API both read rows
 * shaped (id text, geom geometry(4326), properties jsonb) and filter them by a WGS84 box; exports
 * and heatmaps count a building's units alike.
 */

/** A bound-parameter envelope; comparing a geometry column to it with && uses the column's GiST index. */
export const envelopeOf = ([minLon, minLat, maxLon, maxLat]: Bbox): RawBuilder<unknown> =>
  sql`ST_MakeEnvelope(${minLon}::float8, ${minLat}::float8, ${maxLon}::float8, ${maxLat}::float8, 4326)`;

/**
 * Joins from grids (alias g) to the per-grid tables server/heatmaps maintains (sql/0003_heatmaps.sql):
 * s = active buildings and units; d = people on the day the population window last materialised;
 * living = people today: d and the changes since (recent), so a window not yet carried
 * forward to today still gives today's count.
 *
 * Joins on unique keys, the window's last day a constant for the planner (a daily table holds a
 * row per grid and day, millions). The day's rows are a derived table filtered by that day, not
 * the day in the join's condition: on Citus (the daily rows distributed, issue 20) a condition of
 * the join with the coordinator's grids stays on the coordinator, and every daily row came there
 * (22 million at Shenzhen scale, ≈ 15 s a statistics tile); a filter of the derived table goes to
 * the workers with the day (≈ 0.2 s for the city's 20,000 grids), and with a tile's grid codes.
 * PostgreSQL plans both alike.
 *
 * gridStatisticsJoinsWith adds `sameGrids` of each joined table's grid code column: a read of a
 * few grids names their codes there too (tiles/repository/layer-rows.ts), so that the planner reads
 * the day's rows as one range of the (day, grid_code) key, which the city-wide reads keep in
 * memory; joined grid by grid it probed the (grid_code, day) index instead, whose leaves (853 MB
 * at Shenzhen scale) only the write paths read: a z12 tile's 256 grids read 280 pages from disk
 * (125 ms, against 1–4 ms).
 */
const lastKeptDay = sql`(SELECT last_day FROM grid_population_window)`;

/** What gridStatisticsJoinsWith adds beside each joined table's grid code column (nothing, or the tile's codes). */
type SameGrids = (gridCodeColumn: RawBuilder<unknown>) => RawBuilder<unknown>;

/**
 * A grid's people moved in or out after the window's last day, while the window lags behind today:
 * it is carried to today on the day's first read, so this is nothing but for a moment after
 * midnight, and the one-time filter on the lag skips the changes altogether. As a lateral sum per
 * grid it was planned and run per grid (a Memoize over 20,000 misses, a third of the city's read,
 * issue 18); as a correlated subquery Citus cannot join it to the grids on the coordinator once
 * the statistics are distributed (issue 20: "correlated subqueries are not supported"). Joined as
 * one grouped read, it is one plan on every engine: no scan of the changes unless the window lags.
 */
const recentPeopleJoin = (sameGrids: SameGrids) => sql`
  LEFT JOIN (
    SELECT c.grid_code, sum(c.registered + c.lodging + c.floating + c.overseas) AS people FROM grid_population_changes c
    WHERE ${lastKeptDay} < city_today() AND c.day > ${lastKeptDay} AND c.day <= city_today() ${sameGrids(sql.ref('c.grid_code'))}
    GROUP BY c.grid_code) AS recent ON recent.grid_code = g.code`;

export const gridStatisticsJoinsWith = (sameGrids: SameGrids) => sql`
  LEFT JOIN grid_unit_stats s ON s.grid_code = g.code ${sameGrids(sql.ref('s.grid_code'))}
  LEFT JOIN (SELECT * FROM grid_population_daily WHERE day = ${lastKeptDay} ${sameGrids(sql.ref('grid_code'))}) AS d ON d.grid_code = g.code
  ${recentPeopleJoin(sameGrids)}
  CROSS JOIN LATERAL (SELECT coalesce(d.registered + d.lodging + d.floating + d.overseas, 0) + coalesce(recent.people, 0) AS people) AS living`;

export const gridStatisticsJoins = gridStatisticsJoinsWith(() => sql.raw(''));

const currentResidents = sql`living.people`;

/**
 * Each grid's counts over grids g with gridStatisticsJoins, by name. Resident counts below k (the
 * privacy setting, privacyThreshold) are withheld: a cell with two residents would otherwise point at a household.
 */
const gridCounts = (k: number) => ({
  buildings: sql`coalesce(s.buildings, 0)`,
  units: sql`coalesce(s.units, 0)`,
  residents: sql`CASE WHEN ${currentResidents} >= ${k}::int THEN ${currentResidents}::int END`,
});

/** Per-grid code, name and counts as jsonb (a feature's properties). */
export const gridStatisticsProperties = (k: number) => {
  const fields = { code: sql.ref('g.code'), name: sql.ref('g.name'), ...gridCounts(k) };
  return sql`jsonb_build_object(${sql.join(Object.entries(fields).map(([name, value]) => sql`${sql.lit(name)}, ${value}`))})`;
};

/** The same counts as columns (buildings, units, residents): a whole city's without building 20,000 jsonb values. */
export const gridStatisticsColumns = (k: number) => sql.join(Object.entries(gridCounts(k)).map(([name, value]) => sql`${value} AS ${sql.ref(name)}`));

/**
 * Each building b's units as the lateral `n`: units, rented units, registered rental units and
 * rental houses (a unit let to several households counts each, sql/0014_rental_houses.sql). Read by
 * the building export layer and the heatmaps' unit points, which must count alike.
 */
export const unitCountsOfBuilding = sql`CROSS JOIN LATERAL (
      SELECT count(*)::int AS units, count(*) FILTER (WHERE u.use = 'rented')::int AS rented_units,
             count(*) FILTER (WHERE u.use = 'rented' AND u.rental_registered)::int AS registered_rental_units,
             coalesce(sum(u.let_households) FILTER (WHERE u.use = 'rented'), 0)::int AS rental_houses
      FROM units AS u WHERE u.building_code = b.code) AS n`;
