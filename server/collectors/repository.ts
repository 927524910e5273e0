import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { CodeRange } from '../db/code-prefix.ts';
import { noteFiguresWritten } from '../db/data-version.ts';
import type { DB } from '../db/schema.ts';
import { populationTodayPerGrid } from '../heatmaps/service.ts';
import { streetCodeOf } from '../domain/codes.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** SQL condition "column lies in the range" (true when there is no range); a range may span prefixes (adjacency chunks). */
function inRange(column: string, range: CodeRange | null): RawBuilder<boolean> {
  if (!range) return sql<boolean>`true`;
  const ref = sql.ref(column);
  return range.below === null ? sql<boolean>`${ref} >= ${range.from}` : sql<boolean>`(${ref} >= ${range.from} AND ${ref} < ${range.below})`;
}

// ---------------------------------------------------------------------------------------------
// Counts per grid

export interface GridCountRow {
  code: string;
  name: string;
  communityCode: string;
  floating: number;
  rentalHouses: number;
  rentalBuildings: number;
  population: number;
  fullTimeAssigned: number;
  partTimeAssigned: number;
}

/**
 * One row per grid in the range: floating people and the whole real population living there
 * today, rental houses (let dwellings: each let unit, each household of a unit let to several),
 * the rental buildings beside them, and active collectors with an open
 * assignment, full- and part-time apart. People and houses come from the per-grid tables the
 * heatmaps maintain (sql/0003_heatmaps.sql): a city of 14 million is not counted per request.
 */
export async function gridCounts(db: Db, range: CodeRange | null): Promise<GridCountRow[]> {
  const peopleToday = await populationTodayPerGrid(db);
  const result = await sql<GridCountRow>`
    WITH people AS (${peopleToday}),
    staffing AS (
      SELECT a.grid_code,
             count(*) FILTER (WHERE c.employment = 'full_time')::int AS full_time,
             count(*) FILTER (WHERE c.employment = 'part_time')::int AS part_time
      FROM collector_assignments a JOIN collectors c ON c.id = a.collector_id
      WHERE a.ended_on IS NULL AND c.active AND ${inRange('a.grid_code', range)}
      GROUP BY 1)
    SELECT g.code, g.name, g.community_code AS "communityCode",
           coalesce(pe.floating, 0) AS floating,
           coalesce(us.rental_houses, 0) AS "rentalHouses",
           coalesce(us.rental_buildings, 0) AS "rentalBuildings",
           coalesce(pe.registered + pe.lodging + pe.floating + pe.overseas, 0) AS population,
           coalesce(st.full_time, 0) AS "fullTimeAssigned",
           coalesce(st.part_time, 0) AS "partTimeAssigned"
    FROM grids g
    LEFT JOIN people pe ON pe.grid_code = g.code
    LEFT JOIN grid_unit_stats us ON us.grid_code = g.code
    LEFT JOIN staffing st ON st.grid_code = g.code
    WHERE ${inRange('g.code', range)}
    ORDER BY g.code`.execute(db);
  return result.rows;
}

export interface EmployerStaffRow {
  employer: string;
  floatingStaff: number;
  homeCommunityCode: string;
  namedPartTime: number;
}

/**
 * Employers (trimmed name) with at least `threshold` floating staff living anywhere in the city,
 * the community where most of them live, and how many active part-time collectors they named.
 * Only employers whose home community lies in the range are returned.
 */
