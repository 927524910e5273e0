import { sql, type Kysely } from 'kysely';
import type { DB, PersonCategory } from '../../server/db/schema.ts';
import { withCheckCharacter } from '../../server/domain/id-number.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity } from './fixture-city.ts';
import { noteShapesWritten } from '../../server/db/data-version.ts';
import { insertCounted, insertStays, writeCases, writeCounted, writeUnitsOf } from './hand-edits.ts';
import { streetCodeOf } from '../../server/domain/codes.ts';

/**
 * The fixture city (tests/helpers/fixture-city.ts) plus what grid analytics counts: a second
 * community with one grid and a rental building, people with dated stays and permits, and
 * cases. Every number a test expects is counted by hand from the tables below.
 *
 * Grids: West 44030700100101 (westHouse: 6 rented units 101…302; westShop: 1 shop),
 *        East 44030700100102 (eastHouse: 2 self-occupied units 101, 201),
 *        North 44030700100201 in community 440307001002 (northHouse: 2 rented units 101, 102).
 */
export const ANALYTICS = {
  northCommunity: '440307001002',
  northGrid: '44030700100201',
  northHouse: '4403070010020100001',
  /** First day the tests keep per day (refresh_grid_stats(historyFrom)). */
  historyFrom: '2024-01-01',
} as const;

const W = FIXTURE.westHouse;
const E = FIXTURE.eastHouse;
const N = ANALYTICS.northHouse;

interface StaySpec {
  unit: string;
  movedIn: string;
  registeredAt: string;
  movedOut?: string;
}
interface PermitSpec {
  issued: string;
  expires: string;
  revoked?: string;
  status?: 'valid' | 'renewed' | 'revoked';
}
interface PersonSpec {
  category: PersonCategory;
  stays: StaySpec[];
  permits?: PermitSpec[];
}

const stay = (unit: string, movedIn: string, registeredAt: string, movedOut?: string): StaySpec => ({ unit, movedIn, registeredAt, movedOut });

export const PEOPLE: Record<string, PersonSpec> = {
  W1: { category: 'floating', stays: [stay(fixtureUnitCode(W, 1, 1), '2025-01-10', '2025-01-12')], permits: [{ issued: '2025-03-01', expires: '2026-02-28' }] },
  W2: { category: 'floating', stays: [stay(fixtureUnitCode(W, 1, 1), '2025-02-01', '2025-02-20', '2025-06-01')] },
  W3: {
    category: 'floating',
    stays: [stay(fixtureUnitCode(W, 1, 2), '2025-03-01', '2025-03-05')],
    permits: [{ issued: '2025-04-01', expires: '2027-03-31', revoked: '2025-09-01', status: 'revoked' }],
  },
  W4: { category: 'floating', stays: [stay(fixtureUnitCode(W, 2, 1), '2025-05-01', '2025-05-03')] },
  W5: { category: 'floating', stays: [stay(fixtureUnitCode(W, 2, 2), '2025-05-20', '2025-07-01')] },
  W6: {
    category: 'floating',
    stays: [stay(fixtureUnitCode(W, 3, 1), '2024-06-01', '2024-06-02')],
    permits: [
      { issued: '2024-09-01', expires: '2025-08-31', status: 'renewed' },
      { issued: '2025-08-15', expires: '2028-08-14' },
    ],
  },
  W7: { category: 'lodging', stays: [stay(fixtureUnitCode(W, 3, 2), '2024-01-15', '2024-01-15')] },
  W8: { category: 'overseas', stays: [stay(fixtureUnitCode(W, 3, 2), '2025-04-10', '2025-04-11', '2025-10-01')] },
  E1: { category: 'registered', stays: [stay(fixtureUnitCode(E, 1, 1), '2020-05-01', '2020-05-01')] },
  E2: { category: 'registered', stays: [stay(fixtureUnitCode(E, 1, 1), '2020-05-01', '2020-05-01')] },
  E3: { category: 'registered', stays: [stay(fixtureUnitCode(E, 2, 1), '2024-02-01', '2024-02-01')] },
  E4: { category: 'floating', stays: [stay(fixtureUnitCode(E, 2, 1), '2025-06-15', '2025-06-16')] },
  // Moved from West to East on 2025-04-30: counted in West up to 04-29, in East from 04-30.
  E5: {
    category: 'floating',
    stays: [stay(fixtureUnitCode(W, 2, 1), '2024-03-01', '2024-03-02', '2025-04-30'), stay(fixtureUnitCode(E, 2, 1), '2025-04-30', '2025-05-02')],
  },
  N1: { category: 'floating', stays: [stay(fixtureUnitCode(N, 1, 1), '2025-01-01', '2025-01-01')] },
};

