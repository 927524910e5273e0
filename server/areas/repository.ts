import { sql, type Kysely } from 'kysely';
import { areaVisible, type CodePrefixes } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';
import type { Bbox } from '../domain/coordinates.ts';

export type AreaLevel = 'district' | 'street' | 'community' | 'grid';

/** One level of the area hierarchy as a GeoJSON FeatureCollection, built in SQL: the areas the caller may see (areaVisible). */
export async function areasAsGeoJson(db: Kysely<DB>, level: AreaLevel, prefixes: CodePrefixes): Promise<unknown> {
  const visible = areaVisible('code', prefixes);
  const features =
    level === 'grid'
      ? sql<{ feature: unknown }>`SELECT json_build_object('type', 'Feature', 'id', code,
              'geometry', ST_AsGeoJSON(geom, 6)::json,
              'properties', json_build_object('code', code, 'name', name, 'level', 'grid',
                 'parentCode', community_code, 'areaKm2', round(area_km2::numeric, 4))) AS feature
            FROM grids WHERE ${visible} ORDER BY code`
      : sql<{ feature: unknown }>`SELECT json_build_object('type', 'Feature', 'id', code,
              'geometry', ST_AsGeoJSON(geom, 6)::json,
              'properties', json_build_object('code', code, 'name', name, 'level', level,
                 'parentCode', parent_code)) AS feature
            FROM admin_areas WHERE level = ${level} AND ${visible} ORDER BY code`;
  const result = await features.execute(db);
  return { type: 'FeatureCollection', features: result.rows.map((row) => row.feature) };
}

/** The city's extent: every published feature lies inside a district, and districts are few. */
export async function cityExtent(db: Kysely<DB>): Promise<Bbox | undefined> {
  const result = await sql<{ min_lon: number | null; min_lat: number; max_lon: number; max_lat: number }>`
    SELECT ST_XMin(extent) AS min_lon, ST_YMin(extent) AS min_lat, ST_XMax(extent) AS max_lon, ST_YMax(extent) AS max_lat
    FROM (SELECT ST_Extent(geom) AS extent FROM admin_areas WHERE level = 'district') districts`.execute(db);
  const row = result.rows[0];
  if (!row || row.min_lon === null) return undefined;
  return [row.min_lon, row.min_lat, row.max_lon, row.max_lat];
}
