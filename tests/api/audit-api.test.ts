import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkPending } from '../../server/audit/sequencer.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'auditor', 'auditor');
  await insertUser(t.handle.db, 'police', 'police');
});
afterAll(async () => t?.close());

describe('the auditor’s view of the audit log', () => {
  it('lists a police officer’s audited writes newest first, filters, pages and verifies the chain', async () => {
    const police = await t.logIn('police');
    await police.post('/api/auth/password', { currentPassword: FIXTURE.password, newPassword: 'a-new-long-password-2026' }).expect(204);
    await police.post('/api/auth/password', { currentPassword: 'a-new-long-password-2026', newPassword: 'another-long-password-2026' }).expect(204);
    const auditor = await t.logIn('auditor');
    const page = await auditor.get('/api/audit?username=police&limit=1').expect(200);
    expect(page.body.rows).toHaveLength(1);
    expect(page.body.rows[0]).toMatchObject({ username: 'police', role: 'police', action: 'change_password', target_type: 'user' });
    expect(JSON.stringify(page.body)).not.toContain('password-2026');
    const next = await auditor.get(`/api/audit${page.body.next}&username=police`).expect(200);
    expect(next.body.rows[0].seq).toBeLessThan(page.body.rows[0].seq);
    // Logins are audited too: police signs in, changes the password twice, the auditor signs in.
    const actions = await t.handle.db.selectFrom('audit_log').select('action').orderBy('id').execute();
    expect(actions.map((row) => row.action)).toEqual(['login', 'change_password', 'change_password', 'login']);
    // Not linked yet: verify covers no row and reports the four as the unlinked tail …
    expect((await auditor.get('/api/audit/verify').expect(200)).body).toMatchObject({ ok: true, rows: 0, unlinked: { rows: 4 } });
    // … and once the sequencer has run, the chain holds them, in insert order on this one connection.
    await linkPending(t.handle.db);
    expect((await auditor.get('/api/audit/verify').expect(200)).body).toMatchObject({ ok: true, rows: 4, firstBrokenSeq: null, unlinked: { rows: 0 } });
    const linked = (await auditor.get('/api/audit?limit=4').expect(200)).body.rows;
    expect(linked.map((row: { chain_seq: number }) => row.chain_seq)).toEqual([4, 3, 2, 1]);
  });

  it('reports the first row edited behind the application’s back', async () => {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(t.handle.db);
    await sql`UPDATE audit_log SET action = 'nothing' WHERE chain_seq = 1`.execute(t.handle.db);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(t.handle.db);
    const auditor = await t.logIn('auditor');
    expect((await auditor.get('/api/audit/verify').expect(200)).body).toMatchObject({ ok: false, firstBrokenSeq: 1 });
  });

  it('reads from and to as the city’s calendar days (UTC+8), as the screen shows them', async () => {
    // 2026-01-01 20:00 UTC is 2026-01-02 04:00 in Shenzhen.
    await sql`INSERT INTO audit_log (at, action, target_type) VALUES ('2026-01-01T20:00:00Z', 'late_night', 'test')`.execute(t.handle.db);
    const auditor = await t.logIn('auditor');
    const onDay = async (day: string) => (await auditor.get(`/api/audit?action=late_night&from=${day}&to=${day}`).expect(200)).body.rows.length;
    expect([await onDay('2026-01-01'), await onDay('2026-01-02')]).toEqual([0, 1]);
  });

  it('refuses a bad filter naming the field', async () => {
    const auditor = await t.logIn('auditor');
    const response = await auditor.get('/api/audit?limit=100000').expect(400);
    expect(response.body.error.details.fields[0].field).toBe('limit');
  });
});
