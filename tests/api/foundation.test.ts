import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../server/db/migrator.ts';
import { countCityRows } from '../../server/health/repository.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { ENGINE_UNDER_TEST } from '../helpers/database.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { insertStays } from '../helpers/hand-edits.ts';
import { streetCodeOf } from '../../server/domain/codes.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  for (const role of ['leader', 'planner', 'police', 'admin', 'auditor'] as const) await insertUser(t.handle.db, role, role);
  await insertUser(t.handle.db, 'collector', 'collector', [FIXTURE.gridWest]);
});
afterAll(async () => t?.close());

describe('health and start-up', () => {
  it('reports engine, PostGIS version and counts without login', async () => {
    const response = await request(t.app).get('/api/health').expect(200);
    expect(response.body).toMatchObject({ status: 'ok', database: { engine: ENGINE_UNDER_TEST }, counts: { buildings: 3, units: 9, persons: 0 } });
    expect(response.body.database.postgis).toMatch(/^3\.\d+/);
    expect(response.body.estimatedCounts).toEqual([]);
  });

  it('counts small tables exactly and reports the planner estimate past the limit, saying which', async () => {
    await sql`ANALYZE units`.execute(t.handle.db);
    // A limit of 5 stands in for the 10,000 of the probe: the 3 buildings are counted, the 9 units estimated.
    const counted = await countCityRows(t.handle.db, 5);
    expect(counted.buildings).toEqual({ rows: 3, precision: 'exact' });
    expect(counted.units).toEqual({ rows: 9, precision: 'estimate' });
    // A stale estimate never reports fewer rows than the bounded scan saw.
    await sql`UPDATE pg_class SET reltuples = 1 WHERE oid = 'units'::regclass`.execute(t.handle.db);
    expect((await countCityRows(t.handle.db, 5)).units).toEqual({ rows: 6, precision: 'estimate' });
    await sql`ANALYZE units`.execute(t.handle.db);
  });

  it('scans no table whose estimate is past the limit (health answers in milliseconds at any scale)', async () => {
    await sql`ANALYZE units`.execute(t.handle.db);
    // This backend's table reads not yet flushed to the statistics views, before and after the probe.
    const scans = await t.handle.db.transaction().execute(async (trx) => {
      const tableReads = async () => {
        const { rows } = await sql<{ relname: string; scans: number }>`
          SELECT relname, (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::int AS scans
          FROM pg_stat_xact_user_tables WHERE relname IN ('buildings', 'units')`.execute(trx);
        return new Map(rows.map((row) => [row.relname, row.scans]));
      };
      const before = await tableReads();
      await countCityRows(trx, 5);
      const after = await tableReads();
      return Object.fromEntries(['buildings', 'units'].map((table) => [table, after.get(table)! - before.get(table)!]));
    });
    // The 3 buildings are counted (one bounded scan); the units' estimate (9) is past 5: not scanned.
    expect(scans).toEqual({ buildings: 1, units: 0 });
  });

  it('detects vector-tile support: native on PostGIS, absent in the embedded build', () => {
    expect(t.context.capabilities.nativeVectorTiles).toBe(ENGINE_UNDER_TEST === 'postgres');
  });

  it('re-running migrations applies nothing', async () => {
    expect(await migrateToLatest(t.handle.db)).toEqual([]);
  });
});

