import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Bbox } from '../domain/coordinates.ts';
import { codeWithin, type CodePrefixes } from '../db/code-prefix.ts';
import { unitCountsOfBuilding } from '../db/feature-sql.ts';
import type { Figures } from '../domain/heatmap-metrics.ts';

/**
 * Reads behind the heatmaps and KPIs. Area levels (district … grid) sum the maintained per-grid
 * tables of sql/0003_heatmaps.sql; hex and square levels bin points read within a bbox.
 */
export type AreaLevel = 'district' | 'street' | 'community' | 'grid';
export const AREA_CODE_LENGTH: Record<AreaLevel, number> = { district: 6, street: 9, community: 12, grid: 14 };

export const POPULATION_COLUMNS = ['registered', 'lodging', 'floating', 'overseas', 'floating_registered', 'floating_permitted', 'occupied_units'] as const;
export const CASE_COLUMNS = ['cases', 'criminal', 'public_order', 'in_rental'] as const;
export const UNIT_COLUMNS = [
  'buildings',
  'units',
  'rented_units',
  'registered_rental_units',
  'rental_houses',
  'rental_buildings',
  'signed_rental_buildings',
] as const;
export const TIER_COLUMNS = ['red', 'yellow', 'green', 'star'] as const;

export interface CasePeriod {
  from: string;
  to: string;
  kind?: 'criminal' | 'public_order';
  category?: string;
}

// ---------------------------------------------------------------- per-grid sources (maintained)

/** Counts on `asOf` from the daily table; only valid for days inside grid_population_window. */
export const populationOnDay = (asOf: string) => sql`
  SELECT grid_code, ${sql.join(POPULATION_COLUMNS.map((column) => sql.ref(column)))}
  FROM grid_population_daily WHERE day = ${asOf}::date`;

/** Counts on `asOf` summed from the changes: any day, slower (for days before the kept window). */
export const populationSummedToDay = (asOf: string) => sql`
  SELECT grid_code, ${sql.join(POPULATION_COLUMNS.map((column) => sql`sum(${sql.ref(column)})::int AS ${sql.ref(column)}`))}
  FROM grid_population_changes WHERE day <= ${asOf}::date GROUP BY grid_code`;

/**
 * Floating people a visit found living in the area, registered nowhere, as of `asOf` (per grid):
 * part of 居住登记率's denominator (sql/0020_found_unregistered.sql says who counts).
 */
export const FOUND_UNREGISTERED_COLUMN = 'floating_found_unregistered';

/** The population figures of a day with the found-unregistered count joined in. */
export const withFoundUnregistered = (population: RawBuilder<unknown>, asOf: string) => sql`
  SELECT grid_code, ${sql.join(POPULATION_COLUMNS.map((column) => sql`coalesce(p.${sql.ref(column)}, 0)::int AS ${sql.ref(column)}`))},
         coalesce(f.people, 0)::int AS ${sql.ref(FOUND_UNREGISTERED_COLUMN)}
  FROM (${population}) AS p
  FULL JOIN (SELECT grid_code, count(*)::int AS people FROM found_unregistered_on(${asOf}::date) GROUP BY grid_code) AS f USING (grid_code)`;

const caseFilters = (period: CasePeriod, alias: string) => sql`
  ${sql.ref(`${alias}.day`)} BETWEEN ${period.from}::date AND ${period.to}::date
  AND (${period.kind ?? null}::text IS NULL OR ${sql.ref(`${alias}.kind`)} = ${period.kind ?? null})
  AND (${period.category ?? null}::text IS NULL OR ${sql.ref(`${alias}.category`)} = ${period.category ?? null})`;

export const casesInPeriod = (period: CasePeriod) => sql`
  SELECT c.grid_code, sum(c.cases)::int AS cases,
         coalesce(sum(c.cases) FILTER (WHERE c.kind = 'criminal'), 0)::int AS criminal,
         coalesce(sum(c.cases) FILTER (WHERE c.kind = 'public_order'), 0)::int AS public_order,
         sum(c.in_rental)::int AS in_rental
  FROM grid_case_daily AS c WHERE ${caseFilters(period, 'c')} GROUP BY c.grid_code`;