interface CaseSpec {
  kind: 'criminal' | 'public_order';
  category: string;
  occurredAt: string;
  point: [number, number];
  grid?: string;
  building?: string;
  unit?: string;
}

/** Local dates (UTC+8): C4 happened 2025-05-01 00:30 local, still 2025-04-30 in UTC. */
export const CASES: Record<string, CaseSpec> = {
  C1: {
    kind: 'criminal',
    category: 'theft',
    occurredAt: '2025-05-10T10:00:00+08:00',
    point: [114.203, 22.703],
    grid: FIXTURE.gridWest,
    building: W,
    unit: fixtureUnitCode(W, 1, 1),
  },
  // No grid code: it belongs to its building's grid (West). The shop building has no rented unit.
  C2: { kind: 'public_order', category: 'fight', occurredAt: '2025-05-20T12:00:00+08:00', point: [114.207, 22.707], building: FIXTURE.westShop },
  C3: { kind: 'criminal', category: 'burglary', occurredAt: '2025-06-10T09:00:00+08:00', point: [114.215, 22.705], grid: FIXTURE.gridEast, building: E },
  C4: { kind: 'public_order', category: 'noise', occurredAt: '2025-04-30T16:30:00Z', point: [114.205, 22.701], grid: FIXTURE.gridWest },
  // Neither grid nor building: counted nowhere.
  C5: { kind: 'criminal', category: 'theft', occurredAt: '2025-05-15T10:00:00+08:00', point: [114.204, 22.704] },
  // Building only, and the building has rented units: in rental housing.
  C6: { kind: 'criminal', category: 'theft', occurredAt: '2025-07-01T10:00:00+08:00', point: [114.203, 22.703], grid: FIXTURE.gridWest, building: W },
};

let idSequence = 0;
/** A valid GB 11643 number, different on every call (birth date 1990-01-01, Shenzhen division). */
export function nextIdNumber(): string {
  idSequence += 1;
  return withCheckCharacter(`44030719900101${String(idSequence % 1000).padStart(3, '0')}`);
}