export async function employersWithStaff(db: Db, threshold: number, range: CodeRange | null): Promise<EmployerStaffRow[]> {
  const result = await sql<EmployerStaffRow>`
    WITH staff AS (
      SELECT btrim(p.employer) AS employer, left(r.unit_code, 12) AS community_code, count(*)::int AS staff
      FROM residencies r JOIN persons p ON p.id = r.person_id
      WHERE r.moved_out IS NULL AND p.category = 'floating' AND btrim(p.employer) <> ''
      GROUP BY 1, 2),
    employers AS (
      SELECT employer, sum(staff)::int AS floating_staff,
             (array_agg(community_code ORDER BY staff DESC, community_code))[1] AS home_community_code
      FROM staff GROUP BY employer HAVING sum(staff) >= ${threshold})
    SELECT e.employer, e.floating_staff AS "floatingStaff", e.home_community_code AS "homeCommunityCode",
           (SELECT count(*)::int FROM collectors c
             WHERE c.active AND c.employment = 'part_time' AND c.employer IS NOT NULL
               AND btrim(c.employer) = e.employer) AS "namedPartTime"
    FROM employers e
    WHERE ${inRange('e.home_community_code', range)}
    ORDER BY e.floating_staff DESC, e.employer`.execute(db);
  return result.rows;
}

/** Names of admin areas (district, street, community) by code. */
export async function areaNames(db: Db, codes: string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const rows = await db.selectFrom('admin_areas').select(['code', 'name']).where('code', 'in', codes).execute();
  return new Map(rows.map((row) => [row.code, row.name]));
}

// ---------------------------------------------------------------------------------------------
// Grid adjacency and centroids (rebalancing)

/** Grids per statement when recomputing adjacency: each statement stays well inside the statement timeout. */
const ADJACENCY_CHUNK_GRIDS = 1000;

/**
 * Recomputes collector_grid_adjacency when the grids' shapes have moved on since it was computed
 * (sql/0041: the version of shape_version it was computed from). Claiming the state row first
 * makes a concurrent refresh wait and then find it current; a grid change committed after the claim
 * moves the shapes' version again, and the next call recomputes.
 */
export async function refreshAdjacencyIfStale(db: Kysely<DB>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const claimed = await sql`
      UPDATE collector_adjacency_state AS s SET shapes_version = v.version, refreshed_at = now()
      FROM shape_version AS v WHERE s.shapes_version IS DISTINCT FROM v.version RETURNING s.singleton`.execute(trx);
    if (claimed.rows.length === 0) return false;
    await sql`DELETE FROM collector_grid_adjacency`.execute(trx);
    const starts = await sql<{ code: string }>`
      SELECT code FROM (SELECT code, row_number() OVER (ORDER BY code) AS n FROM grids) numbered
      WHERE n % ${ADJACENCY_CHUNK_GRIDS} = 1 ORDER BY code`.execute(trx);
    const codes = starts.rows.map((row) => row.code);
    for (const [index, from] of codes.entries()) {
      const range: CodeRange = { prefix: from, from, below: codes[index + 1] ?? null };
      // DE-9IM: interiors overlap (2…) or the boundaries share a line (….1); a shared corner point is not enough.
      await sql`
        INSERT INTO collector_grid_adjacency (grid_code, neighbour_code)
        SELECT grid_code, neighbour_code FROM (
          SELECT a.code AS grid_code, b.code AS neighbour_code, ST_Relate(a.geom, b.geom) AS matrix
          FROM grids a JOIN grids b ON a.code < b.code AND a.geom && b.geom
          WHERE ${inRange('a.code', range)}) pairs
        WHERE matrix LIKE '2%' OR substr(matrix, 5, 1) = '1'`.execute(trx);
    }
    return true;
  });
}

export async function adjacentPairs(db: Db, range: CodeRange | null): Promise<[string, string][]> {
  const result = await sql<{ grid_code: string; neighbour_code: string }>`
    SELECT grid_code, neighbour_code FROM collector_grid_adjacency
    WHERE ${inRange('grid_code', range)} AND ${inRange('neighbour_code', range)}
    ORDER BY grid_code, neighbour_code`.execute(db);
  return result.rows.map((row) => [row.grid_code, row.neighbour_code]);
}

