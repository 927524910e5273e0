import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCheckCharacter } from '../../server/domain/id-number.ts';
import { browserUnavailableReason } from '../helpers/browser.ts';
import { apiAs } from './support/api.ts';
import { expectCleanRun, mapReady, startJourney, type Journey } from './support/journey.ts';

/**
 * Issue 4's "done when", in a browser: a collector registers a family (an adult and a child
 * under 16) moving into a unit of their grid through the form — a mistyped ID number first, which
 * the form marks next to the field in Chinese — then police open that building's floor plan and
 * see the new occupants.
 */
const unavailable = browserUnavailableReason();
const PURPOSE = '日常核查';
const ADULT_NAME = '陈建国';
const CHILD_NAME = '陈小雨';
const SHOPKEEPER_NAME = '林店主';

interface UnitOccupantsAnswer {
  current: { registrationExempt: boolean; person: { idNumber: string; name: string } }[];
}

/** A valid ID number nobody in the database holds yet (Changsha division, given birth date, odd = male). */
async function freeIdNumber(journey: Journey, birth: string, male: boolean): Promise<string> {
  for (let sequence = male ? 901 : 902; sequence < 1000; sequence += 2) {
    const id = withCheckCharacter(`430102${birth}${sequence}`);
    const taken = await journey.server.handle.db.selectFrom('persons').select('id').where('id_number', '=', id).executeTakeFirst();
    if (!taken) return id;
  }
  throw new Error(`no free ID number for birth date ${birth}`);
}

/** The same number with a wrong check character. */
const withWrongCheck = (id: string) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0');

