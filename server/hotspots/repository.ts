import { sql, type Kysely, type RawBuilder } from 'kysely';
import { codeWithin, type CodePrefixes } from '../db/code-prefix.ts';
import { analyticsSnapshotKey } from '../db/data-version.ts';
import type { DB } from '../db/schema.ts';

import type { HotspotLevel } from '../domain/word-lists.ts';

/** The area levels hot spots are computed for: grids, and communities (unions of their grids). */
export type { HotspotLevel };

/**
 * Queen contiguity from the polygons: each pair of cells of `level` inside `prefixes` whose
 * geometries share at least one point (an edge or a corner: ST_Intersects; the cells tile the
 * plane, so this is ST_Touches without the cost of the full relate). The same rule as spdep's
 * poly2nb(queen = TRUE) on exactly shared vertices (tests/api/hotspots-reference.test.ts).
 * Each pair appears once per direction.
 */
export async function touchingPairs(db: Kysely<DB>, level: HotspotLevel, prefixes: CodePrefixes): Promise<{ code: string; neighbour: string }[]> {
  const result =
    level === 'grid'
      ? await sql<{ code: string; neighbour: string }>`
        SELECT a.code, b.code AS neighbour
        FROM grids AS a JOIN grids AS b ON a.code <> b.code AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)
        WHERE ${codeWithin('a.code', prefixes)} AND ${codeWithin('b.code', prefixes)}`.execute(db)
      : await sql<{ code: string; neighbour: string }>`
        SELECT a.code, b.code AS neighbour
        FROM admin_areas AS a JOIN admin_areas AS b ON a.code <> b.code AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)
        WHERE a.level = 'community' AND b.level = 'community' AND ${codeWithin('a.code', prefixes)} AND ${codeWithin('b.code', prefixes)}`.execute(db);
  return result.rows;
}

/**
 * A fingerprint of the rows whose shapes make the neighbourhood of `level`: any insert, update or
 * delete changes a row's transaction id (xmin) or the count, and so the hash. Cheaper than the
 * data version (sql/0008), which every registration moves on, while the shapes change only by
 * an import of grids or areas.
 */
async function shapesFingerprint(db: Kysely<DB>, level: HotspotLevel): Promise<string> {
  // Read once per data version (a cheap key): the hashing scan costs ~8 ms over 20,000 grids.
  const version = await analyticsSnapshotKey(db);
  const known = printsOfVersion.get(`${version}|${level}`);
  if (known) return known;
  const print = await shapesFingerprintNow(db, level);
  // Only the current version is worth keeping (both levels of it).
  for (const key of printsOfVersion.keys()) if (!key.startsWith(`${version}|`)) printsOfVersion.delete(key);
  printsOfVersion.set(`${version}|${level}`, print);
  return print;
}

const printsOfVersion = new Map<string, string>();

/** The rows whose shapes make each level's neighbourhood. */
const SHAPES_OF_LEVEL: Record<HotspotLevel, RawBuilder<unknown>> = {
  grid: sql`grids`,
  community: sql`admin_areas WHERE level = 'community'`,
};

async function shapesFingerprintNow(db: Kysely<DB>, level: HotspotLevel): Promise<string> {
  const rows = sql<{
    print: string;
  }>`SELECT current_database() || ':' || count(*) || ':' || coalesce(sum(hashtextextended(code || ':' || xmin::text, 0)), 0) AS print FROM ${SHAPES_OF_LEVEL[level]}`;
  return (await rows.execute(db)).rows[0]!.print;
}

/**
 * touchingPairs, kept per version of the shapes (shapesFingerprint): the spatial self-join costs
 * seconds over 20,000 grids, and every hot-spot request (another metric, month or period, and
 * after any registration) needs the same pairs. A few study areas are kept, the least recently
 * used dropped first.
 */
const keptPairs = new Map<string, Promise<TouchingPairs>>();
const KEPT_PAIR_SETS = 8;

/**
 * Touching pairs as indexes into `codes` (each code of a pair once): 160,000 pairs at Shenzhen
 * scale kept as two Int32Arrays rather than 160,000 row objects and 320,000 strings on the heap,
 * which every full garbage collection would walk again (the hot spots' p95, issue 21).
 */
export interface TouchingPairs {
  codes: string[];
  from: Int32Array;
  to: Int32Array;
}

export function compactPairs(rows: readonly { code: string; neighbour: string }[]): TouchingPairs {
  const positions = new Map<string, number>();
  const codes: string[] = [];
  const positionOf = (code: string) => {
    let position = positions.get(code);
    if (position === undefined) {
      position = codes.push(code) - 1;
      positions.set(code, position);
    }
    return position;
  };
  const from = new Int32Array(rows.length);
  const to = new Int32Array(rows.length);
  rows.forEach((row, index) => {
    from[index] = positionOf(row.code);
    to[index] = positionOf(row.neighbour);
  });
  return { codes, from, to };
}

export async function touchingPairsOfVersion(db: Kysely<DB>, level: HotspotLevel, prefixes: CodePrefixes): Promise<TouchingPairs> {
  const key = JSON.stringify([await shapesFingerprint(db, level), level, prefixes]);
  let pairs = keptPairs.get(key);
  if (pairs) {
    keptPairs.delete(key);
  } else {
    pairs = touchingPairs(db, level, prefixes).then(compactPairs);
    pairs.catch(() => keptPairs.delete(key));
  }
  keptPairs.set(key, pairs);
  for (const oldest of keptPairs.keys()) {
    if (keptPairs.size <= KEPT_PAIR_SETS) break;
    keptPairs.delete(oldest);
  }
  return pairs;
}

