import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason } from '../helpers/browser.ts';
import { expectCleanRun, mapReady, startJourney, type Journey } from './support/journey.ts';

/**
 * The administrator's day: open the users section, create a police account for one community
 * (a wrong username first: the form says what is wrong, in Chinese, next to the field); the
 * account waits until a second administrator approves it (two people, 等保 三员分立); the new
 * user logs in with the temporary password and must choose their own before anything else —
 * then disable the account and see the login refused.
 */
const unavailable = browserUnavailableReason();
const NEW_USERNAME = 'liu.police';
/** The demo city's second administrator (server/auth/demo-users.ts): grants need two admins. */
const SECOND_ADMIN = 'admin2';
const OWN_PASSWORD = 'liu-own-password-2026';

describe.skipIf(unavailable)('admin journey (headless Chromium, real server)', () => {
  let journey: Journey;
  let community: { code: string; name: string };
  let temporaryPassword = '';

  beforeAll(async () => {
    journey = await startJourney('admin');
    const found = await sql<{ code: string; name: string }>`
      SELECT code, name FROM admin_areas WHERE level = 'community' ORDER BY code LIMIT 1`.execute(journey.server.handle.db);
    community = found.rows[0]!;
    expect(community).toBeDefined();
  });
  afterAll(async () => journey?.close());

  async function loginAnswer(username: string, password: string): Promise<number> {
    const response = await fetch(`${journey.server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    return response.status;
  }

  it('opens the users section: every demo account with its role', async () => {
    const { page } = journey;
    await journey.logIn('admin');
    await page.click('nav.sections button:has-text("用户与权限")');
    await page.waitForSelector('[data-testid=user-table]');
    expect(new URL(page.url()).searchParams.get('section')).toBe('users');
    for (const username of ['admin', 'admin2', 'auditor', 'collector', 'leader', 'planner', 'police']) {
      await page.waitForSelector(`[data-testid=user-table] tr[data-username="${username}"]`);
    }
    // The admin cannot disable their own account from here.
    await expect(page.locator('tr[data-username="admin"] button:has-text("停用")').count()).resolves.toBe(0);
    await journey.shot('1-users');
  });

  it('refuses a malformed username next to the field, in Chinese', async () => {
    const { page } = journey;
    await page.click('button:has-text("新建用户")');
    await page.waitForSelector('[data-testid=user-form]');
    await page.fill('#new-user-username', 'Liu Police');
    await page.fill('#new-user-name', '刘警官');
    await page.selectOption('#new-user-role', 'police');
    // The picker takes an area's name as well as its code.
    await page.fill('#new-user-area', community.name);
    await page.click('[data-testid=user-form] button:has-text("添加")');
    await expect(page.locator('[data-testid=jurisdiction-chips]').textContent()).resolves.toContain(community.code);
    await page.click('[data-testid=user-form] button:has-text("随机生成")');
    temporaryPassword = await page.inputValue('#new-user-password');
    expect(temporaryPassword).toMatch(/^[A-Za-z0-9]{16}$/);
    // The server turns the malformed username down (400): that refusal is the point of this step.
    journey.expectRefusal('/api/users', 400);
    await page.click('[data-testid=user-form] button[type=submit]');
    const error = page.locator('#new-user-username-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain('用户名须为 3–40 位小写字母');
    await journey.shot('2-username-error', { alert: true });
  });

  it('creates the account waiting for a second administrator; it cannot log in yet', async () => {
    const { page } = journey;
    await page.fill('#new-user-username', NEW_USERNAME);
    await page.click('[data-testid=user-form] button[type=submit]');
    await expect(page.locator('[data-testid=users-notice]').textContent()).resolves.toContain(
      `已建立账号 ${NEW_USERNAME}：其角色须由另一名管理员批准后才能登录`,
    );
    const row = page.locator(`[data-testid=user-table] tr[data-username="${NEW_USERNAME}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(new RegExp(`刘警官.*民警.*${community.name}.*在用.*待审批，不能登录.*待本人改密.*从未登录`));
    // The admin who asked sees the request, but may only withdraw it.
    const grant = page.locator(`[data-testid=pending-grants] tr[data-username="${NEW_USERNAME}"]`);
    await grant.waitFor();
    await expect(grant.textContent()).resolves.toContain('本人提出，须另一名管理员批准');
    await expect(grant.locator('button:has-text("批准")').count()).resolves.toBe(0);
    expect(await loginAnswer(NEW_USERNAME, temporaryPassword)).toBe(403);
    await journey.shot('3-created-pending');
  });

  it('a second administrator approves the account', async () => {
    const { page } = journey;
    await journey.logOut();
    await journey.logIn(SECOND_ADMIN);
    await page.click('nav.sections button:has-text("用户与权限")');
    const grant = page.locator(`[data-testid=pending-grants] tr[data-username="${NEW_USERNAME}"]`);
    await expect.poll(() => grant.textContent()).toMatch(new RegExp(`民警.*${community.name}.*新账号.*admin`));
    await journey.shot('4-approve');
    await grant.locator('button:has-text("批准")').click();
    await expect(page.locator('[data-testid=users-notice]').textContent()).resolves.toContain(`已批准 ${NEW_USERNAME} 的授权`);
    await page.waitForSelector('[data-testid=pending-grants] :text("没有待审批的授权")');
    await journey.logOut();
  });

  it('lets the new user log in with the temporary password only to choose their own, then as police in that community', async () => {
    const { page } = journey;
    await page.goto(journey.server.url + '/');
    await page.fill('#login-username', NEW_USERNAME);
    await page.fill('#login-password', temporaryPassword);
    await page.click('button[type=submit]');
    const form = page.locator('[data-testid=password-change]');
    await form.waitFor();
    await journey.shot('5-change-password');
    await page.fill('#password-current', temporaryPassword);
    await page.fill('#password-new', temporaryPassword);
    await page.fill('#password-repeat', temporaryPassword);
    await form.locator('button[type=submit]').click();
    await expect(form.locator('[role=alert]').textContent()).resolves.toContain('新密码不能与当前密码相同');
    await page.fill('#password-current', temporaryPassword);
    await page.fill('#password-new', OWN_PASSWORD);
    await page.fill('#password-repeat', OWN_PASSWORD);
    await form.locator('button[type=submit]').click();
    await page.waitForSelector('nav a[aria-current=page]');
    expect(new URL(page.url()).pathname).toBe('/police');
    await expect(page.locator('.top-bar').textContent()).resolves.toContain('刘警官');
    await mapReady(page);
    await journey.shot('6-new-user-home');
    await journey.logOut();
  });

  it('changes the account’s role and sets a new temporary password; the old one stops working', async () => {
    const { page } = journey;
    await journey.logIn('admin');
    await page.click('nav.sections button:has-text("用户与权限")');
    const row = page.locator(`tr[data-username="${NEW_USERNAME}"]`);
    await expect(row.textContent()).resolves.not.toContain('从未登录');
    await row.locator('button:has-text("修改")').click();
    const form = page.locator('[data-testid=user-form]');
    await form.locator('select[id$="-role"]').selectOption('leader');
    await journey.shot('7-edit');
    await form.locator('button[type=submit]').click();
    await expect(page.locator('[data-testid=users-notice]').textContent()).resolves.toContain(`已保存 ${NEW_USERNAME} 的修改`);
    await page.waitForFunction((username) => document.querySelector(`tr[data-username="${username}"] .role`)?.textContent === '领导', NEW_USERNAME);

    await row.locator('button:has-text("重置密码")').click();
    const reset = page.locator('[data-testid=password-reset]');
    await reset.locator('button:has-text("随机生成")').click();
    const newPassword = await reset.locator('input').inputValue();
    await reset.locator('button[type=submit]').click();
    await expect(page.locator('[data-testid=users-notice]').textContent()).resolves.toContain(`已为 ${NEW_USERNAME} 设置临时密码`);
    expect(await loginAnswer(NEW_USERNAME, temporaryPassword)).toBe(401);
    expect(await loginAnswer(NEW_USERNAME, newPassword)).toBe(200);
    temporaryPassword = newPassword;
  });

  it('disables the account with a confirming second click; its login is refused from then on', async () => {
    const { page } = journey;
    const row = page.locator(`tr[data-username="${NEW_USERNAME}"]`);
    await row.locator('button:has-text("停用")').click();
    await row.locator('button:has-text("确认停用")').click();
    // The notice of the step before stays until the PATCH answers: wait for the new one.
    await expect.poll(() => page.locator('[data-testid=users-notice]').textContent(), { timeout: 30_000 }).toContain(`已停用 ${NEW_USERNAME}`);
    await page.waitForSelector(`tr.disabled[data-username="${NEW_USERNAME}"]`);
    await journey.shot('8-disabled');
    expect(await loginAnswer(NEW_USERNAME, temporaryPassword)).toBe(401);
  });

  it('wrote each change into the audit log, never the password', async () => {
    const rows = await sql<{ action: string; details: string }>`
      SELECT action, details::text AS details FROM audit_log WHERE username = 'admin' AND target_type = 'user' AND action NOT IN ('login', 'logout')
      ORDER BY chain_seq`.execute(journey.server.handle.db);
    expect(rows.rows.map((row) => row.action)).toEqual(['create', 'update', 'reset_password', 'disable']);
    const approval = await sql<{ action: string }>`SELECT action FROM audit_log WHERE username = ${SECOND_ADMIN} AND action = 'approve_grant'`.execute(
      journey.server.handle.db,
    );
    expect(approval.rows).toHaveLength(1);
    const everything = await sql<{ row: string }>`SELECT row_to_json(a)::text AS row FROM audit_log a`.execute(journey.server.handle.db);
    expect(everything.rows.map((row) => row.row).join()).not.toMatch(new RegExp(`${temporaryPassword}|${OWN_PASSWORD}`));
  });

  it('publishes a new version of the rental scoring rules with one rule’s points changed', async () => {
    const { page } = journey;
    const db = journey.server.handle.db;
    const latest = async () => (await sql<{ version: number }>`SELECT max(version)::int AS version FROM rental_rule_versions`.execute(db)).rows[0]!.version;
    const before = await latest();
    await page.click('nav.sections button:has-text("评分规则")');
    const form = page.locator('section[aria-labelledby=rules-title] form');
    await form.waitFor();
    const firstPoints = form.locator('tbody input[type=number]').first();
    const ruleId = Number((await firstPoints.getAttribute('id'))!.replace('rule-', ''));
    const rule = await db.selectFrom('rental_rules').select(['label', 'points']).where('id', '=', ruleId).executeTakeFirstOrThrow();
    await firstPoints.fill(String(rule.points - 0.5));
    await form.locator('button[type=submit]').click();
    await expect(form.locator('[role=status]').textContent()).resolves.toContain(String(before + 1));
    await journey.shot('9-rules-published');
    expect(await latest()).toBe(before + 1);
    const published = await sql<{ points: number }>`
      SELECT points FROM rental_rules WHERE version = ${before + 1} AND label = ${rule.label}`.execute(db);
    expect(published.rows[0]?.points).toBe(rule.points - 0.5);
  });

  it('previews an updated register of units (1 to add, 1 to update), then imports it as previewed (issue 16.9)', async () => {
    const { page } = journey;
    const db = journey.server.handle.db;
    const found = await sql<{ code: string; building_code: string; floor: number; use: string; rental_registered: boolean }>`
      SELECT u.code, u.building_code, u.floor, u.use, u.rental_registered FROM units AS u JOIN buildings AS b ON b.code = u.building_code
      WHERE b.status <> 'demolished' ORDER BY u.code LIMIT 1`.execute(db);
    const unit = found.rows[0]!;
    const fresh = `${unit.building_code}009999`;
    const csv = [
      '房屋编码,所在楼层,房号,房屋用途,出租登记',
      `${unit.code},${unit.floor},E2E-1,${unit.use},${unit.rental_registered ? '是' : '否'}`,
      `${fresh},1,E2E-2,vacant,否`,
    ].join('\r\n');
    await page.click('nav.sections button:has-text("数据导入")');
    const panel = page.locator('section[aria-labelledby=imports-title]');
    await panel.locator('select').first().selectOption('units');
    await page.selectOption('[data-testid=import-mode]', 'upsert');
    await expect(panel.locator('a[href="/api/imports/templates/units.xlsx"]').count()).resolves.toBe(1);
    await panel.locator('input[type=file]').setInputFiles({ name: '房屋更新.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await panel.locator('button:has-text("预览")').click();
    const preview = page.locator('[data-testid=import-preview]');
    await preview.waitFor();
    await expect(preview.textContent()).resolves.toContain('将新增 1 行，更新 1 行，0 行不变');
    await expect(panel.locator('table.preview-rows tr[data-outcome=changed]').textContent()).resolves.toContain('E2E-1');
    await journey.shot('10-import-preview');
    expect((await db.selectFrom('units').select('room').where('code', '=', unit.code).executeTakeFirstOrThrow()).room).not.toBe('E2E-1');

    await panel.locator('button:has-text("按此预览导入")').click();
    await page.waitForSelector('section[aria-labelledby=imports-title] .job[data-status=done]:has-text("已导入 2 行")');
    const rooms = await db.selectFrom('units').select(['code', 'room']).where('code', 'in', [unit.code, fresh]).orderBy('code').execute();
    expect(rooms).toEqual(
      [
        { code: unit.code, room: 'E2E-1' },
        { code: fresh, room: 'E2E-2' },
      ].sort((a, b) => a.code.localeCompare(b.code)),
    );
  });

  it('asked nothing of any other origin, threw no page errors and logged no console errors', () => {
    expectCleanRun(journey);
  });
});
