import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export async function findUnit(db: Kysely<DB>, code: string) {
  const row = await db
    .selectFrom('units as u')
    .innerJoin('buildings as b', 'b.code', 'u.building_code')
    .select([
      'u.code', 'u.building_code', 'u.floor', 'u.room', 'u.area_m2', 'u.use', 'u.rental_registered',
      'b.address', 'b.grid_code', 'b.status as building_status',
      (eb) =>
        eb.selectFrom('residencies as r')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('r.unit_code', '=', 'u.code')
          .where('r.moved_out', 'is', null)
          .as('current_occupants'),
    ])
    .where('u.code', '=', code)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    code: row.code,
    buildingCode: row.building_code,
    gridCode: row.grid_code,
    address: row.address,
    floor: row.floor,
    room: row.room,
    areaM2: row.area_m2,
    use: row.use,
    rentalRegistered: row.rental_registered,
    buildingStatus: row.building_status,
    currentOccupants: row.current_occupants ?? 0,
  };
}
