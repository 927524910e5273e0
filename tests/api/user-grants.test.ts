import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { urlPathOf } from '../../server/http/route-registry.ts';
import { apiRoutes } from '../../server/routes.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';

/**
 * Separation of duties (issue 14, item 9, 等保 三员分立), replayed: one administrator created a
 * police account with a password of their choosing, logged in as it and read people. Now a role
 * that reads person data (or approves grants), or a wider jurisdiction for one, waits for a second
 * administrator; and a password an administrator set must be changed before anything else.
 */
const TEMPORARY = 'temporary-password-2026';
const OWN = 'my-own-password-2026';
const WEST_UNIT = fixtureUnitCode(FIXTURE.westHouse, 1, 1);
const OCCUPANTS = `/api/units/${WEST_UNIT}/occupants?purpose=${encodeURIComponent('核查')}`;

let t: TestApp;
let admin: LoggedIn;
let secondAdmin: LoggedIn;

const newPolice = (username: string, jurisdiction = [FIXTURE.community]) => ({
  username,
  displayName: '王警官',
  role: 'police',
  jurisdiction,
  temporaryPassword: TEMPORARY,
});

const loginAnswer = (username: string, password: string) => request(t.app).post('/api/auth/login').send({ username, password });

async function userId(username: string): Promise<number> {
  return (await t.handle.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;
}

/** Logs in with the temporary password and replaces it, as the web app makes the user do. */
async function firstLogin(username: string): Promise<LoggedIn> {
  const session = await t.logIn(username, TEMPORARY);
  await session.post('/api/auth/password', { currentPassword: TEMPORARY, newPassword: OWN }).expect(204);
  return session;
}

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'admin', 'admin');
  await insertUser(t.handle.db, 'admin2', 'admin');
  await insertUser(t.handle.db, 'auditor', 'auditor');
  await insertUser(t.handle.db, 'planner', 'planner');
  admin = await t.logIn('admin');
  secondAdmin = await t.logIn('admin2');
});
afterAll(async () => t?.close());

describe('an admin-created police account', () => {
  let grantId: number;

  it('is created waiting for a second administrator and cannot log in yet', async () => {
    const created = (await admin.post('/api/users', newPolice('wang.police')).expect(201)).body;
    expect(created).toMatchObject({
      role: 'police',
      awaitingApproval: true,
      mustChangePassword: true,
      pendingGrant: { role: 'police', jurisdiction: [FIXTURE.community], requestedBy: 'admin' },
    });
    grantId = created.pendingGrant.id;
    const refused = await loginAnswer('wang.police', TEMPORARY);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('account_awaiting_approval');
    // A wrong password still gets the answer everyone gets.
    expect((await loginAnswer('wang.police', 'wrong-password-1')).status).toBe(401);
  });

  it('cannot be approved by the administrator who asked', async () => {
    const response = await admin.post(`/api/users/grants/${grantId}/approve`).expect(403);
    expect(response.body.error.code).toBe('second_person_required');
    expect((await loginAnswer('wang.police', TEMPORARY)).status).toBe(403);
  });

  it('logs in once a second administrator approves, but reads no person before changing the temporary password', async () => {
    const approved = (await secondAdmin.post(`/api/users/grants/${grantId}/approve`).expect(200)).body;
    expect(approved).toMatchObject({ status: 'approved', requestedBy: 'admin', decidedBy: 'admin2', username: 'wang.police' });
    await secondAdmin.post(`/api/users/grants/${grantId}/approve`).expect(409);

    const police = await t.logIn('wang.police', TEMPORARY);
    expect((await police.get('/api/auth/me').expect(200)).body.user).toMatchObject({ role: 'police', mustChangePassword: true });
    const blocked = await police.get(OCCUPANTS).expect(403);
    expect(blocked.body.error.code).toBe('password_change_required');
    expect((await police.get(`/api/buildings/${FIXTURE.westHouse}`).expect(403)).body.error.code).toBe('password_change_required');
    // Keeping the administrator's password is not a change.
    const same = await police.post('/api/auth/password', { currentPassword: TEMPORARY, newPassword: TEMPORARY }).expect(400);
    expect(same.body.error.details.fields[0].field).toBe('newPassword');

    await police.post('/api/auth/password', { currentPassword: TEMPORARY, newPassword: OWN }).expect(204);
    expect((await police.get('/api/auth/me').expect(200)).body.user.mustChangePassword).toBe(false);
    await police.get(OCCUPANTS).expect(200);
  });

  it('audits the request and the approval, naming both administrators', async () => {
    const id = String(await userId('wang.police'));
    const rows = await sql<{ action: string; username: string; details: Record<string, unknown> }>`
      SELECT action, username, details FROM audit_log WHERE target_type = 'user' AND target_id = ${id} AND action IN ('create', 'approve_grant') ORDER BY id`.execute(
      t.handle.db,
    );
    expect(rows.rows).toEqual([
      {
        action: 'create',
        username: 'admin',
        details: { username: 'wang.police', role: 'police', jurisdiction: [FIXTURE.community], collectorId: null, grantId },
      },
      {
        action: 'approve_grant',
        username: 'admin2',
        details: { grantId, role: 'police', jurisdiction: [FIXTURE.community], collectorId: null, requestedBy: 'admin' },
      },
    ]);
  });
});