// ---------------------------------------------------------------- emerging hot spots: all months at once

const CODE_LENGTH: Record<HotspotLevel, number> = { grid: 14, community: 12 };

export interface StudyCell {
  code: string;
  name: string | null;
  areaKm2: number;
}

/** The grids, or the communities that have grids (their area the sum of their grids'), whose grids lie inside `prefixes`. */
export async function cellsOfLevel(db: Kysely<DB>, level: HotspotLevel, prefixes: CodePrefixes): Promise<StudyCell[]> {
  const result =
    level === 'grid'
      ? await sql<{ code: string; name: string | null; area_km2: number }>`
        SELECT code, name, area_km2 FROM grids WHERE ${codeWithin('code', prefixes)} ORDER BY code COLLATE "C"`.execute(db)
      : await sql<{ code: string; name: string | null; area_km2: number }>`
        SELECT left(g.code, 12) AS code, a.name, sum(g.area_km2) AS area_km2
        FROM grids AS g LEFT JOIN admin_areas AS a ON a.code = left(g.code, 12)
        WHERE ${codeWithin('g.code', prefixes)} GROUP BY 1, a.name ORDER BY left(g.code, 12) COLLATE "C"`.execute(db);
  return result.rows.map((row) => ({ code: row.code, name: row.name, areaKm2: Number(row.area_km2) }));
}

/** One count of one cell in one step (month) of the period; steps count from 0, the oldest month. */
export interface StepCount {
  code: string;
  step: number;
  count: number;
}

/** Month number (year · 12 + month − 1) of a date column, in SQL; the steps are these minus the first month's. */
const monthNumber = (column: string) => sql`(extract(year FROM ${sql.ref(column)}) * 12 + extract(month FROM ${sql.ref(column)}) - 1)::int`;
export const monthNumberOf = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;

async function stepCounts(query: RawBuilder<{ code: string; step: number; count: number }>, db: Kysely<DB>): Promise<StepCount[]> {
  const result = await query.execute(db);
  return result.rows.map((row) => ({ code: row.code, step: Number(row.step), count: Number(row.count) }));
}

/** Cases per cell and calendar month, `from` (a month's first day) … `to`, in one query (grid_case_daily). */
export function casesByMonth(db: Kysely<DB>, level: HotspotLevel, prefixes: CodePrefixes, from: string, to: string): Promise<StepCount[]> {
  return stepCounts(
    sql<{ code: string; step: number; count: number }>`
    SELECT left(grid_code, ${CODE_LENGTH[level]}) AS code, ${monthNumber('day')} - ${monthNumberOf(from)} AS step, sum(cases)::int AS count
    FROM grid_case_daily
    WHERE day BETWEEN ${from}::date AND ${to}::date AND ${codeWithin('grid_code', prefixes)}
    GROUP BY 1, 2`,
    db,
  );
}

/**
 * Net changes of floating residents per cell and month up to `to`; changes before the first
 * month fall into step 0. Summed step by step (a running total), they give the floating people
 * present on each month's last day: what populationSummedToDay gives day by day, in one query.
 */
export function floatingChangesByMonth(db: Kysely<DB>, level: HotspotLevel, prefixes: CodePrefixes, from: string, to: string): Promise<StepCount[]> {
  return stepCounts(
    sql<{ code: string; step: number; count: number }>`
    SELECT left(grid_code, ${CODE_LENGTH[level]}) AS code, greatest(${monthNumber('day')} - ${monthNumberOf(from)}, 0) AS step, sum(floating)::int AS count
    FROM grid_population_changes
    WHERE day <= ${to}::date AND ${codeWithin('grid_code', prefixes)}
    GROUP BY 1, 2`,
    db,
  );
}

/**
 * Rental buildings of one tier per cell as of each month end: the latest scoring month on or
 * before it (as the rental-tier heatmap picks it), from rental_tier_counts when installed.
 */
export function tierByMonth(
  db: Kysely<DB>,
  level: HotspotLevel,
  prefixes: CodePrefixes,
  monthEnds: readonly string[],
  tier: 'red' | 'yellow',
  perGridTable: boolean,
): Promise<StepCount[]> {
  const ends = sql.join(monthEnds.map((end, step) => sql`(${step}::int, ${end}::date)`));
  const counts = perGridTable
    ? sql`SELECT month, grid_code, ${sql.ref(tier)} AS tier_count FROM rental_tier_counts`
    : sql`SELECT month, left(building_code, 14) AS grid_code, count(*) FILTER (WHERE tier = ${tier})::int AS tier_count FROM rental_scores GROUP BY 1, 2`;
  return stepCounts(
    sql<{ code: string; step: number; count: number }>`
    WITH ends(step, month_end) AS (VALUES ${ends}),
    picked AS (SELECT step, (SELECT max(month) FROM rental_scores WHERE month <= month_end) AS month FROM ends)
    SELECT left(t.grid_code, ${CODE_LENGTH[level]}) AS code, picked.step, sum(t.tier_count)::int AS count
    FROM picked JOIN (${counts}) AS t ON t.month = picked.month
    WHERE ${codeWithin('t.grid_code', prefixes)}
    GROUP BY 1, 2`,
    db,
  );
}
