import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';

/**
 * User administration (issue 10, admin → users): the admin creates accounts with a role and an
 * existing jurisdiction, changes them, disables them and sets temporary passwords. Everything
 * is audited without passwords; a rejected request changes nothing.
 */
const TEMPORARY = 'temporary-password-2026';

let t: TestApp;
let admin: LoggedIn;
/** The second administrator who approves what `admin` asks for (two-person grants, user-grants.test.ts). */
let secondAdmin: LoggedIn;

/** Approves the grant a create or change left waiting. */
async function approve(user: { pendingGrant: { id: number } | null }) {
  expect(user.pendingGrant).not.toBeNull();
  await secondAdmin.post(`/api/users/grants/${user.pendingGrant!.id}/approve`).expect(200);
}

async function userId(username: string): Promise<number> {
  const row = await t.handle.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
  return row.id;
}

/** Users and audit rows: what a rejected request must leave as it was. */
async function fingerprint(): Promise<unknown> {
  const result =
    await sql`SELECT (SELECT string_agg(username || role || array_to_string(jurisdiction, ',') || disabled || password_hash, ';' ORDER BY id) FROM users) AS users,
    (SELECT count(*) FROM audit_log) AS audit_rows, (SELECT count(*) FROM sessions) AS sessions`.execute(t.handle.db);
  return result.rows[0];
}

async function auditRowsAbout(id: number) {
  const rows = await sql<{ action: string; username: string; details: Record<string, unknown> }>`
    SELECT action, username, details FROM audit_log WHERE target_type = 'user' AND target_id = ${String(id)}
    AND action NOT IN ('login', 'login_failed', 'logout', 'approve_grant') ORDER BY id`.execute(t.handle.db);
  return rows.rows;
}

const newUser = (overrides: Record<string, unknown> = {}) => ({
  username: 'wang.police',
  displayName: '王警官',
  role: 'police',
  jurisdiction: [FIXTURE.community],
  temporaryPassword: TEMPORARY,
  ...overrides,
});

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'admin', 'admin');
  await insertUser(t.handle.db, 'admin2', 'admin');
  await insertUser(t.handle.db, 'planner', 'planner');
  await insertUser(t.handle.db, 'collector', 'collector', [FIXTURE.gridWest]);
  admin = await t.logIn('admin');
  secondAdmin = await t.logIn('admin2');
});
afterAll(async () => t?.close());

describe('listing users', () => {
  it('shows each account’s role, jurisdiction and state, never a password hash', async () => {
    const response = await admin.get('/api/users').expect(200);
    expect(response.body.total).toBe(4);
    expect(response.body.users.map((user: { username: string }) => user.username)).toEqual(['admin', 'admin2', 'collector', 'planner']);
    expect(response.body.users[2]).toMatchObject({
      role: 'collector',
      jurisdiction: [FIXTURE.gridWest],
      collectorId: null,
      disabled: false,
      mustChangePassword: false,
      awaitingApproval: false,
      pendingGrant: null,
    });
    // The admins logged in above; the others never have.
    expect(response.body.users[0].lastLoginAt).not.toBeNull();
    expect(response.body.users[3].lastLoginAt).toBeNull();
    expect(JSON.stringify(response.body)).not.toMatch(/password_?hash|argon2/i);
  });

  it('filters by role, status and part of the username, and pages', async () => {
    expect((await admin.get('/api/users?role=planner').expect(200)).body.users.map((user: { username: string }) => user.username)).toEqual(['planner']);
    expect((await admin.get('/api/users?status=disabled').expect(200)).body).toEqual({ total: 0, users: [] });
    expect((await admin.get('/api/users?q=LLECT').expect(200)).body.users.map((user: { username: string }) => user.username)).toEqual(['collector']);
    const page = (await admin.get('/api/users?limit=1&offset=1').expect(200)).body;
    expect(page.total).toBe(4);
    expect(page.users.map((user: { username: string }) => user.username)).toEqual(['admin2']);
  });

  it('refuses bad filters naming the field', async () => {
    for (const [query, field] of [
      ['role=king', 'role'],
      ['status=gone', 'status'],
      ['limit=0', 'limit'],
      ['q=' + 'x'.repeat(41), 'q'],
      ['offset=-1', 'offset'],
    ]) {
      const response = await admin.get(`/api/users?${query}`).expect(400);
      expect(response.body.error.details.fields[0].field).toBe(field);
    }
  });
});