/** A per-grid source with the columns and no rows (before any month was scored). */
export const noRows = (columns: readonly string[]) =>
  sql`SELECT NULL::text AS grid_code, ${sql.join(columns.map((column) => sql`0 AS ${sql.ref(column)}`))} WHERE false`;

export const unitStats = () => sql`SELECT grid_code, ${sql.join(UNIT_COLUMNS.map((column) => sql.ref(column)))} FROM grid_unit_stats`;

/** Tier counts of one scoring month: the rental feature's per-grid table when present, else counted. */
export const tiersOfMonth = (month: string, perGridTable: boolean) =>
  perGridTable
    ? sql`SELECT grid_code, red, yellow, green, star FROM rental_tier_counts WHERE month = ${month}::date`
    : sql`SELECT left(building_code, 14) AS grid_code, ${tierCounts(sql`tier`)} FROM rental_scores
          WHERE month = ${month}::date GROUP BY 1`;

function tierCounts(tierColumn: RawBuilder<unknown>) {
  return sql.join(TIER_COLUMNS.map((tier) => sql`count(*) FILTER (WHERE ${tierColumn} = ${tier})::int AS ${sql.ref(tier)}`));
}

// ---------------------------------------------------------------- roll-up to areas

export interface AreaRow {
  code: string;
  name: string | null;
  areaKm2: number;
  figures: Figures;
}

export interface AreaSelection {
  level: AreaLevel;
  bbox?: Bbox;
  /** Only this area (a code of the level's length). */
  code?: string;
}

/**
 * Sums a per-grid source into the areas of one level; every area with grids appears, with zeros
 * where nothing was counted. Grids are read as they are (no grouping): the city-wide map.
 */
export async function sumByArea(db: Kysely<DB>, perGrid: RawBuilder<unknown>, columns: readonly string[], selection: AreaSelection): Promise<AreaRow[]> {
  const length = AREA_CODE_LENGTH[selection.level];
  const only = selection.code ?? null;
  const envelope = selection.bbox ? sql`ST_MakeEnvelope(${selection.bbox[0]}, ${selection.bbox[1]}, ${selection.bbox[2]}, ${selection.bbox[3]}, 4326)` : null;
  const inBbox = (geometry: string) => (envelope ? sql`${sql.ref(geometry)} && ${envelope}` : sql`true`);
  const query =
    selection.level === 'grid'
      ? sql<Record<string, number> & { code: string; name: string | null; area_km2: number }>`
        WITH per_grid AS (${perGrid})
        SELECT g.code, g.name, g.area_km2, ${sql.join(columns.map((column) => sql`coalesce(s.${sql.ref(column)}, 0)::int AS ${sql.ref(column)}`))}
        FROM grids AS g LEFT JOIN per_grid AS s ON s.grid_code = g.code
        WHERE (${only}::text IS NULL OR g.code = ${only}) AND ${inBbox('g.geom')}
        ORDER BY g.code COLLATE "C"`
      : sql<Record<string, number> & { code: string; name: string | null; area_km2: number }>`
        WITH per_grid AS (${perGrid}),
        cells AS (
          SELECT left(g.code, ${length}) AS code, sum(g.area_km2) AS area_km2,
                 ${sql.join(columns.map((column) => sql`coalesce(sum(s.${sql.ref(column)}), 0)::int AS ${sql.ref(column)}`))}
          FROM grids AS g LEFT JOIN per_grid AS s ON s.grid_code = g.code
          WHERE ${only}::text IS NULL OR left(g.code, ${length}) = ${only}
          GROUP BY 1)
        SELECT cells.*, a.name FROM cells LEFT JOIN admin_areas AS a ON a.code = cells.code
        WHERE ${inBbox('a.geom')}
        ORDER BY cells.code COLLATE "C"`;
  const result = await query.execute(db);
  return result.rows.map((row) => ({ code: row.code, name: row.name, areaKm2: row.area_km2, figures: pickFigures(row, columns) }));
}

