import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, chinaToday } from '../../server/domain/calendar.ts';
import { browserUnavailableReason } from '../helpers/browser.ts';
import { apiAs } from './support/api.ts';
import { expectCleanRun, startJourney, type Journey } from './support/journey.ts';

/**
 * The auditor's day: the rows that an administrator's and a police officer's work wrote are in
 * the log, newest first; filters narrow them (and live in the address bar); older pages open;
 * the hash chain verifies — and a row edited behind the application's back is found and shown.
 */
const unavailable = browserUnavailableReason();
const PURPOSE = '日常核查';
/** More person looks than one page (50 rows) holds. */
const UNIT_LOOKS = 55;

describe.skipIf(unavailable)('auditor journey (headless Chromium, real server)', () => {
  let journey: Journey;
  let auditRows = 0;

  const tableRows = () => journey.page.locator('[data-testid=audit-table] tbody tr');
  const shownValues = (attribute: string) =>
    journey.page.locator('[data-testid=audit-table] tbody tr').evaluateAll((rows, name) => rows.map((row) => row.getAttribute(name)), attribute);
  /**
   * Waits until the table shows what the address bar asks for (the previous page stays while the next loads).
   * A function, not a string: Playwright polls a string predicate through eval, which the dashboard's
   * CSP refuses whenever the first check is not yet true (a slow machine).
   */
  const tableSettled = (check: () => boolean) => journey.page.waitForFunction(check);

  beforeAll(async () => {
    journey = await startJourney('auditor');
    const db = journey.server.handle.db;
    const grid = (await sql<{ code: string }>`SELECT code FROM grids ORDER BY code LIMIT 1`.execute(db)).rows[0]!;
    const admin = await apiAs(journey.server.url, 'admin');
    const created = (await admin('POST', '/api/users', {
      username: 'sun.collector',
      displayName: '孙采集',
      role: 'collector',
      jurisdiction: [grid.code],
      temporaryPassword: 'sun-temporary-2026',
    })) as { pendingGrant: { id: number } };
    // A collector account reads person data: the demo's second administrator approves it.
    const secondAdmin = await apiAs(journey.server.url, 'admin2');
    await secondAdmin('POST', `/api/users/grants/${created.pendingGrant.id}/approve`);
    // A layer export: its audit target (grids_layer) is shown in words, like every other.
    const leader = await apiAs(journey.server.url, 'leader');
    await leader('GET', '/api/exports/grids?format=geojson');
    const police = await apiAs(journey.server.url, 'police');
    const resident = (
      await sql<{ id_number: string }>`
      SELECT p.id_number FROM persons p JOIN residencies r ON r.person_id = p.id
      WHERE r.moved_out IS NULL AND p.id_type = 'id_card' ORDER BY p.id LIMIT 1`.execute(db)
    ).rows[0]!;
    await police('GET', `/api/people/search?idNumber=${resident.id_number}&purpose=${encodeURIComponent(PURPOSE)}`);
    const units = await sql<{ unit_code: string }>`
      SELECT DISTINCT unit_code FROM residencies WHERE moved_out IS NULL ORDER BY unit_code LIMIT ${UNIT_LOOKS}`.execute(db);
    for (const unit of units.rows) await police('GET', `/api/units/${unit.unit_code}/occupants?purpose=${encodeURIComponent(PURPOSE)}`);
  });

  const countRows = async () =>
    Number((await sql<{ count: number }>`SELECT count(*)::int AS count FROM audit_log`.execute(journey.server.handle.db)).rows[0]!.count);
  /** The sequencer links new rows within AUDIT_LINK_INTERVAL_MS (until then the table shows "…" for their chain number). */
  const allLinked = async () => {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const unlinked = (await sql<{ count: number }>`SELECT count(*)::int AS count FROM audit_log WHERE chain_seq IS NULL`.execute(journey.server.handle.db))
        .rows[0]!.count;
      if (unlinked === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the audit sequencer left rows unlinked for 10 s');
  };
  afterAll(async () => journey?.close());

  it('opens the log newest first: the auditor’s own login, then the police officer’s last look with its purpose', async () => {
    const { page } = journey;
    await journey.logIn('auditor');
    // Every login is audited: the auditor's is the newest row.
    auditRows = await countRows();
    expect(auditRows).toBeGreaterThan(UNIT_LOOKS);
    expect(new URL(page.url()).pathname).toBe('/audit');
    await page.waitForSelector('[data-testid=audit-table]');
    await allLinked();
    await page.reload();
    await page.waitForSelector('[data-testid=audit-table]');
    await expect(tableRows().count()).resolves.toBe(50);
    const first = tableRows().first();
    await expect(first.getAttribute('data-seq')).resolves.toBe(String(auditRows));
    await expect(first.textContent()).resolves.toMatch(/auditor.*审计员.*登录/);
    await expect(tableRows().nth(1).textContent()).resolves.toMatch(new RegExp(`police.*民警.*查看.*${PURPOSE}`));
    await journey.shot('1-log');
  });

  it('filters by user: the administrator’s account creation, the filter in the address bar', async () => {
    const { page } = journey;
    await page.fill('#audit-user', 'admin');
    await page.click('[data-testid=audit-filters] button[type=submit]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('user') === 'admin');
    await tableSettled(() => [...document.querySelectorAll('[data-testid=audit-table] tbody tr')].every((row) => row.textContent?.includes('admin')));
    await expect(shownValues('data-action')).resolves.toEqual(['create', 'login']);
    await expect(tableRows().first().textContent()).resolves.toContain('用户账号');
    await journey.shot('2-by-admin');
  });

  it('lists the grants: who asked, who approved, when, what', async () => {
    const { page } = journey;
    await page.click('nav.views button:has-text("授权审批记录")');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('view') === 'grants');
    const grant = page.locator('[data-testid=grant-table] tr[data-username="sun.collector"]');
    await grant.waitFor();
    await expect(grant.getAttribute('data-status')).resolves.toBe('approved');
    await expect(grant.textContent()).resolves.toMatch(/采集员.*新账号.*admin.*admin2.*已批准/);
    await journey.shot('2b-grants');
    await page.click('nav.views button:has-text("审计日志")');
    await page.waitForSelector('[data-testid=audit-table]');
  });

  it('filters by action and date; refuses a backwards date range', async () => {
    const { page } = journey;
    await page.fill('#audit-user', '');
    await page.selectOption('#audit-action', 'search');
    // The server reads dates as the city's calendar days (UTC+8); the rows were written moments ago.
    // (A UTC "today" fails every evening from 16:00 UTC, when China is already on the next day.)
    const today = chinaToday();
    const tomorrow = addDays(today, 1);
    await page.fill('#audit-from', tomorrow);
    await page.fill('#audit-to', today);
    await expect(page.locator('#audit-range-error').textContent()).resolves.toContain('起始日期不能晚于截止日期');
    await expect(page.locator('[data-testid=audit-filters] button[type=submit]').isDisabled()).resolves.toBe(true);
    await page.fill('#audit-from', today);
    await page.click('[data-testid=audit-filters] button[type=submit]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('action') === 'search');
    await tableSettled(() => [...document.querySelectorAll<HTMLElement>('[data-testid=audit-table] tbody tr')].every((row) => row.dataset.action === 'search'));
    await expect(shownValues('data-action')).resolves.toEqual(['search']);
    await expect(tableRows().first().textContent()).resolves.toContain(PURPOSE);
    await journey.shot('3-searches-today');
  });

  it('clears the filters and pages to older rows and back', async () => {
    const { page } = journey;
    await page.click('[data-testid=audit-filters] button:has-text("清除条件")');
    await page.waitForFunction(() => new URL(location.href).search === '');
    await tableSettled(() => document.querySelectorAll('[data-testid=audit-table] tbody tr').length === 50);
    await page.click('button:has-text("较早 →")');
    const expectedFirst = String(auditRows - 50);
    await page.waitForFunction((seq) => document.querySelector('[data-testid=audit-table] tbody tr')?.getAttribute('data-seq') === seq, expectedFirst);
    await expect(tableRows().count()).resolves.toBe(Math.min(50, auditRows - 50));
    await expect(page.locator('button:has-text("较早 →")').isDisabled()).resolves.toBe(auditRows <= 100);
    await journey.shot('4-older');
    await page.click('button:has-text("← 较新")');
    await page.waitForFunction((seq) => document.querySelector('[data-testid=audit-table] tbody tr')?.getAttribute('data-seq') === seq, String(auditRows));
  });

  /** Action and target cells that show the recorded code itself (its title) instead of words. */
  const internalNames = () =>
    journey.page
      .locator('[data-testid=audit-table] tbody span[title]:not(.details)')
      .evaluateAll((spans) => spans.filter((span) => span.textContent?.trim() === span.getAttribute('title')).map((span) => span.getAttribute('title')));

  it('says every action and target in words in both languages, never an internal name, and the time zone once', async () => {
    const { page } = journey;
    const showExports = async () => {
      await page.selectOption('#audit-action', 'export');
      await page.click('[data-testid=audit-filters] button[type=submit]');
      await page.waitForFunction(() => new URL(location.href).searchParams.get('action') === 'export');
      // A function, not a string: a string predicate that has to poll is eval'd, which the CSP refuses.
      await page.waitForFunction(() =>
        [...document.querySelectorAll<HTMLElement>('[data-testid=audit-table] tbody tr')].every((row) => row.dataset.action === 'export'),
      );
    };
    await showExports();
    await expect(tableRows().first().textContent()).resolves.toMatch(/leader.*导出.*网格图层/);
    await expect(internalNames()).resolves.toEqual([]);
    await expect(page.locator('[data-testid=time-zone-note]').count()).resolves.toBe(1);
    await expect(page.locator('[data-testid=time-zone-note]').textContent()).resolves.toContain('北京时间（UTC+8）');
    await page.selectOption('.language-switch select', 'en');
    await page.waitForSelector('[data-testid=audit-table] th:has-text("Action")');
    await expect(tableRows().first().textContent()).resolves.toMatch(/leader.*Exported.*Grid layer/);
    await expect(internalNames()).resolves.toEqual([]);
    await expect(page.locator('[data-testid=time-zone-note]').textContent()).resolves.toContain('Asia/Shanghai (UTC+8)');
    await journey.shot('4b-exports-in-english');
    await page.selectOption('.language-switch select', 'zh-CN');
    await page.click('[data-testid=audit-filters] button:has-text("清除条件")');
    await page.waitForFunction(() => new URL(location.href).search === '');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=audit-table] tbody tr').length === 50);
    await expect(internalNames()).resolves.toEqual([]);
  });

  it('verifies the hash chain: intact', async () => {
    const { page } = journey;
    await page.click('[data-testid=chain-check] button:has-text("校验哈希链")');
    const result = page.locator('[data-testid=chain-check] [data-result]');
    await result.waitFor();
    await expect(result.getAttribute('data-result')).resolves.toBe('ok');
    await expect(result.textContent()).resolves.toContain(`全部 ${auditRows} 条记录均未被改动`);
    await journey.shot('5-verified');
  });

  it('finds and shows a row edited behind the application’s back', async () => {
    const { page } = journey;
    const db = journey.server.handle.db;
    const edited = 3;
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(db);
    await sql`UPDATE audit_log SET purpose = '篡改' WHERE chain_seq = ${edited}`.execute(db);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(db);
    await page.click('[data-testid=chain-check] button:has-text("校验哈希链")');
    await page.waitForSelector('[data-testid=chain-check] [data-result=broken]');
    await expect(page.locator('[data-testid=chain-check] [data-result]').textContent()).resolves.toContain(`第 ${edited} 条记录处断开`);
    await page.click(`[data-testid=chain-check] button:has-text("查看第 ${edited} 条")`);
    await page.waitForSelector(`[data-testid=audit-table] tr.broken[data-seq="${edited}"]`);
    await expect(tableRows().first().getAttribute('data-seq')).resolves.toBe(String(edited));
    await journey.shot('6-broken', { alert: true });
  });

  it('asked nothing of any other origin, threw no page errors and logged no console errors', () => {
    expectCleanRun(journey);
  });
});