describe('creating a user', () => {
  it('creates a police account that logs in with its temporary password once a second admin approves; audited without it', async () => {
    const response = await admin.post('/api/users', newUser()).expect(201);
    expect(response.body).toMatchObject({
      username: 'wang.police',
      displayName: '王警官',
      role: 'police',
      jurisdiction: [FIXTURE.community],
      disabled: false,
      lastLoginAt: null,
      mustChangePassword: true,
      awaitingApproval: true,
    });
    await approve(response.body);
    const police = await t.logIn('wang.police', TEMPORARY);
    expect((await police.get('/api/auth/me').expect(200)).body.user).toMatchObject({
      role: 'police',
      jurisdiction: [FIXTURE.community],
      mustChangePassword: true,
    });
    const listed = (await admin.get('/api/users?q=wang').expect(200)).body.users[0];
    expect(listed.lastLoginAt).not.toBeNull();

    const audit = await auditRowsAbout(response.body.id);
    expect(audit).toEqual([
      {
        action: 'create',
        username: 'admin',
        details: { username: 'wang.police', role: 'police', jurisdiction: [FIXTURE.community], collectorId: null, grantId: response.body.pendingGrant.id },
      },
    ]);
    const everything = await sql<{ row: string }>`SELECT row_to_json(a)::text AS row FROM audit_log a`.execute(t.handle.db);
    expect(everything.rows.map((row) => row.row).join('\n')).not.toContain(TEMPORARY);
  });

  it('links a collector account to an active collector and shows the collector’s name', async () => {
    const collector = (await admin.post('/api/collectors', { name: '李采集', employment: 'full_time' }).expect(201)).body;
    const response = await admin
      .post(
        '/api/users',
        newUser({ username: 'li.collector', displayName: '李采集', role: 'collector', jurisdiction: [FIXTURE.gridEast], collectorId: collector.id }),
      )
      .expect(201);
    expect(response.body).toMatchObject({ role: 'collector', jurisdiction: [FIXTURE.gridEast], collectorId: collector.id, collectorName: '李采集' });
    await approve(response.body);
  });

  it.each([
    [{ username: 'X' }, 'username'],
    [{ username: 'has space' }, 'username'],
    [{ displayName: '' }, 'displayName'],
    [{ role: 'king' }, 'role'],
    [{ temporaryPassword: 'short' }, 'temporaryPassword'],
    [{ temporaryPassword: 'renwu-demo-wang.police' }, 'temporaryPassword'],
    [{ temporaryPassword: undefined }, 'temporaryPassword'],
    [{ jurisdiction: ['4403'] }, 'jurisdiction.0'],
    [{ jurisdiction: 'all' }, 'jurisdiction'],
    [{ collectorId: 'one' }, 'collectorId'],
    [{ extra: true }, '(root)'],
  ])('refuses %j naming %s, creating nothing', async (overrides, field) => {
    const before = await fingerprint();
    const response = await admin.post('/api/users', newUser({ username: 'new.user', ...overrides })).expect(400);
    expect(response.body.error.details.fields.map((problem: { field: string }) => problem.field)).toContain(field);
    expect(await fingerprint()).toEqual(before);
  });

  it.each([
    [{ jurisdiction: ['440307009'] }, 'jurisdiction.0', 'unknown_area'],
    [{ jurisdiction: [FIXTURE.community, '44030700100199'] }, 'jurisdiction.1', 'unknown_area'],
    [{ jurisdiction: [] }, 'jurisdiction', 'jurisdiction_required'],
    [{ role: 'collector', jurisdiction: [FIXTURE.community] }, 'jurisdiction.0', 'grid_required'],
    [{ collectorId: 1 }, 'collectorId', 'collector_link_needs_collector_role'],
    [{ role: 'collector', jurisdiction: [FIXTURE.gridWest], collectorId: 999 }, 'collectorId', 'unknown_collector'],
  ])('refuses %j: %s is %s, creating nothing', async (overrides, field, code) => {
    const before = await fingerprint();
    const response = await admin.post('/api/users', newUser({ username: 'new.user', ...overrides })).expect(400);
    expect(response.body.error.details.fields).toContainEqual(expect.objectContaining({ field, code }));
    expect(await fingerprint()).toEqual(before);
  });

  it('lets an auditor account have no jurisdiction', async () => {
    await admin.post('/api/users', newUser({ username: 'zhao.auditor', role: 'auditor', jurisdiction: [] })).expect(201);
  });

  it('answers 409 for a username already taken, changing nothing', async () => {
    const before = await fingerprint();
    const response = await admin.post('/api/users', newUser({ displayName: '另一个王' })).expect(409);
    expect(response.body.error).toMatchObject({ code: 'username_taken', details: { fields: [{ field: 'username', code: 'username_taken' }] } });
    expect(await fingerprint()).toEqual(before);
  });
});