describe.skipIf(unavailable)('collector journey (headless Chromium, real server)', () => {
  let journey: Journey;
  let adultId = '';
  let childId = '';
  let buildingCode = '';
  let unit = { code: '', room: '', occupants: 0 };

  beforeAll(async () => {
    journey = await startJourney('collector');
    const childBirthYear = new Date().getUTCFullYear() - 8;
    adultId = await freeIdNumber(journey, '19900315', true);
    childId = await freeIdNumber(journey, `${childBirthYear}0601`, false);
  });
  afterAll(async () => journey?.close());

  it('opens my grid and states the purpose', async () => {
    const { page } = journey;
    await journey.logIn('collector');
    expect(new URL(page.url()).pathname).toBe('/my-grid');
    await mapReady(page);
    await page.selectOption('#purpose-choice', { label: PURPOSE });
    await journey.shot('1-my-grid');
  });

  it('clicks a house of the grid on the map and picks its emptiest unit', async () => {
    const { page } = journey;
    const db = journey.server.handle.db;
    // A lived-in house of the collector's grid, and the view of it a colleague would bookmark.
    const house = (
      await sql<{ code: string; lon: number; lat: number }>`
      SELECT b.code, ST_X(b.point) AS lon, ST_Y(b.point) AS lat FROM buildings b, users u
      WHERE u.username = 'collector' AND b.grid_code = ANY (u.jurisdiction) AND b.status = 'active' AND b.footprint IS NOT NULL
        AND EXISTS (SELECT 1 FROM units n WHERE n.building_code = b.code AND n.use <> 'shop')
      ORDER BY b.code LIMIT 1`.execute(db)
    ).rows[0]!;
    expect(house).toBeDefined();
    await page.goto(`${journey.server.url}/my-grid?z=18.5&c=${house.lon},${house.lat}`);
    await mapReady(page);
    // The house sits in the middle of the map: click it once its tiles are drawn.
    await page.waitForLoadState('networkidle');
    const frame = (await page.locator('[data-testid=map-frame]').boundingBox())!;
    await page.mouse.click(frame.x + frame.width / 2, frame.y + frame.height / 2);
    await page.waitForFunction(() => new URL(location.href).searchParams.has('b'));
    buildingCode = new URL(page.url()).searchParams.get('b')!;
    expect(buildingCode).toBe(house.code);
    await page.waitForSelector('[data-testid=floor-plan]');
    const emptiest = await sql<{ code: string; room: string; occupants: number }>`
      SELECT u.code, u.room, count(r.id)::int AS occupants FROM units u
      LEFT JOIN residencies r ON r.unit_code = u.code AND r.moved_out IS NULL
      WHERE u.building_code = ${buildingCode} AND u.use <> 'shop'
      GROUP BY u.code, u.room ORDER BY occupants, u.code LIMIT 1`.execute(db);
    unit = emptiest.rows[0]!;
    await page.click(`[data-testid=floor-plan] [data-unit="${unit.code}"]`);
    await page.waitForSelector('[data-testid=move-in-form]');
    await page.locator('[data-testid=move-in-form]').scrollIntoViewIfNeeded();
    await journey.shot('2-unit');
  });

  it('marks a mistyped ID number next to the field, in Chinese, and registers nobody', async () => {
    const { page } = journey;
    // The server turns the wrong check character down (400): that refusal is the point of this step.
    journey.expectRefusal('/api/registrations/move-ins', 400);
    await page.fill('#people-0-idNumber', withWrongCheck(adultId));
    await page.fill('#people-0-name', ADULT_NAME);
    await page.click('[data-testid=move-in-form] button:has-text("添加家庭成员")');
    await page.fill('#people-1-idNumber', childId);
    await page.fill('#people-1-name', CHILD_NAME);
    await page.click('[data-testid=move-in-form] button:has-text("登记 2 人入住")');
    const error = page.locator('[data-testid=move-in-form] [data-field="people.0.idNumber"]');
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain('身份证号码不正确');
    await expect(page.locator('#people-0-idNumber').getAttribute('aria-invalid')).resolves.toBe('true');
    const registered = await journey.server.handle.db.selectFrom('persons').select('id').where('id_number', 'in', [adultId, childId]).execute();
    expect(registered).toEqual([]);
    await error.scrollIntoViewIfNeeded();
    await journey.shot('3-id-error', { alert: true });
  });

  it('registers the family once the number is corrected; the occupants list shows them, IDs masked', async () => {
    const { page } = journey;
    await page.fill('#people-0-idNumber', adultId);
    await page.click('[data-testid=move-in-form] button:has-text("登记 2 人入住")');
    await expect(page.locator('[data-testid=move-in-form] [role=status]').textContent()).resolves.toContain(`已登记 2 人入住 ${unit.room} 室`);
    const occupants = page.locator('[data-testid=current-occupants]');
    await page.waitForFunction(
      (names) => names.every((name) => document.querySelector('[data-testid=current-occupants]')?.textContent?.includes(name)),
      [ADULT_NAME, CHILD_NAME],
    );
    // A collector sees the first 6 and last 4 characters only.
    await expect(occupants.textContent()).resolves.not.toContain(adultId);
    await expect(occupants.textContent()).resolves.toContain(`${adultId.slice(0, 6)}`);
    await occupants.scrollIntoViewIfNeeded();
    await journey.shot('4-registered');
  });

  it('the API holds both residencies in that unit, the child exempt from the adult duty', async () => {
    const police = await apiAs(journey.server.url, 'police');
    const answer = (await police('GET', `/api/units/${unit.code}/occupants?purpose=${encodeURIComponent(PURPOSE)}`)) as UnitOccupantsAnswer;
    const byId = new Map(answer.current.map((stay) => [stay.person.idNumber, stay]));
    expect(answer.current).toHaveLength(unit.occupants + 2);
    expect(byId.get(adultId)).toMatchObject({ registrationExempt: false, person: { name: ADULT_NAME } });
    expect(byId.get(childId)).toMatchObject({ registrationExempt: true, person: { name: CHILD_NAME } });
  });

  it('records a visit to the unit: nothing pre-answered; doors checked, the child found at home, the adult not, the rest unchecked', async () => {
    const { page } = journey;
    const form = page.locator('[data-testid=inspection-form]');
    await form.scrollIntoViewIfNeeded();
    // A check counts in 人户一致率: every person starts as 未核对, none as found or not found.
    const people = form.locator('fieldset.people');
    await expect(people.locator('input[type=radio][value=unchecked]:checked').count()).resolves.toBe(unit.occupants + 2);
    await expect(people.locator('input[type=radio][value=yes]:checked, input[type=radio][value=no]:checked').count()).resolves.toBe(0);
    await expect(form.locator('input[type=checkbox]:checked').count()).resolves.toBe(0);
    await form.locator('input[name=inspection-doorsOk][value=yes]').check();
    await people.getByRole('radiogroup', { name: CHILD_NAME }).locator('input[value=yes]').check();
    await people.getByRole('radiogroup', { name: ADULT_NAME }).locator('input[value=no]').check();
    await form.locator('button[type=submit]').click();
    await expect(form.locator('[role=status]').textContent()).resolves.toContain('核对 2 人');
    await journey.shot('5-visit');
    const checks = await sql<{ id_number: string; found_here: boolean; registered_here: boolean; doors_ok: boolean }>`
      SELECT p.id_number, c.found_here, c.registered_here, i.doors_ok FROM inspection_person_checks c
      JOIN inspections i ON i.id = c.inspection_id JOIN persons p ON p.id = c.person_id
      WHERE i.id = (SELECT max(id) FROM inspections WHERE unit_code = ${unit.code})
      ORDER BY p.id_number = ${adultId} DESC`.execute(journey.server.handle.db);
    // Only the two answered checks are recorded: the other occupants were not checked.
    expect(checks.rows).toEqual([
      { id_number: adultId, found_here: false, registered_here: true, doors_ok: true },
      { id_number: childId, found_here: true, registered_here: true, doors_ok: true },
    ]);
  });

  it('warns before a move-in into a shop (商铺) and registers only once the collector confirms', async () => {
    const { page } = journey;
    const db = journey.server.handle.db;
    const shop = (
      await sql<{ building: string; unit: string; room: string; lon: number; lat: number }>`
      SELECT b.code AS building, n.code AS unit, n.room, ST_X(b.point) AS lon, ST_Y(b.point) AS lat FROM units n
      JOIN buildings b ON b.code = n.building_code JOIN users u ON u.username = 'collector'
      WHERE n.use = 'shop' AND b.grid_code = ANY (u.jurisdiction) AND b.status = 'active' ORDER BY n.code LIMIT 1`.execute(db)
    ).rows[0]!;
    expect(shop).toBeDefined();
    const shopkeeperId = await freeIdNumber(journey, '19850505', true);
    await page.goto(`${journey.server.url}/my-grid?z=18.5&c=${shop.lon},${shop.lat}&b=${shop.building}&u=${shop.unit}`);
    const form = page.locator('[data-testid=move-in-form]');
    await form.waitFor();
    // The warning stands before anything is sent (the API's own 409 is tested in tests/api/registrations.test.ts).
    const warning = form.locator('[data-testid=unit-use-warning]');
    await warning.waitFor();
    await expect(warning.textContent()).resolves.toContain('商铺');
    await page.fill('#people-0-idNumber', shopkeeperId);
    await page.fill('#people-0-name', SHOPKEEPER_NAME);
    await warning.scrollIntoViewIfNeeded();
    await journey.shot('5b-shop-warning');
    const notYet = await db.selectFrom('persons').select('id').where('id_number', '=', shopkeeperId).execute();
    expect(notYet).toEqual([]);
    await warning.locator('button:has-text("确认在此居住并登记")').click();
    await expect(form.locator('[role=status]').textContent()).resolves.toContain(`已登记 1 人入住 ${shop.room} 室`);
    const stay = await sql<{ unit_code: string }>`
      SELECT r.unit_code FROM residencies r JOIN persons p ON p.id = r.person_id WHERE p.id_number = ${shopkeeperId}`.execute(db);
    expect(stay.rows).toEqual([{ unit_code: shop.unit }]);
  });

  it('lists a vacant unit a tenant moved into as a unit to check, with its reason, and clears it with the use found', async () => {
    const { page } = journey;
    const db = journey.server.handle.db;
    const vacant = (
      await sql<{ code: string; room: string }>`
      SELECT n.code, n.room FROM units n JOIN buildings b ON b.code = n.building_code JOIN users u ON u.username = 'collector'
      WHERE n.use = 'vacant' AND n.to_check IS NULL AND b.grid_code = ANY (u.jurisdiction) AND b.status = 'active' ORDER BY n.code LIMIT 1`.execute(db)
    ).rows[0]!;
    expect(vacant).toBeDefined();
    // A tenant's move-in, registered by a colleague: the register now calls the unit let but not registered as a rental.
    const collector = await apiAs(journey.server.url, 'collector');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const tenant = { idType: 'id_card', idNumber: await freeIdNumber(journey, '19920707', true), name: '周租客', category: 'floating', floatingType: 'single' };
    await collector('POST', '/api/registrations/move-in', { unitCode: vacant.code, movedIn: today, person: tenant });
    await page.goto(`${journey.server.url}/my-grid`);
    const item = page.locator(`[data-testid=units-to-check] li[data-unit="${vacant.code}"]`);
    await item.waitFor();
    await expect(item.locator('.reason').textContent()).resolves.toContain('已出租但未办出租登记');
    await item.scrollIntoViewIfNeeded();
    await journey.shot('5c-unit-to-check');
    await item.locator('select').selectOption({ label: '出租' });
    await item.locator('button:has-text("记录核查")').click();
    await expect(page.locator('[data-testid=units-to-check] [role=status]').textContent()).resolves.toContain(`${vacant.room} 室已核查，用途：出租`);
    await item.waitFor({ state: 'detached' });
    const checked = await db.selectFrom('units').select(['use', 'to_check']).where('code', '=', vacant.code).executeTakeFirstOrThrow();
    expect(checked).toEqual({ use: 'rented', to_check: null });
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'username'])
      .where('target_type', '=', 'unit')
      .where('target_id', '=', vacant.code)
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'unit_use_change', username: 'collector' },
      { action: 'update', username: 'collector' },
    ]);
  });

  it('police find the adult, open the building floor by floor and see both new occupants', async () => {
    const { page } = journey;
    await journey.logOut();
    await journey.logIn('police');
    await page.selectOption('#purpose-choice', { label: PURPOSE });
    await page.fill('#search-text', adultId);
    await page.click('form[role=search] button[type=submit]');
    const hit = page.locator('[data-testid=search-results] button', { hasText: ADULT_NAME });
    await hit.waitFor();
    await hit.click();
    await page.waitForFunction((code) => new URL(location.href).searchParams.get('u') === code, unit.code);
    expect(new URL(page.url()).searchParams.get('b')).toBe(buildingCode);
    const cell = page.locator(`[data-testid=floor-plan] [data-unit="${unit.code}"]`);
    await expect(cell.getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(cell.locator('.count').textContent()).resolves.toContain(String(unit.occupants + 2));
    await page.waitForFunction(
      (names) => names.every((name) => document.querySelector('[data-testid=current-occupants]')?.textContent?.includes(name)),
      [ADULT_NAME, CHILD_NAME],
    );
    // Police see the full numbers.
    await expect(page.locator('[data-testid=current-occupants]').textContent()).resolves.toContain(childId);
    await page.locator('[data-testid=unit-occupants]').scrollIntoViewIfNeeded();
    await journey.shot('6-police-floor-plan');
  });

  it('asked nothing of any other origin, threw no page errors and logged no console errors', () => {
    expectCleanRun(journey);
  });
});
