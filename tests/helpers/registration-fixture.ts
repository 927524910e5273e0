import { sql } from 'kysely';
import request from 'supertest';
import { withCheckCharacter } from '../../server/domain/id-number.ts';
import { addDays, chinaToday } from '../../server/domain/calendar.ts';
import { startTestApp, type LoggedIn, type TestApp, type TestAppOptions } from './app.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity, insertUser } from './fixture-city.ts';
import { writeCounted, writeUnitsOf } from './hand-edits.ts';
import { streetCodeOf } from '../../server/domain/codes.ts';

/**
 * The fixture city (tests/helpers/fixture-city.ts) plus what registration tests need: one user per
 * role, a collector for each grid, and a demolished building in the west grid with one unit.
 */
export const REGISTRATION = {
  demolished: '4403070010010100003',
  demolishedUnit: fixtureUnitCode('4403070010010100003', 1, 1),
  westUnit: (floor: number, room: number) => fixtureUnitCode(FIXTURE.westHouse, floor, room),
  eastUnit: (floor: number) => fixtureUnitCode(FIXTURE.eastHouse, floor, 1),
  westShopUnit: fixtureUnitCode(FIXTURE.westShop, 1, 1),
} as const;

export async function startRegistrationApp(options: TestAppOptions = {}): Promise<TestApp> {
  const t = await startTestApp({}, options);
  const db = t.handle.db;
  await insertFixtureCity(db);
  for (const role of ['leader', 'planner', 'police', 'admin', 'auditor'] as const) await insertUser(db, role, role);
  await insertUser(db, 'collector_west', 'collector', [FIXTURE.gridWest]);
  await insertUser(db, 'collector_east', 'collector', [FIXTURE.gridEast]);
  await writeCounted(db, 'buildings', [REGISTRATION.demolished], (trx) =>
    sql`INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, status, point)
            VALUES (${REGISTRATION.demolished}, left(${REGISTRATION.demolished}, 9), ${FIXTURE.gridWest}, '测试路3号', 1, 'urban_village', 'patrol', 'demolished',
                    ST_SetSRID(ST_MakePoint(114.205, 22.705), 4326))`.execute(trx),
  );
  await writeUnitsOf(db, [REGISTRATION.demolished], (trx) =>
    trx
      .insertInto('units')
      .values({
        code: REGISTRATION.demolishedUnit,
        building_code: REGISTRATION.demolished,
        street_code: streetCodeOf(REGISTRATION.demolished),
        floor: 1,
        room: '101',
        area_m2: 20,
        use: 'vacant',
        landlord_name: null,
      })
      .execute(),
  );
  return t;
}

/** Dates relative to the server's "today" (China time), as the HTTP routes see it. */
export const today = () => chinaToday();
export const daysAgo = (days: number) => addDays(chinaToday(), -days);

/** A valid 18-character ID: Shenzhen Bao'an division 440306, the birth date, a sequence (odd = male). */
export function idCard(birthDate: string, sequence: number): string {
  return withCheckCharacter(`440306${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`);
}

/** The birth date of someone `years` old today (born on this day `years` ago, minus `extraDays`). */
export function bornYearsAgo(years: number, extraDays = 0): string {
  const now = chinaToday();
  return addDays(`${Number(now.slice(0, 4)) - years}${now.slice(4)}`, -extraDays);
}

/** A floating adult as a move-in form would send them. */
export function floatingAdult(idNumber: string, name: string, extra: Record<string, unknown> = {}) {
  return { idType: 'id_card', idNumber, name, category: 'floating', floatingType: 'family', phone: '13800138000', ...extra };
}

const sessions = new WeakMap<TestApp, Map<string, Promise<LoggedIn>>>();

/** One session per user and app, reused: password hashing makes a login cost ~100 ms. */
export function signedIn(t: TestApp, username: string): Promise<LoggedIn> {
  const byUser = sessions.get(t) ?? new Map<string, Promise<LoggedIn>>();
  sessions.set(t, byUser);
  if (!byUser.has(username)) byUser.set(username, t.logIn(username));
  return byUser.get(username)!;
}

/** A logged-in agent that can also PATCH (the shared helper only does GET and POST). */
export async function logInWithPatch(t: TestApp, username: string) {
  const agent = request.agent(t.app);
  const login = await agent.post('/api/auth/login').send({ username, password: FIXTURE.password }).expect(200);
  const csrf: string = login.body.csrfToken;
  return { patch: (url: string, body: object) => agent.patch(url).set('X-CSRF-Token', csrf).send(body) };
}

/** Row counts that a rejected request must leave as they were. */
export async function countRows(t: TestApp) {
  const result = await sql<{ persons: number; residencies: number; permits: number; open: number }>`
    SELECT (SELECT count(*) FROM persons)::int AS persons, (SELECT count(*) FROM residencies)::int AS residencies,
           (SELECT count(*) FROM permits)::int AS permits, (SELECT count(*) FROM residencies WHERE moved_out IS NULL)::int AS open`.execute(t.handle.db);
  return result.rows[0]!;
}