/** A point to draw an arrow from: the centroid, or a point on the surface when the centroid falls outside (a U-shaped grid). */
export async function gridCentroids(db: Db, codes: string[]): Promise<Map<string, [number, number]>> {
  if (codes.length === 0) return new Map();
  const rows = await db
    .selectFrom(
      db
        .selectFrom('grids')
        .select(['code', sql<string>`CASE WHEN ST_Contains(geom, ST_Centroid(geom)) THEN ST_Centroid(geom) ELSE ST_PointOnSurface(geom) END`.as('point')])
        .where('code', 'in', codes)
        .as('g'),
    )
    .select(['g.code', sql<number>`round(ST_X(g.point)::numeric, 6)`.as('lon'), sql<number>`round(ST_Y(g.point)::numeric, 6)`.as('lat')])
    .execute();
  return new Map(rows.map((row) => [row.code, [row.lon, row.lat]]));
}

export interface MovableCollector {
  id: number;
  name: string;
  gridCode: string;
}

/** Active full-time collectors working in the grids, the most recently assigned first (least settled). */
export async function fullTimeCollectorsIn(db: Db, gridCodes: string[]): Promise<MovableCollector[]> {
  if (gridCodes.length === 0) return [];
  return db
    .selectFrom('collector_assignments as a')
    .innerJoin('collectors as c', 'c.id', 'a.collector_id')
    .select(['c.id', 'c.name', 'a.grid_code as gridCode'])
    .where('a.ended_on', 'is', null)
    .where('c.active', '=', true)
    .where('c.employment', '=', 'full_time')
    .where('a.grid_code', 'in', gridCodes)
    .orderBy('a.grid_code')
    .orderBy('a.assigned_on', 'desc')
    .orderBy('c.id', 'desc')
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Settings

export async function readSetting(db: Db, key: string): Promise<unknown> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function writeSetting(db: Db, key: string, value: unknown): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value: JSON.stringify(value), updated_at: sql`now()` })
    .onConflict((conflict) => conflict.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: sql`now()` }))
    .execute();
  // Settings carry no trigger (sql/0043): the kept figures read them, so their writer says so.
  await noteFiguresWritten(db);
}

// ---------------------------------------------------------------------------------------------
// Collectors and their assignments

export interface CollectorFields {
  name: string;
  phone: string | null;
  photoUrl: string | null;
  employment: 'full_time' | 'part_time';
  employer: string | null;
  active: boolean;
}

export interface CollectorRecord extends CollectorFields {
  id: number;
}

export interface AssignmentRecord {
  id: number;
  collectorId: number;
  gridCode: string;
  gridName: string;
  assignedOn: string;
  endedOn: string | null;
}

const COLLECTOR_COLUMNS = ['c.id', 'c.name', 'c.phone', 'c.photo_url as photoUrl', 'c.employment', 'c.employer', 'c.active'] as const;

export interface CollectorFilter {
  range: CodeRange | null;
  employment?: 'full_time' | 'part_time';
  active?: boolean;
  /** true: only collectors without an open assignment. */
  unassigned?: boolean;
  limit: number;
  offset: number;
}

