import { sql, type RawBuilder } from 'kysely';
import { codeWithin, type CodePrefixes } from '../../db/code-prefix.ts';
import { gridStatisticsColumns, gridStatisticsJoins, gridStatisticsJoinsWith, gridStatisticsProperties } from '../../db/feature-sql.ts';

/**
 * The rows of each tile layer (layers.ts names them per layer): id bigint, geom in EPSG:4326 and
 * properties jsonb of the features touching `envelope`, limited to codes under `prefixes` (null = all).
 * ../repository.ts wraps one in the tile's statement (ST_AsMVT, or GeoJSON for the JS encoder).
 */

const buildingProperties = sql`jsonb_build_object('code', code, 'use', use, 'floors', floors, 'status', status)`;

/**
 * MVT ids are read into doubles, exact only up to 2^53 (16 digits). A 19-digit building code
 * does not fit, but its first four digits (province and city) are the same for every building
 * of the one city a deployment serves, so the other 15 digits (district down to building,
 * at most 999,999,999,999,999) are unique, stable and fit. Grid and area codes (≤ 14 digits) fit whole.
 */
export const BUILDING_ID_DIGITS = 15;
const buildingId = sql`right(code, ${BUILDING_ID_DIGITS}::int)::bigint AS id`;
/** A 14-digit grid code (or a shorter area code) as the numeric feature id, whole. */
const codeAsId = (column: string) => sql`${sql.ref(column)}::bigint AS id`;

/** Buildings as footprints: either index may find a building (its footprint, or its point where it has none). */
export const buildingFootprintRows = (envelope: RawBuilder<unknown>, prefixes: CodePrefixes) =>
  sql`SELECT ${buildingId}, coalesce(footprint, point) AS geom, ${buildingProperties} AS properties
            FROM buildings WHERE (footprint && ${envelope} OR point && ${envelope}) AND ${codeWithin('code', prefixes)}`;

/** Buildings as points. */
export const buildingPointRows = (envelope: RawBuilder<unknown>, prefixes: CodePrefixes) =>
  sql`SELECT ${buildingId}, point AS geom, ${buildingProperties} AS properties FROM buildings WHERE point && ${envelope} AND ${codeWithin('code', prefixes)}`;

/**
 * Shapes drawn at zoom `z` need no detail finer than half a screen pixel (MapLibre's 512-pixel
 * tiles): a district's thousands of vertices shrink to the few dozen a city view shows, and a
 * grid square keeps its corners. Collapsed shapes are kept (preserveCollapsed), so no cell
 * goes missing from a heatmap at city zoom.
 */
export const simplifyTolerance = (z: number) => 360 / 2 ** z / 1024;
const simplified = (column: string, z: number) => sql`ST_Simplify(${sql.ref(column)}, ${simplifyTolerance(z)}::float8, true)`;

/** From this zoom a grid tile carries the grid's name; below it the code alone (a city of grids in one tile). */
export const GRID_NAME_MIN_ZOOM = 11;

export const gridRows = (envelope: RawBuilder<unknown>, z: number, prefixes: CodePrefixes) => {
  const properties = z >= GRID_NAME_MIN_ZOOM ? sql`jsonb_build_object('code', code, 'name', name)` : sql`jsonb_build_object('code', code)`;
  return sql`SELECT ${codeAsId('code')}, ${simplified('geom', z)} AS geom, ${properties} AS properties FROM grids WHERE geom && ${envelope} AND ${codeWithin('code', prefixes)}`;
};

/** Grids with their maintained counts; counts of fewer than `privacyK` residents withheld. */
export const gridStatisticsRows = (envelope: RawBuilder<unknown>, prefixes: CodePrefixes, privacyK: number) =>
  sql`SELECT ${codeAsId('g.code')}, g.geom, ${gridStatisticsProperties(privacyK)} AS properties FROM grids g ${gridStatisticsJoins}
        WHERE g.geom && ${envelope} AND ${codeWithin('g.code', prefixes)}`;

const areaProperties = sql`jsonb_build_object('code', code, 'name', name, 'level', level)`;

