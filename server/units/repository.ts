import { sql, type Kysely, type Updateable } from 'kysely';
import { writeCounted } from '../db/counted-writes.ts';
import type { DB, UnitCheckReason, UnitUse } from '../db/schema.ts';
import { selectStays } from '../person-data/repository.ts';

export async function findUnit(db: Kysely<DB>, code: string) {
  const row = await db
    .selectFrom('units as u')
    .innerJoin('buildings as b', 'b.code', 'u.building_code')
    .select([
      'u.code',
      'u.building_code',
      'u.floor',
      'u.room',
      'u.area_m2',
      'u.use',
      'u.rental_registered',
      'b.address',
      'b.grid_code',
      'b.status as building_status',
      (eb) =>
        eb
          .selectFrom('residencies as r')
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

/** Everyone who lived in the unit, newest stay first. */
export async function unitStays(db: Kysely<DB>, unitCode: string) {
  return selectStays(db).where('r.unit_code', '=', unitCode).orderBy('r.moved_in', 'desc').orderBy('r.id', 'desc').execute();
}

export async function hasCurrentOccupant(db: Kysely<DB>, unitCode: string): Promise<boolean> {
  const row = await db.selectFrom('residencies').select('id').where('unit_code', '=', unitCode).where('moved_out', 'is', null).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The use the unit takes from its new occupants; flagged for the collector's visit. */
export async function setUseAfterMoveIn(db: Kysely<DB>, unitCode: string, use: UnitUse, toCheck: UnitCheckReason, since: string): Promise<void> {
  await updateCountedUnit(db, unitCode, { use, rental_registered: false, to_check: toCheck, to_check_since: since });
}

/** The flag alone: nothing the figures count changes, so nothing is recounted. */
export async function flagEmptied(db: Kysely<DB>, unitCode: string, since: string): Promise<void> {
  await db.updateTable('units').set({ to_check: 'emptied', to_check_since: since }).where('code', '=', unitCode).execute();
}

/** Updates one unit and recounts what the update changed in its grid's figures (the units carry no trigger, sql/0046). */
async function updateCountedUnit(db: Kysely<DB>, unitCode: string, values: Updateable<DB['units']>): Promise<void> {
  await writeCounted(db, 'units', [unitCode], () => db.updateTable('units').set(values).where('code', '=', unitCode).execute());
}

export async function lockUnitCheck(db: Kysely<DB>, unitCode: string) {
  return db.selectFrom('units').select(['use', 'to_check', 'to_check_since']).where('code', '=', unitCode).forUpdate().executeTakeFirst();
}

/** The use found on a visit; the flag is cleared. A unit found no longer let is no longer a registered rental either. */
export async function recordFoundUse(db: Kysely<DB>, unitCode: string, use: UnitUse): Promise<void> {
  const rental = use === 'rented' ? {} : { rental_registered: false };
  await updateCountedUnit(db, unitCode, { use, to_check: null, to_check_since: null, ...rental });
}