function pickFigures(row: Record<string, unknown>, columns: readonly string[]): Figures {
  const figures: Figures = {};
  for (const column of columns) figures[column] = Number(row[column] ?? 0);
  return figures;
}

// ---------------------------------------------------------------- points in a bbox (hex, square)

export interface PointRow {
  lon: number;
  lat: number;
  figures: Figures;
}

export interface PointSelection {
  bbox: Bbox;
  prefixes: CodePrefixes;
}

const envelope = (bbox: Bbox) => sql`ST_MakeEnvelope(${bbox[0]}, ${bbox[1]}, ${bbox[2]}, ${bbox[3]}, 4326)`;

async function pointRows(db: Kysely<DB>, query: RawBuilder<unknown>, columns: readonly string[]): Promise<PointRow[]> {
  const result = await sql<Record<string, number>>`${query}`.execute(db);
  return result.rows.map((row) => ({ lon: row.lon!, lat: row.lat!, figures: pickFigures(row, columns) }));
}

/**
 * Residents of each building on `asOf`, counted directly from residencies (the same rules as
 * the maintained tables, written independently), and the floating people a visit found there
 * unregistered (sql/0020_found_unregistered.sql): the bbox bounds the work.
 */
export function populationByBuilding(db: Kysely<DB>, asOf: string, selection: PointSelection): Promise<PointRow[]> {
  return pointRows(
    db,
    sql`
    SELECT ST_X(b.point) AS lon, ST_Y(b.point) AS lat, n.*, coalesce(f.people, 0) AS ${sql.ref(FOUND_UNREGISTERED_COLUMN)}
    FROM buildings AS b
    CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE p.category = 'registered')::int AS registered,
             count(*) FILTER (WHERE p.category = 'lodging')::int AS lodging,
             count(*) FILTER (WHERE p.category = 'floating')::int AS floating,
             count(*) FILTER (WHERE p.category = 'overseas')::int AS overseas,
             count(*) FILTER (WHERE p.category = 'floating' AND r.registered_at <= ${asOf}::date)::int AS floating_registered,
             count(*) FILTER (WHERE p.category = 'floating' AND EXISTS (
               SELECT 1 FROM permits AS m WHERE m.person_id = p.id AND m.issued_on <= ${asOf}::date
                 AND m.expires_on >= ${asOf}::date AND (m.revoked_on IS NULL OR m.revoked_on > ${asOf}::date)))::int AS floating_permitted,
             -- Units count as occupied only in active buildings (sql/0028_occupied_units.sql).
             (count(DISTINCT r.unit_code) FILTER (WHERE b.status = 'active'))::int AS occupied_units
      FROM residencies AS r
      JOIN persons AS p ON p.id = r.person_id
      -- A building's units are the codes that extend its code: one index range, no units join.
      WHERE r.unit_code BETWEEN b.code || '000000' AND b.code || '999999'
        AND r.moved_in <= ${asOf}::date AND (r.moved_out IS NULL OR r.moved_out > ${asOf}::date)) AS n
    LEFT JOIN (SELECT building_code, count(*)::int AS people FROM found_unregistered_on(${asOf}::date) GROUP BY building_code) AS f
      ON f.building_code = b.code
    WHERE b.point && ${envelope(selection.bbox)} AND ${codeWithin('b.code', selection.prefixes)}`,
    [...POPULATION_COLUMNS, FOUND_UNREGISTERED_COLUMN],
  );
}