/** A person without a stay yet; their insert moves the data version as a writer of persons does (sql/0049). */
export async function insertPerson(db: Kysely<DB>, category: PersonCategory, label: string): Promise<number> {
  const overseas = category === 'overseas';
  const [personId] = await insertCounted(db, 'persons', async (trx) => {
    const row = await trx
      .insertInto('persons')
      .values({
        id_type: overseas ? 'passport' : 'id_card',
        id_number: overseas ? `P${String(100000 + (idSequence += 1))}` : nextIdNumber(),
        nationality: overseas ? 'USA' : 'CHN',
        name: label,
        sex: 'M',
        birth_date: '1990-01-01',
        ethnicity: null,
        hukou_address: null,
        phone: null,
        category,
        floating_type: null,
        employer: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return [row.id];
  });
  return personId!;
}

export async function insertStay(db: Kysely<DB>, personId: number, spec: StaySpec): Promise<number> {
  const [stayId] = await insertStays(db, [{ personId, unitCode: spec.unit, movedIn: spec.movedIn, registeredAt: spec.registeredAt, movedOut: spec.movedOut }]);
  return stayId!;
}

export async function insertPermit(db: Kysely<DB>, personId: number, spec: PermitSpec, number: string): Promise<void> {
  const years = Number(spec.expires.slice(0, 4)) - Number(spec.issued.slice(0, 4)) || 1;
  // Counted by its writer (the permits carry no trigger, sql/0048).
  await insertCounted(db, 'permits', async (trx) => {
    const permit = await trx
      .insertInto('permits')
      .values({
        person_id: personId,
        permit_no: number,
        issued_on: spec.issued,
        expires_on: spec.expires,
        years,
        status: spec.status ?? 'valid',
        revoked_on: spec.revoked ?? null,
        renewed_from: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return [permit.id];
  });
}

async function insertNorthCommunity(db: Kysely<DB>): Promise<void> {
  const north = 'MULTIPOLYGON(((114.2 22.71,114.22 22.71,114.22 22.72,114.2 22.72,114.2 22.71)))';
  await sql`INSERT INTO admin_areas (code, level, parent_code, name, geom)
            VALUES (${ANALYTICS.northCommunity}, 'community', ${FIXTURE.street}, '北社区', ST_GeomFromText(${north}, 4326))`.execute(db);
  await sql`INSERT INTO grids (code, community_code, name, geom, area_km2)
            VALUES (${ANALYTICS.northGrid}, ${ANALYTICS.northCommunity}, '北网格', ST_GeomFromText(${north}, 4326),
                    ST_Area(ST_GeomFromText(${north}, 4326)::geography) / 1e6)`.execute(db);
  await noteShapesWritten(db); // the shapes carry no trigger (sql/0044)
  await writeCounted(db, 'buildings', [N], (trx) =>
    sql`INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, point)
            VALUES (${N}, left(${N}, 9), ${ANALYTICS.northGrid}, '北路1号', 1, 'urban_village', 'patrol', ST_SetSRID(ST_MakePoint(114.21, 22.715), 4326))`.execute(
      trx,
    ),
  );
  await writeUnitsOf(db, [N], (trx) =>
    trx
      .insertInto('units')
      .values(
        [1, 2].map((room) => ({
          code: fixtureUnitCode(N, 1, room),
          building_code: N,
          street_code: streetCodeOf(N),
          floor: 1,
          room: `10${room}`,
          area_m2: 20,
          use: 'rented' as const,
          rental_registered: true,
          landlord_name: null,
        })),
      )
      .execute(),
  );
}

export interface AnalyticsCity {
  personIds: Record<string, number>;
}

/**
 * Builds the city. The kept window is pinned first (refresh_grid_stats on the empty city), so
 * every figure the tests read was maintained by the triggers as people and cases were added.
 */
export async function insertAnalyticsCity(db: Kysely<DB>): Promise<AnalyticsCity> {
  await insertFixtureCity(db);
  await insertNorthCommunity(db);
  await sql`SELECT refresh_grid_stats(${ANALYTICS.historyFrom}::date)`.execute(db);
  await writeCounted(db, 'buildings', [W], (trx) => trx.updateTable('buildings').set({ responsibility_letter_signed: true }).where('code', '=', W).execute());
  await writeUnitsOf(db, [W], (trx) =>
    trx
      .updateTable('units')
      .set({ rental_registered: false })
      .where('code', '=', fixtureUnitCode(W, 3, 2))
      .execute(),
  );
  const personIds: Record<string, number> = {};
  for (const [label, spec] of Object.entries(PEOPLE)) {
    const personId = await insertPerson(db, spec.category, label);
    personIds[label] = personId;
    for (const stayed of spec.stays) await insertStay(db, personId, stayed);
    for (const [index, permit] of (spec.permits ?? []).entries()) await insertPermit(db, personId, permit, `JZZ-${label}-${index}`);
  }
  for (const [caseNo, spec] of Object.entries(CASES)) {
    await writeCases(
      db,
      sql`INSERT INTO cases (case_no, kind, category, occurred_at, point, grid_code, building_code, unit_code)
          VALUES (${caseNo}, ${spec.kind}, ${spec.category}, ${spec.occurredAt}::timestamptz, ST_SetSRID(ST_MakePoint(${spec.point[0]}, ${spec.point[1]}), 4326),
                  ${spec.grid ?? null}, ${spec.building ?? null}, ${spec.unit ?? null})
          RETURNING case_grid(grid_code, building_code) AS grid`,
    );
  }
  return { personIds };
}

/** Area of a grid as stored (computed by PostGIS from the geometry when the fixture was built). */
export async function gridArea(db: Kysely<DB>, code: string): Promise<number> {
  const row = await db.selectFrom('grids').select('area_km2').where('code', '=', code).executeTakeFirstOrThrow();
  return row.area_km2;
}

/** One KPI card as GET /api/kpis answers it (the fields the KPI tests read). */
export interface KpiAnswer {
  key: string;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  target: number | null;
  available: boolean;
  suppressed?: boolean;
  definition: string;
  time: Record<string, unknown>;
}