export async function listCollectors(db: Db, filter: CollectorFilter): Promise<{ total: number; collectors: CollectorRecord[] }> {
  let query = db.selectFrom('collectors as c');
  if (filter.employment) query = query.where('c.employment', '=', filter.employment);
  if (filter.active !== undefined) query = query.where('c.active', '=', filter.active);
  const hasOpenAssignment = (range: CodeRange | null) => sql<boolean>`EXISTS (SELECT 1 FROM collector_assignments a
    WHERE a.collector_id = c.id AND a.ended_on IS NULL AND ${inRange('a.grid_code', range)})`;
  if (filter.unassigned) query = query.where(sql<boolean>`NOT ${hasOpenAssignment(null)}`);
  else if (filter.range) query = query.where(hasOpenAssignment(filter.range));
  const total = await query.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  const collectors = await query
    .select([...COLLECTOR_COLUMNS])
    .orderBy('c.id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return { total: total.n, collectors };
}

export async function findCollector(db: Db, id: number, options: { lock?: boolean } = {}): Promise<CollectorRecord | undefined> {
  const query = db
    .selectFrom('collectors as c')
    .select([...COLLECTOR_COLUMNS])
    .where('c.id', '=', id);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function assignmentsOf(db: Db, collectorIds: number[], options: { openOnly: boolean }): Promise<AssignmentRecord[]> {
  if (collectorIds.length === 0) return [];
  let query = db
    .selectFrom('collector_assignments as a')
    .innerJoin('grids as g', 'g.code', 'a.grid_code')
    .select(['a.id', 'a.collector_id as collectorId', 'a.grid_code as gridCode', 'g.name as gridName', 'a.assigned_on as assignedOn', 'a.ended_on as endedOn'])
    .where('a.collector_id', 'in', collectorIds);
  if (options.openOnly) query = query.where('a.ended_on', 'is', null);
  return query.orderBy('a.collector_id').orderBy('a.assigned_on', 'desc').orderBy('a.id', 'desc').execute();
}

export async function insertCollector(db: Db, fields: CollectorFields): Promise<number> {
  const row = await db
    .insertInto('collectors')
    .values({
      name: fields.name,
      phone: fields.phone,
      photo_url: fields.photoUrl,
      employment: fields.employment,
      employer: fields.employer,
      active: fields.active,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateCollector(db: Db, id: number, fields: Partial<CollectorFields>): Promise<void> {
  await db
    .updateTable('collectors')
    .set({
      name: fields.name,
      phone: fields.phone,
      photo_url: fields.photoUrl,
      employment: fields.employment,
      employer: fields.employer,
      active: fields.active,
    })
    .where('id', '=', id)
    .execute();
}

export async function gridExists(db: Db, code: string): Promise<boolean> {
  return (await db.selectFrom('grids').select('code').where('code', '=', code).executeTakeFirst()) !== undefined;
}

export async function insertAssignment(db: Db, collectorId: number, gridCode: string, assignedOn: string): Promise<number> {
  const row = await db
    .insertInto('collector_assignments')
    .values({ collector_id: collectorId, grid_code: gridCode, street_code: streetCodeOf(gridCode), assigned_on: assignedOn, ended_on: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Ends open assignments; an assignment never ends before it started. */
export async function endAssignments(db: Db, assignmentIds: number[], endedOn: string): Promise<void> {
  if (assignmentIds.length === 0) return;
  await db
    .updateTable('collector_assignments')
    .set({ ended_on: sql<string>`greatest(${endedOn}::date, assigned_on)` })
    .where('id', 'in', assignmentIds)
    .where('ended_on', 'is', null)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Public card

export interface PublicArea {
  code: string;
  level: 'grid' | 'community';
  name: string;
}

export async function findPublicArea(db: Db, code: string): Promise<PublicArea | undefined> {
  if (code.length === 14) {
    const grid = await db.selectFrom('grids').select(['code', 'name']).where('code', '=', code).executeTakeFirst();
    return grid && { ...grid, level: 'grid' };
  }
  const community = await db.selectFrom('admin_areas').select(['code', 'name']).where('code', '=', code).where('level', '=', 'community').executeTakeFirst();
  return community && { ...community, level: 'community' };
}

export interface PublicCollector {
  name: string;
  photoUrl: string | null;
  gridCode: string;
  gridName: string;
}

/** Active collectors with an open assignment in the area: name, photo and grid only. */
export async function collectorsServing(db: Db, range: CodeRange): Promise<PublicCollector[]> {
  return db
    .selectFrom('collector_assignments as a')
    .innerJoin('collectors as c', 'c.id', 'a.collector_id')
    .innerJoin('grids as g', 'g.code', 'a.grid_code')
    .select(['c.name', 'c.photo_url as photoUrl', 'a.grid_code as gridCode', 'g.name as gridName'])
    .where('a.ended_on', 'is', null)
    .where('c.active', '=', true)
    .where(inRange('a.grid_code', range))
    .orderBy('a.grid_code')
    .orderBy('c.name')
    .execute();
}