export function unitsByBuilding(db: Kysely<DB>, selection: PointSelection): Promise<PointRow[]> {
  return pointRows(
    db,
    sql`
    SELECT ST_X(b.point) AS lon, ST_Y(b.point) AS lat, 1 AS buildings, n.units, n.rented_units, n.registered_rental_units, n.rental_houses,
           (n.rented_units > 0)::int AS rental_buildings, (n.rented_units > 0 AND b.responsibility_letter_signed)::int AS signed_rental_buildings
    FROM buildings AS b
    ${unitCountsOfBuilding}
    WHERE b.status = 'active' AND b.point && ${envelope(selection.bbox)} AND ${codeWithin('b.code', selection.prefixes)}`,
    UNIT_COLUMNS,
  );
}

export function tiersByBuilding(db: Kysely<DB>, month: string, selection: PointSelection): Promise<PointRow[]> {
  return pointRows(
    db,
    sql`
    SELECT ST_X(b.point) AS lon, ST_Y(b.point) AS lat, ${tierCounts(sql`s.tier`)}
    FROM rental_scores AS s JOIN buildings AS b ON b.code = s.building_code
    WHERE s.month = ${month}::date AND b.point && ${envelope(selection.bbox)} AND ${codeWithin('b.code', selection.prefixes)}
    GROUP BY b.code, b.point`,
    TIER_COLUMNS,
  );
}

export function casePoints(db: Kysely<DB>, period: CasePeriod, selection: PointSelection): Promise<PointRow[]> {
  return pointRows(
    db,
    sql`
    SELECT ST_X(f.point) AS lon, ST_Y(f.point) AS lat, 1 AS cases, (f.kind = 'criminal')::int AS criminal,
           (f.kind = 'public_order')::int AS public_order, f.in_rental::int AS in_rental
    FROM case_facts AS f
    WHERE f.point && ${envelope(selection.bbox)} AND ${caseFilters(period, 'f')} AND ${codeWithin('f.grid_code', selection.prefixes)}`,
    CASE_COLUMNS,
  );
}

// ---------------------------------------------------------------- upkeep and lookups

export interface PopulationWindow {
  firstDay: string;
  lastDay: string;
  today: string;
}

export async function populationWindow(db: Kysely<DB>): Promise<PopulationWindow> {
  const result = await sql<{ first_day: string; last_day: string; today: string }>`
    SELECT first_day, last_day, city_today() AS today FROM grid_population_window`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('grid_population_window has no row: sql/0003_heatmaps.sql inserts it');
  return { firstDay: row.first_day, lastDay: row.last_day, today: row.today };
}

/** The kept window's last day, today and the data version, read in one statement (one snapshot). */
export async function populationWindowAndVersion(db: Kysely<DB>): Promise<{ lastDay: string; today: string; version: string }> {
  const result = await sql<{ last_day: string; today: string; version: string }>`
    SELECT last_day, city_today() AS today, analytics_snapshot_key() AS version FROM grid_population_window`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('grid_population_window has no row: sql/0003_heatmaps.sql inserts it');
  return { lastDay: row.last_day, today: row.today, version: row.version };
}

export async function extendPopulationWindow(db: Kysely<DB>, until: string): Promise<void> {
  const extend = sql`SELECT extend_grid_population(${until}::date)`;
  if (db.isTransaction) await extend.execute(db);
  else await db.transaction().execute((trx) => extend.execute(trx));
}

