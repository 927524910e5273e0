import type { Geometry, Point } from 'geojson';
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { codeWithin } from '../db/code-prefix.ts';
import { unitCountsOfBuilding } from '../db/feature-sql.ts';
import type { DB } from '../db/schema.ts';
import { selectStays } from '../person-data/repository.ts';

/** The exports' queries: the scope's areas, the grid and building layers' rows and the occupants of a building or grid. */

/** Code prefixes an export covers; null = the whole city (exports/scope.ts cuts it to the caller's jurisdiction). */
export type ExportScope = readonly string[] | null;

export const inScope = (column: string, scope: ExportScope): RawBuilder<SqlBool> => (scope === null ? sql<SqlBool>`true` : codeWithin(column, scope));

/** Whether a grid (14 digits) or another admin area (district, street, community) has this code. */
export async function areaExists(db: Kysely<DB>, code: string): Promise<boolean> {
  const found =
    code.length === 14
      ? await db.selectFrom('grids').select('code').where('code', '=', code).executeTakeFirst()
      : await db.selectFrom('admin_areas').select('code').where('code', '=', code).executeTakeFirst();
  return found !== undefined;
}

export async function buildingOrGridExists(db: Kysely<DB>, table: 'buildings' | 'grids', code: string): Promise<boolean> {
  const found = await db.selectFrom(table).select('code').where('code', '=', code).executeTakeFirst();
  return found !== undefined;
}

/** A per-grid source of figures (a heatmaps FigureSource): SQL with grid_code and the columns. */
export interface PerGridFigures {
  perGrid(): RawBuilder<unknown>;
  columns: readonly string[];
}

export interface GridRow extends Record<string, unknown> {
  code: string;
  name: string;
  community_code: string;
  area_km2: number;
  geometry: Geometry;
  anchor_lon: number;
  anchor_lat: number;
}

/** Every grid in scope (up to `limit` rows) with each source's columns beside it, zeros where nothing was counted. */
export async function gridRowsWithFigures(db: Kysely<DB>, sources: PerGridFigures[], scope: ExportScope, limit: number): Promise<GridRow[]> {
  const named = sources.map((source, index) => ({ source, alias: `figures_${index}` }));
  const ctes = named.map(({ source, alias }) => sql`${sql.id(alias)} AS (${source.perGrid()})`);
  const figures = named.flatMap(({ source, alias }) =>
    source.columns.map((column) => sql`coalesce(${sql.ref(`${alias}.${column}`)}, 0)::int AS ${sql.ref(column)}`),
  );
  const joins = named.map(({ alias }) => sql`LEFT JOIN ${sql.id(alias)} ON ${sql.ref(`${alias}.grid_code`)} = g.code`);
  const result = await sql<GridRow>`
    WITH ${sql.join(ctes)}
    SELECT g.code, g.name, g.community_code, g.area_km2, ST_AsGeoJSON(g.geom, 7)::json AS geometry,
           ST_X(ST_PointOnSurface(g.geom)) AS anchor_lon, ST_Y(ST_PointOnSurface(g.geom)) AS anchor_lat,
           ${sql.join(figures)}
    FROM grids AS g ${sql.join(joins, sql` `)}
    WHERE ${inScope('g.code', scope)}
    ORDER BY g.code
    LIMIT ${limit}`.execute(db);
  return result.rows;
}

/** The stays open now in a building or grid, by unit, name and id, with floor and room; up to `limit`. */
export function currentStaysIn(db: Kysely<DB>, code: string, limit: number) {
  return selectStays(db)
    .innerJoin('units as u', 'u.code', 'r.unit_code')
    .select(['u.floor', 'u.room'])
    .where(codeWithin('r.unit_code', [code]))
    .where('r.moved_out', 'is', null)
    .orderBy('r.unit_code')
    .orderBy('p.name')
    .orderBy('p.id')
    .limit(limit)
    .execute();
}

// Columns come back under their keys; numeric and bigint arrive as JS numbers (server/db/connection.ts).
export type BuildingRow = Record<string, unknown> & { geometry: Point };

/** Active buildings in scope as points with their unit counts and the rental tier of `month` (buildings.ts describes the columns). */
export async function buildingLayerRows(db: Kysely<DB>, scope: ExportScope, month: string | null, tier: string | null, limit: number): Promise<BuildingRow[]> {
  const result = await sql<BuildingRow>`
    SELECT b.code, b.grid_code, b.address, b.floors, b.use, b.management_mode, b.has_access_control, b.has_video,
           b.responsibility_letter_signed, n.units, n.rented_units, n.rental_houses, n.registered_rental_units,
           s.tier, s.score, s.clean_months, ST_AsGeoJSON(b.point, 7)::json AS geometry
    FROM buildings AS b
    ${unitCountsOfBuilding}
    LEFT JOIN rental_scores AS s ON s.building_code = b.code AND s.month = ${month}::date
    WHERE b.status = 'active' AND ${inScope('b.code', scope)}
      AND (${tier}::text IS NULL OR s.tier = ${tier})
    ORDER BY b.code
    LIMIT ${limit}`.execute(db);
  return result.rows;
}