describe('changing an existing account', () => {
  it('makes a planner police only when a second administrator approves', async () => {
    const id = await userId('planner');
    const planner = await t.logIn('planner');
    const requested = (await admin.send('patch', `/api/users/${id}`, { role: 'police' }).expect(200)).body;
    expect(requested).toMatchObject({ role: 'planner', pendingGrant: { role: 'police', jurisdiction: [FIXTURE.district] } });
    expect((await planner.get('/api/auth/me').expect(200)).body.user.role).toBe('planner');
    await planner.get(OCCUPANTS).expect(403);

    await secondAdmin.post(`/api/users/grants/${requested.pendingGrant.id}/approve`).expect(200);
    expect((await planner.get('/api/auth/me').expect(200)).body.user.role).toBe('police');
    await planner.get(OCCUPANTS).expect(200);
  });

  it('narrows a jurisdiction at once, but waits for approval to widen it; a rejection leaves it as it was', async () => {
    const id = await userId('wang.police');
    const narrowed = (await admin.send('patch', `/api/users/${id}`, { jurisdiction: [FIXTURE.gridWest] }).expect(200)).body;
    expect(narrowed).toMatchObject({ jurisdiction: [FIXTURE.gridWest], pendingGrant: null });

    const widened = (await admin.send('patch', `/api/users/${id}`, { jurisdiction: [FIXTURE.gridWest, FIXTURE.gridEast] }).expect(200)).body;
    expect(widened).toMatchObject({ jurisdiction: [FIXTURE.gridWest], pendingGrant: { jurisdiction: [FIXTURE.gridWest, FIXTURE.gridEast] } });
    const rejected = (await secondAdmin.post(`/api/users/grants/${widened.pendingGrant.id}/reject`).expect(200)).body;
    expect(rejected).toMatchObject({ status: 'rejected', decidedBy: 'admin2' });
    expect((await admin.get('/api/users?q=wang').expect(200)).body.users[0]).toMatchObject({ jurisdiction: [FIXTURE.gridWest], pendingGrant: null });
  });

  it('lets a later change replace a grant still waiting', async () => {
    const id = await userId('wang.police');
    const first = (await admin.send('patch', `/api/users/${id}`, { jurisdiction: [FIXTURE.community] }).expect(200)).body.pendingGrant;
    const second = (await admin.send('patch', `/api/users/${id}`, { jurisdiction: [FIXTURE.district] }).expect(200)).body.pendingGrant;
    expect(second.id).not.toBe(first.id);
    expect((await secondAdmin.post(`/api/users/grants/${first.id}/approve`).expect(409)).body.error.code).toBe('grant_decided');
    await secondAdmin.post(`/api/users/grants/${second.id}/reject`).expect(200);
  });

  it('guards the admin role too: one administrator cannot make themselves a second one', async () => {
    const created = (await admin.post('/api/users', { ...newPolice('sock.puppet', []), role: 'admin' }).expect(201)).body;
    expect(created).toMatchObject({ awaitingApproval: true, pendingGrant: { role: 'admin' } });
    expect((await loginAnswer('sock.puppet', TEMPORARY)).body.error.code).toBe('account_awaiting_approval');
    // Rejected: the account is disabled and still cannot log in.
    await secondAdmin.post(`/api/users/grants/${created.pendingGrant.id}/reject`).expect(200);
    expect((await admin.get('/api/users?q=sock').expect(200)).body.users[0]).toMatchObject({ disabled: true, awaitingApproval: true });
    expect((await loginAnswer('sock.puppet', TEMPORARY)).status).toBe(401);
  });

  it('lets an account waiting for approval log in once it is given a role that needs none', async () => {
    const created = (await admin.post('/api/users', newPolice('zhou.waiting')).expect(201)).body;
    const changed = (await admin.send('patch', `/api/users/${created.id}`, { role: 'planner' }).expect(200)).body;
    expect(changed).toMatchObject({ role: 'planner', awaitingApproval: false, pendingGrant: null });
    expect((await admin.get('/api/users/grants?status=superseded').expect(200)).body.grants[0]).toMatchObject({ username: 'zhou.waiting', decidedBy: 'admin' });
    expect((await loginAnswer('zhou.waiting', TEMPORARY)).status).toBe(200);
  });

  it('applies roles that read no person data at once', async () => {
    const created = (await admin.post('/api/users', { ...newPolice('li.leader'), role: 'leader' }).expect(201)).body;
    expect(created).toMatchObject({ awaitingApproval: false, pendingGrant: null, mustChangePassword: true });
    await firstLogin('li.leader');
  });

  it('refuses a grant decided by its own account, an unknown grant and a bad id', async () => {
    const id = await userId('admin2');
    // admin2 is an admin already; widening an admin's jurisdiction needs nobody, so ask for police instead.
    const pending = (await admin.send('patch', `/api/users/${id}`, { role: 'police' }).expect(200)).body.pendingGrant;
    expect((await secondAdmin.post(`/api/users/grants/${pending.id}/approve`).expect(403)).body.error.code).toBe('second_person_required');
    await admin.post(`/api/users/grants/${pending.id}/reject`).expect(200);
    await admin.post('/api/users/grants/99999/approve').expect(404);
    expect((await admin.post('/api/users/grants/abc/approve').expect(400)).body.error.details.fields[0].field).toBe('id');
  });
});