describe('login and sessions', () => {
  it('logs in, reports the user, and refuses anonymous calls', async () => {
    await request(t.app)
      .get('/api/buildings/' + FIXTURE.westHouse)
      .expect(401);
    const police = await t.logIn('police');
    const me = await police.get('/api/auth/me').expect(200);
    expect(me.body.user).toMatchObject({ username: 'police', role: 'police' });
  });

  it('says "nobody signed in" as a state (200, user null), and who is once they are', async () => {
    const anonymous = await request(t.app).get('/api/auth/session').expect(200);
    expect(anonymous.body).toEqual({ user: null });
    const garbled = await request(t.app).get('/api/auth/session').set('Cookie', 'renwu_session=not-a-session').expect(200);
    expect(garbled.body).toEqual({ user: null });
    const leader = await t.logIn('leader');
    const session = await leader.get('/api/auth/session').expect(200);
    expect(session.body.user).toMatchObject({ username: 'leader', role: 'leader', mustChangePassword: false });
    expect(session.body.csrfToken).toEqual(expect.any(String));
    await leader.post('/api/auth/logout').expect(204);
    expect((await leader.get('/api/auth/session').expect(200)).body).toEqual({ user: null });
  });

  it('sets an httpOnly SameSite cookie and never echoes the password', async () => {
    const response = await request(t.app).post('/api/auth/login').send({ username: 'leader', password: FIXTURE.password }).expect(200);
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(JSON.stringify(response.body)).not.toContain(FIXTURE.password);
  });

  it('rejects a wrong password with 401 and a missing field with 400 naming it', async () => {
    const wrong = await request(t.app).post('/api/auth/login').send({ username: 'leader', password: 'nope' }).expect(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    const missing = await request(t.app).post('/api/auth/login').send({ username: 'leader' }).expect(400);
    expect(missing.body.error.details.fields[0].field).toBe('password');
  });

  it('requires the CSRF header for cookie-authenticated writes', async () => {
    const agent = request.agent(t.app);
    await agent.post('/api/auth/login').send({ username: 'planner', password: FIXTURE.password }).expect(200);
    const refused = await agent.post('/api/auth/logout').expect(403);
    expect(refused.body.error.code).toBe('csrf');
  });

  it('logs out: the cookie no longer works', async () => {
    const auditor = await t.logIn('auditor');
    await auditor.post('/api/auth/logout').expect(204);
    await auditor.get('/api/auth/me').expect(401);
  });

  it('refuses demo accounts when NODE_ENV=production', async () => {
    await t.handle.db.updateTable('users').set({ is_demo: true }).where('username', '=', 'admin').execute();
    const production = await startTestAppSharingDatabase({ NODE_ENV: 'production' });
    const response = await request(production).post('/api/auth/login').send({ username: 'admin', password: FIXTURE.password }).expect(403);
    expect(response.body.error.code).toBe('demo_account_disabled');
  });
});

describe('buildings and units by code', () => {
  it('returns a building with its unit count', async () => {
    const police = await t.logIn('police');
    const response = await police.get('/api/buildings/' + FIXTURE.westHouse).expect(200);
    expect(response.body).toMatchObject({ code: FIXTURE.westHouse, gridCode: FIXTURE.gridWest, floors: 3, use: 'urban_village', unitCount: 6 });
    expect(response.body.point[0]).toBeCloseTo(114.203, 6);
  });

  it('answers 400 invalid_building_code naming the bad part, and 404 for an unknown code', async () => {
    const leader = await t.logIn('leader');
    const bad = await leader.get('/api/buildings/4403070000010100001').expect(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_building_code', details: { part: 'street' } });
    expect(bad.body.error.message).toMatch(/street part/);
    const short = await leader.get('/api/buildings/123').expect(400);
    expect(short.body.error.message).toMatch(/19 digits/);
    await leader.get('/api/buildings/4403070010010100099').expect(404);
  });

  it('returns a unit, 400 invalid_unit_code for a malformed one, 404 for an unknown one', async () => {
    const police = await t.logIn('police');
    const code = fixtureUnitCode(FIXTURE.westHouse, 2, 1);
    const unit = await police.get('/api/units/' + code).expect(200);
    expect(unit.body).toMatchObject({ code, buildingCode: FIXTURE.westHouse, floor: 2, room: '201', use: 'rented', currentOccupants: 0 });
    const bad = await police.get('/api/units/44030700100101000010000X1').expect(400);
    expect(bad.body.error.code).toBe('invalid_unit_code');
    await police.get('/api/units/4403070010010100001999999').expect(404);
  });

  it('hides buildings outside a collector’s grid as not found', async () => {
    const collector = await t.logIn('collector');
    await collector.get('/api/buildings/' + FIXTURE.westHouse).expect(200);
    await collector.get('/api/buildings/' + FIXTURE.eastHouse).expect(404);
    await collector.get('/api/units/' + fixtureUnitCode(FIXTURE.eastHouse, 1, 1)).expect(404);
  });

  it('serves footprints inside a bbox and validates the bbox', async () => {
    const leader = await t.logIn('leader');
    const west = await leader.get('/api/buildings.geojson?bbox=114.2,22.7,114.21,22.71').expect(200);
    expect(west.body.features.map((feature: { id: string }) => feature.id).sort()).toEqual([FIXTURE.westHouse, FIXTURE.westShop]);
    expect(west.body.truncated).toBe(false);
    const capped = await leader.get('/api/buildings.geojson?limit=1').expect(200);
    expect(capped.body).toMatchObject({ truncated: true });
    const bad = await leader.get('/api/buildings.geojson?bbox=114.3,22.7,114.2,22.71').expect(400);
    expect(bad.body.error.message).toMatch(/bbox/);
  });
});

describe('areas', () => {
  it.each([
    ['district', [FIXTURE.district]],
    ['street', [FIXTURE.street]],
    ['community', [FIXTURE.community]],
    ['grid', [FIXTURE.gridWest, FIXTURE.gridEast]],
  ])('returns %s areas as a GeoJSON FeatureCollection', async (level, codes) => {
    const planner = await t.logIn('planner');
    const response = await planner.get(`/api/areas?level=${level}`).expect(200);
    expect(response.headers['content-type']).toMatch(/geo\+json/);
    expect(response.body.type).toBe('FeatureCollection');
    expect(response.body.features.map((feature: { properties: { code: string } }) => feature.properties.code)).toEqual(codes);
    expect(response.body.features[0].geometry.type).toBe('MultiPolygon');
  });

  it('rejects an unknown level with a message naming the field', async () => {
    const planner = await t.logIn('planner');
    const response = await planner.get('/api/areas?level=province').expect(400);
    expect(response.body.error.details.fields[0].field).toBe('level');
  });
});

describe('the schema refuses bad data on its own', () => {
  it.each([
    [
      'a building code of the wrong length',
      sql`INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, point)
       VALUES ('440307001001010001', '440307001', '44030700100101', 'x', 1, 'mixed', 'patrol', ST_SetSRID(ST_MakePoint(114.2, 22.7), 4326))`,
    ],
    [
      'a building outside its grid prefix',
      sql`INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, point)
       VALUES ('4403070010010200009', '440307001', '44030700100101', 'x', 1, 'mixed', 'patrol', ST_SetSRID(ST_MakePoint(114.2, 22.7), 4326))`,
    ],
    [
      'a building named in another street than its code’s (sql/0050: Citus will route on street_code)',
      sql`INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, point)
       VALUES ('4403070010010100099', '440307002', '44030700100101', 'x', 1, 'mixed', 'patrol', ST_SetSRID(ST_MakePoint(114.2, 22.7), 4326))`,
    ],
    [
      'a person with a wrong ID checksum',
      sql`INSERT INTO persons (id_type, id_number, name, sex, birth_date, category)
       VALUES ('id_card', '110105194912310021', '张三', 'F', '1949-12-31', 'registered')`,
    ],
    [
      'a person whose birth date disagrees with the ID',
      sql`INSERT INTO persons (id_type, id_number, name, sex, birth_date, category)
       VALUES ('id_card', '11010519491231002X', '张三', 'F', '1950-01-01', 'registered')`,
    ],
  ])('rejects %s', async (_what, statement) => {
    const before = await sql<{ n: number }>`SELECT (SELECT count(*) FROM buildings) + (SELECT count(*) FROM persons) AS n`.execute(t.handle.db);
    await expect(statement.execute(t.handle.db)).rejects.toThrow(/check constraint|violates/);
    const after = await sql<{ n: number }>`SELECT (SELECT count(*) FROM buildings) + (SELECT count(*) FROM persons) AS n`.execute(t.handle.db);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('allows at most one open residency per person', async () => {
    const person = await t.handle.db
      .insertInto('persons')
      .values({
        id_type: 'id_card',
        id_number: '11010519491231002X',
        name: '王芳',
        sex: 'F',
        birth_date: '1949-12-31',
        category: 'registered',
        ethnicity: null,
        hukou_address: null,
        phone: null,
        floating_type: null,
        employer: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const residency = (unit: string) => ({
      person_id: person.id,
      unit_code: unit,
      street_code: streetCodeOf(unit),
      moved_in: '2025-01-01',
      registered_at: '2025-01-02',
      moved_out: null,
      deregistered_at: null,
    });
    await insertStays(t.handle.db, [
      { personId: person.id, unitCode: fixtureUnitCode(FIXTURE.westHouse, 1, 1), movedIn: '2025-01-01', registeredAt: '2025-01-02' },
    ]);
    await expect(
      t.handle.db
        .insertInto('residencies')
        .values(residency(fixtureUnitCode(FIXTURE.westHouse, 1, 2)))
        .execute(),
    ).rejects.toThrow(/unique|duplicate/);
  });
});

function startTestAppSharingDatabase(environment: NodeJS.ProcessEnv) {
  return import('../../server/app.ts').then(async ({ createApp }) => {
    const { readConfig } = await import('../../server/config.ts');
    return createApp({ ...t.context, config: readConfig({ NODE_ENV: 'test', ...environment }) });
  });
}