/**
 * From this zoom a level's label points are in the tiles: where a map names the level (the
 * dashboard's street names from z9, community names from z12.5), not wider, where a city tile's
 * 5,000 community points would add a fifth to it for names nobody draws.
 */
export const AREA_LABEL_MIN_ZOOM = { district: 6, street: 9, community: 12 } as const;

/**
 * From this zoom a level's shapes are in the tiles: where its areas are larger than a few pixels
 * (issue 18). A ~600 m community is ~2 px at z8: a city tile of 5,035 community specks weighed
 * 400 KB and took SwiftShader seconds to draw; the dashboard shows streets there (and says "zoom
 * in"), and draws communities from this zoom (web/src/lib/analytics/leader-layers.ts DETAIL_ZOOM).
 */
export const AREA_SHAPE_MIN_ZOOM = { district: 0, street: 0, community: 10 } as const;

const levelsAt = (minZooms: Record<string, number>, z: number) =>
  Object.entries(minZooms)
    .filter(([, minZoom]) => z >= minZoom)
    .map(([level]) => level);

/**
 * Each area's shape, and one point inside it for its name, in the one tile that holds the point:
 * a map that labels the shapes themselves repeats a street's name on every tile it crosses.
 */
export const areaRows = (envelope: RawBuilder<unknown>, z: number, prefixes: CodePrefixes) =>
  sql`SELECT ${codeAsId('code')}, ${simplified('geom', z)} AS geom, ${areaProperties} AS properties
        FROM admin_areas WHERE geom && ${envelope} AND ${codeWithin('code', prefixes)} AND level = ANY(${levelsAt(AREA_SHAPE_MIN_ZOOM, z)}::text[])
      UNION ALL
      SELECT id, geom, properties FROM (
        SELECT ${codeAsId('code')}, ST_PointOnSurface(geom) AS geom, ${areaProperties} AS properties
          FROM admin_areas WHERE geom && ${envelope} AND ${codeWithin('code', prefixes)} AND level = ANY(${levelsAt(AREA_LABEL_MIN_ZOOM, z)}::text[])
      ) AS labels WHERE geom && ${envelope}`;

/** Every grid's counts as gridStatisticsRows gives them (buildings, units, residents or null where withheld), without shapes or names. */
export const cityGridStatistics = (privacyK: number) =>
  sql<GridCounts & { code: string }>`SELECT g.code, ${gridStatisticsColumns(privacyK)} FROM grids g ${gridStatisticsJoins}`;

/** The same counts of the grids with these codes (a tile's), the codes named for every joined table (feature-sql.ts says why). */
const gridStatisticsOfCodes = (privacyK: number, codes: readonly string[]) => {
  const named = (column: RawBuilder<unknown>) => sql`${column} = ANY(${codes as string[]}::text[])`;
  const joins = gridStatisticsJoinsWith((column) => sql`AND ${named(column)}`);
  return sql`SELECT g.code, ${gridStatisticsColumns(privacyK)} FROM grids g ${joins} WHERE ${named(sql.ref('g.code'))}`;
};

/**
 * gridStatisticsOfCodes with the data version and the privacy setting of the statement's snapshot
 * on every row (one row of nulls but those when no grid has these codes). The counts are a CTE of
 * their own: on Citus (the statistics distributed, docs/citus.md) the same counts as a subquery
 * LEFT JOINed ON true answered every grid with zeros, without an error.
 */
export const gridStatisticsOfCodesInSnapshot = (privacyK: number, codes: readonly string[]) =>
  sql<{ version: string; privacy: unknown } & Partial<GridCounts & { code: string }>>`
    WITH counts AS MATERIALIZED (${gridStatisticsOfCodes(privacyK, codes)}),
    snapshot AS MATERIALIZED (SELECT analytics_snapshot_key() AS version, (SELECT value FROM settings WHERE key = 'privacy') AS privacy)
    SELECT snapshot.version, snapshot.privacy, counts.* FROM snapshot LEFT JOIN counts ON true`;

export interface GridCounts {
  buildings: number;
  units: number;
  residents: number | null;
}
