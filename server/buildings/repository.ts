import { sql, type Expression, type Kysely, type RawBuilder } from 'kysely';
import { jsonObjectFrom } from 'kysely/helpers/postgres';
import { codeWithin, type CodePrefixes } from '../db/code-prefix.ts';
import type { Bbox } from '../domain/coordinates.ts';
import type { z } from 'zod';
import type { buildingDetail } from './contract.ts';
import type { DB } from '../db/schema.ts';
import { selectStays } from '../person-data/repository.ts';

/** One building as the API sends it: the contract's shape, so the two cannot drift. */
export type BuildingDetail = z.infer<typeof buildingDetail>;

export async function findBuilding(db: Kysely<DB>, code: string): Promise<BuildingDetail | undefined> {
  const row = await db
    .selectFrom('buildings as b')
    .select([
      'b.code',
      'b.grid_code',
      'b.address',
      'b.floors',
      'b.use',
      'b.management_mode',
      'b.status',
      'b.has_access_control',
      'b.has_video',
      'b.responsibility_letter_signed',
      'b.landlord_name',
      sql<number>`ST_X(b.point)`.as('lon'),
      sql<number>`ST_Y(b.point)`.as('lat'),
      (eb) => eb.selectFrom('units').select(sql<number>`count(*)::int`.as('n')).whereRef('units.building_code', '=', 'b.code').as('unit_count'),
    ])
    .where('b.code', '=', code)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    code: row.code,
    gridCode: row.grid_code,
    address: row.address,
    floors: row.floors,
    use: row.use,
    managementMode: row.management_mode,
    status: row.status,
    hasAccessControl: row.has_access_control,
    hasVideo: row.has_video,
    responsibilityLetterSigned: row.responsibility_letter_signed,
    landlordName: row.landlord_name,
    point: [row.lon, row.lat],
    unitCount: row.unit_count ?? 0,
  };
}

/** Footprints (or points where a building has none) inside a bbox and the caller's jurisdiction, at most `limit` of them. */
export async function buildingsInBbox(db: Kysely<DB>, bbox: Bbox, limit: number, prefixes: CodePrefixes): Promise<{ features: unknown[]; truncated: boolean }> {
  const [minLon, minLat, maxLon, maxLat] = bbox;
  const result = await sql<{ feature: unknown }>`
    SELECT json_build_object('type', 'Feature', 'id', code,
      'geometry', ST_AsGeoJSON(coalesce(footprint, point), 6)::json,
      'properties', json_build_object('code', code, 'use', use, 'floors', floors, 'status', status, 'address', address)) AS feature
    FROM buildings
    WHERE coalesce(footprint, point) && ST_MakeEnvelope(${minLon}, ${minLat}, ${maxLon}, ${maxLat}, 4326)
      AND ${codeWithin('code', prefixes)}
    ORDER BY code
    LIMIT ${limit + 1}`.execute(db);
  const truncated = result.rows.length > limit;
  return { features: result.rows.slice(0, limit).map((row) => row.feature), truncated };
}

/**
 * Building, units and current stays for the drill-down, in one statement (issue 19: drill-down p95
 * at 8 in flight). Read as three statements side by side they cost three round trips: on two
 * cores a third of the server's thread went to writing statements to PostgreSQL's sockets, and
 * each statement costs PostgreSQL its own parse, plan and snapshot. One statement also reads the
 * three in one snapshot. The units and the stays come back as JSON arrays (dates as their text,
 * numbers as numbers: what the driver gives for these columns), in the order each asks for.
 */
export async function readBuildingPlan(db: Kysely<DB>, buildingCode: string) {
  const row = await db
    .selectNoFrom((eb) => [
      jsonObjectFrom(
        eb
          .selectFrom('buildings')
          .select(['code', 'grid_code as gridCode', 'address', 'floors', 'use', 'management_mode as managementMode', 'status'])
          .where('code', '=', buildingCode),
      ).as('building'),
      jsonRowsOrdered(
        eb.selectFrom('units').select(['code', 'floor', 'room', 'use', 'rental_registered', 'area_m2']).where('building_code', '=', buildingCode),
        ['floor', 'room', 'code'],
      ).as('units'),
      // Current stays by unit-code range: served by residencies_current_by_unit_idx.
      jsonRowsOrdered(
        selectStays(eb)
          .where(codeWithin('r.unit_code', [buildingCode]))
          .where('r.moved_out', 'is', null),
        ['name', 'id'],
      ).as('stays'),
    ])
    .executeTakeFirstOrThrow();
  return [row.building ?? undefined, row.units, row.stays] as const;
}

/**
 * The rows of `query` as one JSON array, ordered by some of its output columns inside the
 * aggregate (an ORDER BY in the subquery is not one json_agg must keep).
 */
function jsonRowsOrdered<Row>(query: Expression<Row>, orderBy: readonly (keyof Row & string)[]): RawBuilder<Row[]> {
  const order = sql.join(orderBy.map((column) => sql.ref(`listed.${column}`)));
  return sql<Row[]>`(SELECT coalesce(json_agg(listed ORDER BY ${order}), '[]') FROM (${query}) AS listed)`;
}
