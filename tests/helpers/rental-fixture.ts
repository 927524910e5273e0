import { sql, type Kysely } from 'kysely';
import type { DB, Role, UnitUse } from '../../server/db/schema.ts';
import { monthsBetween, type CaseKind, type PersonFlag } from '../../server/domain/rental-scoring.ts';
import { withCheckCharacter } from '../../server/domain/id-number.ts';
import { FIXTURE, fixtureUnitCode, insertUser } from './fixture-city.ts';
import { insertStays, writeCases, writeCounted, writeUnitsOf } from './hand-edits.ts';
import { streetCodeOf } from '../../server/domain/codes.ts';

/**
 * Rental facts on top of the fixture city: extra one-room rental houses in the west grid
 * (building numbers from 00003 on), tenants, flags, cases and visits, each dated by hand.
 */
export function rentalHouseCode(number: number, gridCode: string = FIXTURE.gridWest): string {
  return gridCode + String(number).padStart(5, '0');
}

/** A one-floor house with one rented room (unit 000101) at a point inside the grid; returns its code. */
export async function insertRentalHouse(db: Kysely<DB>, number: number, gridCode: string = FIXTURE.gridWest): Promise<string> {
  return insertOneFloorHouse(db, number, gridCode, ['rented']);
}

/**
 * A one-floor house let separately (分租): rooms 101, 102, … with the given uses (a rented room is
 * also registered as a rental); returns its code.
 */
export async function insertOneFloorHouse(db: Kysely<DB>, number: number, gridCode: string, uses: UnitUse[]): Promise<string> {
  const code = rentalHouseCode(number, gridCode);
  const west = gridCode === FIXTURE.gridWest;
  const [lon, lat] = [(west ? 114.2 : 114.21) + number * 0.0005, 22.701];
  await writeCounted(db, 'buildings', [code], (trx) =>
    sql`INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, point)
            VALUES (${code}, left(${code}, 9), ${gridCode}, ${`出租屋${number}号`}, 1, 'urban_village', 'patrol', ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326))`.execute(
      trx,
    ),
  );
  await writeUnitsOf(db, [code], (trx) =>
    trx
      .insertInto('units')
      .values(
        uses.map((use, index) => ({
          code: fixtureUnitCode(code, 1, index + 1),
          building_code: code,
          street_code: streetCodeOf(code),
          floor: 1,
          room: String(101 + index),
          area_m2: 20,
          use,
          rental_registered: use === 'rented',
          landlord_name: null,
        })),
      )
      .execute(),
  );
  return code;
}

let nextSequence = 100;

/** A floating tenant of a unit; returns the person's id. */
export async function insertTenant(db: Kysely<DB>, unitCode: string, stay: { movedIn: string; registeredAt: string; movedOut?: string }): Promise<number> {
  nextSequence += 1;
  const person = await db
    .insertInto('persons')
    .values({
      id_type: 'id_card',
      id_number: withCheckCharacter(`44030719850101${String(nextSequence).padStart(3, '0')}`),
      name: `租客${nextSequence}`,
      sex: nextSequence % 2 ? 'M' : 'F',
      birth_date: '1985-01-01',
      ethnicity: null,
      hukou_address: null,
      phone: null,
      category: 'floating',
      floating_type: 'single',
      employer: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await insertStays(db, [
    { personId: person.id, unitCode, movedIn: stay.movedIn, registeredAt: stay.registeredAt, movedOut: stay.movedOut, deregisteredAt: stay.movedOut },
  ]);
  return person.id;
}

export async function insertPersonFlag(db: Kysely<DB>, personId: number, flag: PersonFlag, fromDate: string, toDate: string | null = null) {
  await db.insertInto('person_flags').values({ person_id: personId, flag, from_date: fromDate, to_date: toDate, created_by: null }).execute();
}

let nextCase = 1;

/**
 * A case at a building, or at one of its units when `unitCode` is given; `occurredAt` is an ISO
 * instant with its offset, e.g. '2024-03-10T10:00:00+08:00'.
 */
export async function insertCase(db: Kysely<DB>, buildingCode: string, kind: CaseKind, occurredAt: string, unitCode: string | null = null): Promise<number> {
  nextCase += 1;
  const [row] = await writeCases<{ id: number }>(
    db,
    sql`
    INSERT INTO cases (case_no, kind, category, occurred_at, point, grid_code, building_code, unit_code)
    SELECT ${`R${String(nextCase).padStart(6, '0')}`}, ${kind}, ${kind === 'criminal' ? '盗窃' : '噪音扰民'}, ${occurredAt}::timestamptz,
           point, grid_code, code, ${unitCode}
    FROM buildings WHERE code = ${buildingCode}
    RETURNING id, case_grid(grid_code, building_code) AS grid`,
  );
  return row!.id;
}

export interface Findings {
  role?: 'police' | 'collector';
  /** The unit visited; none: a visit to the whole building. */
  unitCode?: string;
  doorsOk?: boolean;
  hygieneGood?: boolean;
  neighboursGood?: boolean;
  tenantsRegistered?: boolean;
  clueGiven?: boolean;
}

/** A visit loaded directly (as a bulk load would), without an inspector user. */
export async function insertInspection(db: Kysely<DB>, buildingCode: string, visitedOn: string, findings: Findings): Promise<number> {
  const row = await db
    .insertInto('inspections')
    .values({
      building_code: buildingCode,
      street_code: streetCodeOf(buildingCode),
      unit_code: findings.unitCode ?? null,
      inspector_user_id: null,
      collector_id: null,
      inspector_role: findings.role ?? 'collector',
      visited_on: visitedOn,
      doors_ok: findings.doorsOk ?? null,
      hygiene_good: findings.hygieneGood ?? null,
      neighbours_good: findings.neighboursGood ?? null,
      tenants_registered: findings.tenantsRegistered ?? null,
      clue_given: findings.clueGiven ?? false,
      notes: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Stored tiers of one building, month → tier, in month order. */
export async function tiersOf(db: Kysely<DB>, buildingCode: string): Promise<Record<string, string>> {
  const rows = await db.selectFrom('rental_scores').select(['month', 'tier']).where('building_code', '=', buildingCode).orderBy('month').execute();
  return Object.fromEntries(rows.map((row) => [row.month.slice(0, 7), row.tier]));
}

/** Stored tiers of one household (let unit), month → tier, in month order. */
export async function householdTiersOf(db: Kysely<DB>, unitCode: string): Promise<Record<string, string>> {
  const rows = await db.selectFrom('rental_unit_scores').select(['month', 'tier']).where('unit_code', '=', unitCode).orderBy('month').execute();
  return Object.fromEntries(rows.map((row) => [row.month.slice(0, 7), row.tier]));
}

/** Month ('YYYY-MM') → tier for spans [first, last, tier] of months, both included. */
export function tiersBySpan(spans: [string, string, string][]): Record<string, string> {
  const months = ([first, last, tier]: [string, string, string]) => monthsBetween(`${first}-01`, `${last}-01`).map((month) => [month.slice(0, 7), tier]);
  return Object.fromEntries(spans.flatMap(months));
}

/** Who reads rental scores in these tests: police and a leader of the district, a collector of the east grid, an admin. */
export async function insertRentalUsers(db: Kysely<DB>): Promise<void> {
  const users: [string, Role, string[]][] = [
    ['police', 'police', [FIXTURE.district]],
    ['leader', 'leader', [FIXTURE.district]],
    ['east_collector', 'collector', [FIXTURE.gridEast]],
    ['admin', 'admin', []],
  ];
  for (const [username, role, jurisdiction] of users) await insertUser(db, username, role, jurisdiction);
}