export async function refreshGridStats(db: Kysely<DB>, historyFrom: string | null): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SELECT refresh_grid_stats(${historyFrom}::date)`.execute(trx);
  });
}

/** The latest scoring month on or before `asOf`, or null when nothing was scored by then. */
export async function latestScoredMonthBy(db: Kysely<DB>, asOf: string): Promise<string | null> {
  const result = await sql<{ month: string | null }>`SELECT max(month) AS month FROM rental_scores WHERE month <= ${asOf}::date`.execute(db);
  return result.rows[0]?.month ?? null;
}

export async function settingValue(db: Kysely<DB>, key: string): Promise<unknown> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/**
 * Every cell of an area level with its name, in the order the heatmaps list them (by code,
 * byte order): the same cells sumByArea gives without a bbox, read without any figures.
 */
export async function areaCellsOf(db: Kysely<DB>, level: AreaLevel): Promise<{ code: string; name: string | null }[]> {
  const query =
    level === 'grid'
      ? sql<{ code: string; name: string | null }>`SELECT code, name FROM grids ORDER BY code COLLATE "C"`
      : sql<{ code: string; name: string | null }>`
        SELECT cells.code, a.name FROM (SELECT left(code, ${AREA_CODE_LENGTH[level]}) AS code FROM grids GROUP BY 1) AS cells
        LEFT JOIN admin_areas AS a ON a.code = cells.code
        ORDER BY cells.code COLLATE "C"`;
  return (await query.execute(db)).rows;
}

/**
 * Every grid's case counts per day, per kind (criminal, public order; in rentals apart), one row
 * per grid with its days (since 1970-01-01) and counts as arrays: 20,000 rows to parse rather
 * than 861,000 (server/heatmaps/case-days.ts keeps them per data version).
 */
export async function caseDaysOfGrids(db: Kysely<DB>) {
  const result = await sql<{
    grid_code: string;
    days: number[];
    criminal: number[];
    public_order: number[];
    in_rental_criminal: number[];
    in_rental_public_order: number[];
  }>`
    SELECT grid_code, array_agg(day ORDER BY day) AS days,
           array_agg(criminal ORDER BY day) AS criminal, array_agg(public_order ORDER BY day) AS public_order,
           array_agg(in_rental_criminal ORDER BY day) AS in_rental_criminal, array_agg(in_rental_public_order ORDER BY day) AS in_rental_public_order
    FROM (
      SELECT grid_code, (day - DATE '1970-01-01') AS day,
             coalesce(sum(cases) FILTER (WHERE kind = 'criminal'), 0)::int AS criminal,
             coalesce(sum(cases) FILTER (WHERE kind = 'public_order'), 0)::int AS public_order,
             coalesce(sum(in_rental) FILTER (WHERE kind = 'criminal'), 0)::int AS in_rental_criminal,
             coalesce(sum(in_rental) FILTER (WHERE kind = 'public_order'), 0)::int AS in_rental_public_order
      FROM grid_case_daily GROUP BY grid_code, day) AS per_day
    GROUP BY grid_code`.execute(db);
  return result.rows;
}

/** The areas of `level` in the map's order (code, name, summed area), as sumByArea lists them, without figures. */
export async function areasOfLevel(db: Kysely<DB>, level: AreaLevel): Promise<Omit<AreaRow, 'figures'>[]> {
  // A per-grid source with no rows: sumByArea then lists every area (with zeros).
  const noFigures = sql`SELECT NULL::text AS grid_code, 0 AS none WHERE false`;
  return (await sumByArea(db, noFigures, ['none'], { level })).map(({ code, name, areaKm2 }) => ({ code, name, areaKm2 }));
}

/** Every grid's population columns and found-unregistered people on `day`: from the kept daily window (`kept`), else summed from the changes. */
export async function populationPerGridOnDay(db: Kysely<DB>, day: string, kept: boolean): Promise<(Record<string, number> & { grid_code: string })[]> {
  const population = kept ? populationOnDay(day) : populationSummedToDay(day);
  return (await sql<Record<string, number> & { grid_code: string }>`${withFoundUnregistered(population, day)}`.execute(db)).rows;
}

/** The distinct jurisdictions of enabled leaders (at most `limit`, most common first): whose first maps are built ahead. */
export async function leaderJurisdictions(db: Kysely<DB>, limit: number): Promise<string[][]> {
  const rows = await db
    .selectFrom('users')
    .select(['jurisdiction', (eb) => eb.fn.countAll<number>().as('leaders')])
    .where('role', '=', 'leader')
    .where('disabled', '=', false)
    .groupBy('jurisdiction')
    .orderBy('leaders', 'desc')
    .orderBy('jurisdiction')
    .limit(limit)
    .execute();
  return rows.map((row) => row.jurisdiction);
}
