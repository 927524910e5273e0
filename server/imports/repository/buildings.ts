import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { factsWritten } from '../../db/counted-writes.ts';

/** 建筑物 imports (kinds/buildings.ts): the checks only the database can answer, the insert, and the point as an update compares it. */

/**
 * Input rows (code, lon, lat, footprint) whose grid is missing, that are on file already, or whose
 * point (or footprint's) lies more than `toleranceM` metres outside the grid of their first 14 digits.
 */
export async function buildingsToRefuse(db: Kysely<DB>, input: RawBuilder<unknown>, toleranceM: number) {
  const flagged = await sql<{ row_number: number; grid_missing: boolean; on_file: boolean; outside_m: number | null; grid_code: string }>`
      SELECT input.row_number, g.code IS NULL AS grid_missing, b.code IS NOT NULL AS on_file, left(input.code, 14) AS grid_code,
             CASE WHEN NOT ST_DWithin(input.point::geography, g.geom::geography, ${toleranceM})
                  THEN round(ST_Distance(input.point::geography, g.geom::geography)) END AS outside_m
      FROM (SELECT *, coalesce(ST_SetSRID(ST_MakePoint(lon, lat), 4326), ST_PointOnSurface(ST_SetSRID(ST_GeomFromGeoJSON(footprint), 4326))) AS point
            FROM ${input}) AS input
      LEFT JOIN grids AS g ON g.code = left(input.code, 14)
      LEFT JOIN buildings AS b ON b.code = input.code
      WHERE g.code IS NULL OR b.code IS NOT NULL OR NOT ST_DWithin(input.point::geography, g.geom::geography, ${toleranceM})`.execute(db);
  return flagged.rows;
}

/**
 * Inserts the input rows (the buildings' columns; footprint as GeoJSON text), the point from
 * lon/lat or else the footprint, and counts them (their grids' unit statistics, the building tiles
 * that draw them: the buildings carry no trigger, sql/0047).
 */
export async function insertBuildings(trx: Kysely<DB>, input: RawBuilder<unknown>): Promise<number> {
  const inserted = await sql<{ code: string }>`
      INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, has_access_control, has_video,
                             responsibility_letter_signed, landlord_name, landlord_phone, footprint, point)
      SELECT code, left(code, 9), left(code, 14), address, floors, use, management_mode, has_access_control, has_video,
             responsibility_letter_signed, landlord_name, landlord_phone, shape,
             coalesce(ST_SetSRID(ST_MakePoint(lon, lat), 4326), ST_PointOnSurface(shape))
      FROM (SELECT *, ST_SetSRID(ST_GeomFromGeoJSON(footprint), 4326) AS shape FROM ${input}) AS prepared
      RETURNING code`.execute(trx);
  const codes = inserted.rows.map((row) => row.code);
  await factsWritten(trx, 'buildings', [], codes);
  return codes.length;
}

/** A building's point as an update reads it from `input.point` ("lon,lat")… */
export const POINT_FROM_TEXT = sql`ST_SetSRID(ST_MakePoint(split_part(input.point, ',', 1)::float8, split_part(input.point, ',', 2)::float8), 4326)`;
/** …and as the record on file states it: "lon,lat" to 7 decimals (about 1 cm), so that a point read back compares equal. */
export const POINT_AS_TEXT = sql`trim_scale(round(ST_X(target.point)::numeric, 7))::text || ',' || trim_scale(round(ST_Y(target.point)::numeric, 7))::text`;
