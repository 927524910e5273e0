import { sql, type Kysely } from 'kysely';
import { areaVisible, type CodePrefixes } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';

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
