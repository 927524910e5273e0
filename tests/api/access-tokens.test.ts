import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';

// Personal access tokens (issue 22 item 7): what a GIS client sends instead of a session cookie.
let t: TestApp;
let westLeader: LoggedIn;
let planner: LoggedIn;

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'west-leader', 'leader', [FIXTURE.gridWest]);
  await insertUser(t.handle.db, 'planner', 'planner');
  westLeader = await t.logIn('west-leader');
  planner = await t.logIn('planner');
});
afterAll(async () => t?.close());

/** A request with the token only: no cookie, as QGIS or GDAL sends it. */
const withToken = (token: string, url: string) => request(t.app).get(url).set('Authorization', `Bearer ${token}`);

async function newToken(agent: LoggedIn, name = 'QGIS', expiresInDays?: number): Promise<{ id: number; token: string }> {
  const response = await agent.post('/api/auth/tokens', { name, ...(expiresInDays ? { expiresInDays } : {}) }).expect(201);
  return response.body;
}

const auditRows = (action: string) =>
  t.handle.db.selectFrom('audit_log').select(['username', 'target_id', 'details']).where('action', '=', action).orderBy('id').execute();

describe('personal access tokens', () => {
  it('creates a token shown once, lists it without the token, keeps only its hash, and audits the creation', async () => {
    const created = await westLeader.post('/api/auth/tokens', { name: 'QGIS 办公室', expiresInDays: 30 }).expect(201);
    expect(created.body.token).toMatch(/^rw_[A-Za-z0-9_-]{43}$/);
    const days = (Date.parse(created.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const listed = await westLeader.get('/api/auth/tokens').expect(200);
    expect(listed.body.tokens[0]).toMatchObject({ id: created.body.id, name: 'QGIS 办公室', lastUsedAt: null, revokedAt: null });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    const stored = await sql<{ found: number }>`SELECT count(*)::int AS found FROM access_tokens WHERE token_hash = ${created.body.token}`.execute(t.handle.db);
    expect(stored.rows[0]!.found).toBe(0);
    const audit = await auditRows('token_create');
    expect(audit.at(-1)).toMatchObject({ username: 'west-leader', target_id: String(created.body.id) });
    expect(JSON.stringify(audit)).not.toContain(created.body.token);
    // Another user's list does not show it.
    expect((await planner.get('/api/auth/tokens').expect(200)).body.tokens).toEqual([]);
  });

  it("reads OGC features, tiles, TileJSON and layer exports with the token, cut to the user's jurisdiction, each use audited", async () => {
    const { id, token } = await newToken(westLeader);
    const grids = await withToken(token, '/ogc/collections/grids/items').expect(200);
    expect(grids.body.features.map((feature: { id: string }) => feature.id)).toEqual([FIXTURE.gridWest]);
    await withToken(token, '/tiles/grids.json').expect(200);
    await withToken(token, '/tiles/grids/13/6694/3565.mvt').expect(200);
    const exported = await withToken(token, '/api/exports/grids?format=csv').expect(200);
    expect(exported.text).toContain(FIXTURE.gridWest);
    expect(exported.text).not.toContain(FIXTURE.gridEast);
    const uses = (await auditRows('token_use')).filter((row) => row.target_id === String(id));
    expect(uses.map((row) => (row.details as { path: string }).path)).toEqual([
      '/ogc/collections/grids/items',
      '/tiles/grids.json',
      '/tiles/grids/13/6694/3565.mvt',
      '/api/exports/grids',
    ]);
    expect(uses.every((row) => row.username === 'west-leader')).toBe(true);
    const listed = await westLeader.get('/api/auth/tokens').expect(200);
    expect(listed.body.tokens.find((row: { id: number }) => row.id === id).lastUsedAt).not.toBeNull();
  });

  it('never writes and never reads outside the GIS routes', async () => {
    const { token } = await newToken(planner);
    const people = await withToken(token, '/api/kpis?within=440307').expect(401);
    expect(people.body.error.code).toBe('token_not_accepted');
    const write = await request(t.app).post('/api/auth/tokens').set('Authorization', `Bearer ${token}`).send({ name: 'x' }).expect(401);
    expect(write.body.error.code).toBe('token_not_accepted');
    const malformed = await request(t.app).get('/ogc/collections/grids/items').set('Authorization', token).expect(401);
    expect(malformed.body.detail).toMatch(/Bearer/); // an RFC 7807 problem under /ogc
  });

  it('stops working when revoked, expired, or its account is disabled', async () => {
    const revoked = await newToken(planner, 'revoked');
    await withToken(revoked.token, '/ogc/collections/grids/items').expect(200);
    await planner.send('delete', `/api/auth/tokens/${revoked.id}`).expect(204);
    // Under /ogc the error is an RFC 7807 problem: its code is a top-level member.
    expect((await withToken(revoked.token, '/ogc/collections/grids/items').expect(401)).body.code).toBe('invalid_token');
    expect((await auditRows('token_revoke')).at(-1)).toMatchObject({ username: 'planner', target_id: String(revoked.id) });

    const expired = await newToken(planner, 'expired');
    await sql`UPDATE access_tokens SET expires_at = now() - interval '1 second' WHERE id = ${expired.id}`.execute(t.handle.db);
    await withToken(expired.token, '/ogc/collections/grids/items').expect(401);

    await insertUser(t.handle.db, 'leaving', 'planner');
    const leaving = await t.logIn('leaving');
    const disabled = await newToken(leaving, 'disabled');
    await sql`UPDATE users SET disabled = true WHERE username = 'leaving'`.execute(t.handle.db);
    await withToken(disabled.token, '/ogc/collections/grids/items').expect(401);
    await withToken('rw_nonsense', '/ogc/collections/grids/items').expect(401);
  });

  it('lets a user revoke only their own tokens', async () => {
    const mine = await newToken(westLeader, 'mine');
    await planner.send('delete', `/api/auth/tokens/${mine.id}`).expect(404);
    await withToken(mine.token, '/ogc/collections/grids/items').expect(200);
  });

  it.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(61) }, 'name'],
    [{ name: 'QGIS', expiresInDays: 0 }, 'expiresInDays'],
    [{ name: 'QGIS', expiresInDays: 366 }, 'expiresInDays'],
    [{ name: 'QGIS', expiresInDays: '30' }, 'expiresInDays'],
  ])('refuses the body %j naming %s', async (body, field) => {
    const response = await planner.post('/api/auth/tokens', body).expect(400);
    expect(response.body.error.details.fields.map((problem: { field: string }) => problem.field)).toEqual([field]);
  });
});