describe('the grants list', () => {
  it('shows the auditor every grant: account, what, who asked, who decided, when', async () => {
    const auditor = await t.logIn('auditor');
    const { total, grants } = (await auditor.get('/api/users/grants').expect(200)).body;
    expect(total).toBeGreaterThanOrEqual(7);
    const first = grants.at(-1);
    expect(first).toMatchObject({ kind: 'create', username: 'wang.police', role: 'police', status: 'approved', requestedBy: 'admin', decidedBy: 'admin2' });
    expect(new Date(first.requestedAt).getTime()).toBeLessThanOrEqual(new Date(first.decidedAt).getTime());
    const change = grants.find((grant: { username: string; previousRole: string | null }) => grant.username === 'planner');
    expect(change).toMatchObject({ kind: 'change', previousRole: 'planner', role: 'police', status: 'approved' });
    expect((await auditor.get('/api/users/grants?status=pending').expect(200)).body.total).toBe(0);
    expect((await auditor.get('/api/users/grants?status=maybe').expect(400)).body.error.details.fields[0].field).toBe('status');
    // The auditor reads grants, decides none.
    await auditor.post(`/api/users/grants/${first.id}/reject`).expect(403);
  });
});

describe('temporary passwords', () => {
  it('a reset password must be changed before anything else', async () => {
    const id = await userId('li.leader');
    await admin.post(`/api/users/${id}/password`, { temporaryPassword: TEMPORARY }).expect(204);
    expect((await admin.get('/api/users?q=li.leader').expect(200)).body.users[0].mustChangePassword).toBe(true);
    const leader = await t.logIn('li.leader', TEMPORARY);
    expect((await leader.get('/api/kpis?area=' + FIXTURE.district).expect(403)).body.error.code).toBe('password_change_required');
    await leader.post('/api/auth/password', { currentPassword: TEMPORARY, newPassword: 'another-own-password' }).expect(204);
    await leader.get(`/api/buildings/${FIXTURE.westHouse}`).expect(200);
  });

  it('closes every route but me, password change and logout until the password is changed', async () => {
    const id = await userId('li.leader');
    await admin.post(`/api/users/${id}/password`, { temporaryPassword: TEMPORARY }).expect(204);
    const leader = await t.logIn('li.leader', TEMPORARY);
    const open: string[] = [];
    // Logging out would end the session the other calls use: it goes last.
    for (const spec of apiRoutes(t.context).filter((candidate) => candidate.access !== 'public' && candidate.path !== '/auth/logout')) {
      const url = urlPathOf(spec).replace(/:\w+/g, '1');
      const response =
        spec.method === 'get' ? await leader.get(url) : spec.method === 'post' ? await leader.post(url, {}) : await leader.send(spec.method, url, {});
      // /ogc answers RFC 7807 problems: the code is a top-level member there.
      const code = response.body.error?.code ?? response.body.code;
      if (response.status !== 403 || code !== 'password_change_required') open.push(`${spec.method.toUpperCase()} ${urlPathOf(spec)}`);
    }
    expect(open.sort()).toEqual(['GET /api/auth/me', 'POST /api/auth/password']);
    await leader.post('/api/auth/logout').expect(204);
  });

  it('is never asked of users created outside the admin screen (demo and fixture users)', async () => {
    const me = (await (await t.logIn('auditor')).get('/api/auth/me').expect(200)).body.user;
    expect(me.mustChangePassword).toBe(false);
  });
});