describe('changing a user', () => {
  it('changes role and jurisdiction, in force for the sessions already open', async () => {
    const id = await userId('wang.police');
    const police = await t.logIn('wang.police', TEMPORARY);
    const response = await admin.send('patch', `/api/users/${id}`, { jurisdiction: [FIXTURE.gridWest, FIXTURE.gridWest] }).expect(200);
    expect(response.body.jurisdiction).toEqual([FIXTURE.gridWest]);
    expect((await police.get('/api/auth/me').expect(200)).body.user.jurisdiction).toEqual([FIXTURE.gridWest]);

    await admin.send('patch', `/api/users/${id}`, { role: 'planner', jurisdiction: [FIXTURE.district] }).expect(200);
    expect((await police.get('/api/auth/me').expect(200)).body.user).toMatchObject({ role: 'planner', jurisdiction: [FIXTURE.district] });
    // Now a planner: the person routes are closed to this session.
    await police.get('/api/people/search?idNumber=11010519491231002X&purpose=test').expect(403);
    const audit = await auditRowsAbout(id);
    expect(audit.at(-1)).toEqual({
      action: 'update',
      username: 'admin',
      details: { fields: ['role', 'jurisdiction'], role: 'planner', jurisdiction: [FIXTURE.district], collectorId: null, sessionsRevoked: 0 },
    });
  });

  it('drops the collector link when a collector account takes another role', async () => {
    const id = await userId('li.collector');
    const response = await admin.send('patch', `/api/users/${id}`, { role: 'police', jurisdiction: [FIXTURE.community] }).expect(200);
    expect(response.body.pendingGrant).toMatchObject({ role: 'police', collectorId: null });
    await approve(response.body);
    expect((await admin.get('/api/users?q=li.collector').expect(200)).body.users[0]).toMatchObject({ role: 'police', collectorId: null, collectorName: null });
  });

  it('checks the jurisdiction against the new role', async () => {
    const id = await userId('wang.police');
    const before = await fingerprint();
    const response = await admin.send('patch', `/api/users/${id}`, { role: 'collector' }).expect(400);
    expect(response.body.error.details.fields).toEqual([expect.objectContaining({ field: 'jurisdiction.0', code: 'grid_required' })]);
    expect(await fingerprint()).toEqual(before);
  });

  it('refuses an empty or unknown change, a bad id and an unknown user', async () => {
    expect((await admin.send('patch', `/api/users/${await userId('planner')}`, {}).expect(400)).body.error.details.fields[0].field).toBe('(root)');
    expect((await admin.send('patch', `/api/users/${await userId('planner')}`, { password_hash: 'x' }).expect(400)).body.error.code).toBe('invalid_request');
    expect((await admin.send('patch', '/api/users/abc', { disabled: true }).expect(400)).body.error.details.fields[0].field).toBe('id');
    expect((await admin.send('patch', '/api/users/99999', { disabled: true }).expect(404)).body.error.code).toBe('not_found');
  });

  it('does not let the admin disable their own account or drop their own role', async () => {
    const id = await userId('admin');
    const before = await fingerprint();
    for (const patch of [{ disabled: true }, { role: 'planner' }]) {
      const response = await admin.send('patch', `/api/users/${id}`, patch).expect(409);
      expect(response.body.error.code).toBe('cannot_lock_out_self');
    }
    expect(await fingerprint()).toEqual(before);
  });
});

