import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';

/**
 * Login (issue 14, item 8), replayed from several client addresses over real sockets (every
 * 127.0.0.0/8 address reaches the server on Linux, and the server sees each as its own client).
 * Five wrong passwords no longer lock the account: they slow that username from that address,
 * known and unknown usernames alike, and the owner still gets in from their own address.
 * Every login is audited, successful or not, never with the password.
 */
const WRONG = 'not-the-password-9';

let t: TestApp;
let server: http.Server;

interface Answer {
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
  retryAfter: string | undefined;
  cookie: string | undefined;
}

/** POST /api/auth/login from a chosen local address. */
function loginFrom(address: string, username: string, password: string): Promise<Answer> {
  const { port } = server.address() as AddressInfo;
  const payload = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: '127.0.0.1', port, localAddress: address, method: 'POST', path: '/api/auth/login', headers: { 'Content-Type': 'application/json' } },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            body: text ? JSON.parse(text) : {},
            retryAfter: incoming.headers['retry-after'],
            cookie: incoming.headers['set-cookie']?.[0],
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

async function attempts(address: string, username: string, times: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let index = 0; index < times; index += 1) answers.push(await loginFrom(address, username, WRONG));
  return answers;
}

async function loginAudit() {
  const rows = await sql<{ action: string; username: string | null; target_id: string | null; details: Record<string, unknown>; row: string }>`
    SELECT action, username, target_id, details, row_to_json(a)::text AS row FROM audit_log a
    WHERE action IN ('login', 'login_failed', 'logout') ORDER BY id`.execute(t.handle.db);
  return rows.rows;
}

beforeAll(async () => {
  // A first wait of 10 minutes, so that no attempt in this file outlasts a wait by accident.
  t = await startTestApp({ LOGIN_BACKOFF_FIRST_SECONDS: '600', LOGIN_BACKOFF_MAX_SECONDS: '3600' });
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'police', 'police');
  await insertUser(t.handle.db, 'retired', 'police');
  await t.handle.db.updateTable('users').set({ disabled: true }).where('username', '=', 'retired').execute();
  server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
});
afterAll(async () => {
  server?.close();
  await t?.close();
});

describe('failed logins slow the guesser, never lock the owner out', () => {
  it('five wrong passwords from one address: the owner still logs in from another', async () => {
    const answers = await attempts('127.0.0.2', 'police', 5);
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 429, 429]);
    expect(answers[3]!.body.error!.code).toBe('login_throttled');
    expect(Number(answers[3]!.retryAfter)).toBeGreaterThan(500);

    const owner = await loginFrom('127.0.0.1', 'police', FIXTURE.password);
    expect(owner.status).toBe(200);
    expect(owner.cookie).toMatch(/^renwu_session=/);
    // The right password from the guesser's address waits like any other attempt: it is not even checked.
    expect((await loginFrom('127.0.0.2', 'police', FIXTURE.password)).status).toBe(429);
  });

  it('answers an unknown username, a known one and a disabled one alike', async () => {
    const known = await attempts('127.0.0.3', 'police', 5);
    const unknown = await attempts('127.0.0.4', 'no.such.user', 5);
    const disabled = await attempts('127.0.0.5', 'retired', 5);
    const shape = (answers: Answer[]) => answers.map((answer) => ({ status: answer.status, body: answer.body, waits: answer.retryAfter !== undefined }));
    expect(shape(unknown)).toEqual(shape(known));
    expect(shape(disabled)).toEqual(shape(known));
    // The right password of a disabled account answers like a wrong one.
    expect(await loginFrom('127.0.0.9', 'retired', FIXTURE.password)).toMatchObject({ status: 401, body: known[0]!.body });
    expect(known[0]!.body).toEqual({ error: { code: 'invalid_credentials', message: 'Wrong username or password', messageZh: '用户名或密码不正确' } });
  });

  it('slows an address that sprays many usernames, but not the other addresses', async () => {
    for (let index = 0; index < 30; index += 1) {
      expect((await loginFrom('127.0.0.6', `sprayed${index}`, WRONG)).status).toBe(401);
    }
    expect((await loginFrom('127.0.0.6', 'police', FIXTURE.password)).status).toBe(429);
    expect((await loginFrom('127.0.0.7', 'police', FIXTURE.password)).status).toBe(200);
  });

  it('keeps no lockout columns: the lock that blocked the right password is gone', async () => {
    const columns = await sql<{ column_name: string }>`
      SELECT column_name FROM information_schema.columns WHERE table_name = 'users' AND column_name IN ('failed_logins', 'locked_until')`.execute(t.handle.db);
    expect(columns.rows).toEqual([]);
  });
});

describe('every login is audited, never the password', () => {
  it('records successes, failures and logouts with the address and the username as typed', async () => {
    const police = await t.logIn('police');
    await police.post('/api/auth/logout').expect(204);
    const rows = await loginAudit();
    const policeId = String((await t.handle.db.selectFrom('users').select('id').where('username', '=', 'police').executeTakeFirstOrThrow()).id);

    const success = rows.find((row) => row.action === 'login' && row.details.address === '127.0.0.1');
    expect(success).toMatchObject({ username: 'police', target_id: policeId });
    expect(rows.filter((row) => row.action === 'logout')).toEqual([expect.objectContaining({ username: 'police', target_id: policeId })]);

    const againstPolice = rows.find((row) => row.action === 'login_failed' && row.details.address === '127.0.0.2');
    expect(againstPolice).toMatchObject({ username: null, target_id: policeId, details: { username: 'police', reason: 'wrong_password' } });
    const againstNobody = rows.find((row) => row.action === 'login_failed' && row.details.username === 'no.such.user');
    expect(againstNobody).toMatchObject({ target_id: null, details: { reason: 'unknown_user', address: '127.0.0.4' } });
    expect(rows.find((row) => row.details.username === 'retired' && row.details.address === '127.0.0.9')?.details.reason).toBe('disabled');
    // Attempts refused while waiting are audited too, so the auditor sees how hard someone tried.
    expect(rows.filter((row) => row.details.reason === 'throttled' && row.details.address === '127.0.0.2').length).toBeGreaterThanOrEqual(2);

    const everything = rows.map((row) => row.row).join('\n');
    expect(everything).not.toContain(WRONG);
    expect(everything).not.toContain(FIXTURE.password);
  });

  it('creates no user row for an unknown username', async () => {
    const names = await t.handle.db.selectFrom('users').select('username').orderBy('username').execute();
    expect(names.map((row) => row.username)).toEqual(['police', 'retired']);
  });

  it('records what looks like a password typed into the username box only as malformed', async () => {
    expect((await loginFrom('127.0.0.8', 'My Secret Passw0rd!', WRONG)).status).toBe(401);
    const row = (await loginAudit()).find((candidate) => candidate.details.address === '127.0.0.8');
    expect(row?.details).toEqual({ usernameMalformed: true, address: '127.0.0.8', reason: 'unknown_user' });
    expect(row?.row).not.toContain('Passw0rd');
  });
});
