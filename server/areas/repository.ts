import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export type AreaLevel = 'district' | 'street' | 'community' | 'grid';

/** One level of the area hierarchy as a GeoJSON FeatureCollection, built in SQL. */
export async function areasAsGeoJson(db: Kysely<DB>, level: AreaLevel): Promise<unknown> {
  const features =
    level === 'grid'
      ? sql<{ feature: unknown }>`SELECT json_build_object('type', 'Feature', 'id', code,
              'geometry', ST_AsGeoJSON(geom, 6)::json,
              'properties', json_build_object('code', code, 'name', name, 'level', 'grid',
                 'parentCode', community_code, 'areaKm2', round(area_km2::numeric, 4))) AS feature
            FROM grids ORDER BY code`
      : sql<{ feature: unknown }>`SELECT json_build_object('type', 'Feature', 'id', code,
              'geometry', ST_AsGeoJSON(geom, 6)::json,
              'properties', json_build_object('code', code, 'name', name, 'level', level,
                 'parentCode', parent_code)) AS feature
            FROM admin_areas WHERE level = ${level} ORDER BY code`;
  const result = await features.execute(db);
  return { type: 'FeatureCollection', features: result.rows.map((row) => row.feature) };
}