describe('disabling and enabling', () => {
  it('ends the sessions of a disabled user and refuses their login until enabled again', async () => {
    const id = await userId('planner');
    const planner = await t.logIn('planner');
    await planner.get('/api/auth/me').expect(200);
    const response = await admin.send('patch', `/api/users/${id}`, { disabled: true }).expect(200);
    expect(response.body.disabled).toBe(true);
    expect(await t.handle.db.selectFrom('sessions').select('token_hash').where('user_id', '=', id).execute()).toEqual([]);
    await planner.get('/api/auth/me').expect(401);
    await expect(t.logIn('planner')).rejects.toThrow(/401/);
    expect((await admin.get('/api/users?status=disabled').expect(200)).body.users.map((user: { username: string }) => user.username)).toEqual(['planner']);

    await admin.send('patch', `/api/users/${id}`, { disabled: false }).expect(200);
    await (await t.logIn('planner')).get('/api/auth/me').expect(200);
    expect((await auditRowsAbout(id)).map((row) => [row.action, row.details.sessionsRevoked])).toEqual([
      ['disable', 1],
      ['enable', 0],
    ]);
  });
});

describe('resetting a password', () => {
  it('sets a temporary password, ends the old sessions and refuses the old password; audited without it', async () => {
    const id = await userId('collector');
    const collector = await t.logIn('collector');
    await admin.post(`/api/users/${id}/password`, { temporaryPassword: 'reset-by-admin-2026' }).expect(204);
    await collector.get('/api/auth/me').expect(401);
    await expect(t.logIn('collector')).rejects.toThrow(/401/);
    const again = await t.logIn('collector', 'reset-by-admin-2026');
    // The user then chooses their own password with the ordinary password change.
    await again.post('/api/auth/password', { currentPassword: 'reset-by-admin-2026', newPassword: 'my-own-password-2026' }).expect(204);
    const audit = await auditRowsAbout(id);
    expect(audit.map((row) => row.action)).toEqual(['reset_password', 'change_password']);
    expect(audit[0]!.details).toEqual({ sessionsRevoked: 1 });
    const everything = await sql<{ row: string }>`SELECT row_to_json(a)::text AS row FROM audit_log a`.execute(t.handle.db);
    expect(everything.rows.map((row) => row.row).join('\n')).not.toMatch(/reset-by-admin|my-own-password/);
  });

  it('holds a temporary password to the password policy', async () => {
    const id = await userId('collector');
    const before = await fingerprint();
    for (const temporaryPassword of ['short', 'renwu-demo-collector', '']) {
      const response = await admin.post(`/api/users/${id}/password`, { temporaryPassword }).expect(400);
      expect(response.body.error.details.fields[0].field).toBe('temporaryPassword');
    }
    await admin.post('/api/users/99999/password', { temporaryPassword: TEMPORARY }).expect(404);
    expect(await fingerprint()).toEqual(before);
  });
});

describe('what the admin still cannot do', () => {
  it('reads no person data and no audit log', async () => {
    await admin.get('/api/people/1?purpose=test').expect(403);
    await admin.get('/api/people/search?idNumber=11010519491231002X&purpose=test').expect(403);
    await admin.get('/api/audit').expect(403);
  });

  it('is the only role that manages users', async () => {
    const planner = await t.logIn('planner');
    await planner.get('/api/users').expect(403);
    await planner.post('/api/users', newUser({ username: 'sneaky' })).expect(403);
  });
});
