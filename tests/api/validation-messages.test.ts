import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { FIXTURE } from '../helpers/fixture-city.ts';
import { importAndWait, importer, utf8Csv } from '../helpers/import-files.ts';
import {
  bornYearsAgo, countRows, daysAgo, floatingAdult, idCard, REGISTRATION, signedIn, startRegistrationApp, today,
} from '../helpers/registration-fixture.ts';
import { addDays } from '../../server/domain/registration-rules.ts';

/**
 * Issue 15, items 8 and 9: the gaps a replay of field cases found in validation (a 146-year-old,
 * backdated visits, visits at houses with no rental, floors out of range, a rule set that silently
 * drops rules, origin words in labels), and messages a collector understands: every field error
 * names the field and the rule in English and Chinese, and only its first cause.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startRegistrationApp();
});
afterAll(async () => t?.close());

interface FieldError { field: string; code: string; message: string; messageZh: string }
const fieldsOf = (response: { body: { error: { details: { fields: FieldError[] } } } }) => response.body.error.details.fields;

describe('field errors name the field and the rule in both languages, first cause only', () => {
  it('reports a bad month in scores/run once, without also saying "from must not be after to"', async () => {
    const admin = await signedIn(t, 'admin');
    const response = await admin.post('/api/rentals/scores/run', { from: '2026-13', to: '2026-01' }).expect(400);
    expect(fieldsOf(response)).toEqual([
      { field: 'from', code: 'invalid_format', message: 'from month must be YYYY-MM', messageZh: 'from：月份须写作 YYYY-MM（如 2026-03）' },
    ]);
    const reversed = await admin.post('/api/rentals/scores/run', { from: '2026-03', to: '2026-01' }).expect(400);
    expect(fieldsOf(reversed)).toEqual([{ field: 'to', code: 'from_after_to', message: 'from must not be after to', messageZh: expect.stringContaining('不能晚于') }]);
  });

  it('says which settings are missing instead of zod’s "expected string, received undefined"', async () => {
    const admin = await signedIn(t, 'admin');
    const response = await admin.send('put', '/api/collectors/settings', { mode: 'floating_or_rental', floatingPerCollector: 500 }).expect(400);
    const fields = fieldsOf(response);
    expect(fields.map((entry) => entry.field)).toContain('rentalHousesPerCollector');
    for (const entry of fields) {
      expect(entry.code).toBe('required');
      expect(entry.message).toBe(`${entry.field} is required`);
      expect(entry.messageZh).toBe(`${entry.field}：为必填项`);
    }
    expect(JSON.stringify(response.body)).not.toMatch(/Invalid input|received undefined/);
  });

  it('reports a missing purpose as required, naming purpose', async () => {
    const police = await signedIn(t, 'police');
    const response = await police.get(`/api/drilldown/buildings/${FIXTURE.westHouse}`).expect(400);
    expect(fieldsOf(response)).toEqual([{ field: 'purpose', code: 'required', message: 'purpose is required', messageZh: 'purpose：为必填项' }]);
  });

  it('reports one cause per field: a number out of range is not also a type error', async () => {
    const admin = await signedIn(t, 'admin');
    const response = await admin.post('/api/rentals/scores/run', { from: '2026-01', to: '2026-01', rulesVersion: 0 }).expect(400);
    expect(fieldsOf(response)).toEqual([{ field: 'rulesVersion', code: 'too_small', message: 'rulesVersion must be at least 1', messageZh: 'rulesVersion：不得小于 1' }]);
  });

  it('refuses a future move-in for that reason alone, not for a registeredAt that was never sent', async () => {
    const before = await countRows(t);
    const collector = await signedIn(t, 'collector_west');
    const response = await collector.post('/api/registrations/move-in', {
      unitCode: REGISTRATION.westUnit(2, 1), movedIn: addDays(today(), 3), person: floatingAdult(idCard('1990-01-01', 43), '未来'),
    }).expect(400);
    expect(fieldsOf(response).map((entry) => [entry.field, entry.code])).toEqual([['movedIn', 'date_in_future']]);
    expect(await countRows(t)).toEqual(before);
  });
});

describe('validation gaps', () => {
  it('refuses a person born more than 120 years ago, and takes one of 119', async () => {
    const collector = await signedIn(t, 'collector_west');
    const body = (idNumber: string) => ({ unitCode: REGISTRATION.westUnit(3, 1), movedIn: daysAgo(1), person: floatingAdult(idNumber, '百岁') });
    const tooOld = await collector.post('/api/registrations/move-in', body(idCard('1880-03-01', 61))).expect(400);
    expect(fieldsOf(tooOld)[0]).toMatchObject({ field: 'person.idNumber', code: 'invalid_id_number', message: expect.stringMatching(/120 years/) });
    await collector.post('/api/registrations/move-in', body(idCard(bornYearsAgo(121), 63))).expect(400);
    await collector.post('/api/registrations/move-in', body(idCard(bornYearsAgo(119), 65))).expect(201);
  });

  it('refuses a visit backdated more than 31 days, and rental findings at a building with no rental', async () => {
    const police = await signedIn(t, 'police');
    const visit = { buildingCode: FIXTURE.westHouse, doorsOk: true };
    const old = await police.post('/api/rentals/inspections', { ...visit, visitedOn: daysAgo(32) }).expect(400);
    expect(fieldsOf(old)).toEqual([{ field: 'visitedOn', code: 'backdated', message: expect.stringMatching(/31 days/), messageZh: expect.stringContaining('31') }]);
    await police.post('/api/rentals/inspections', { ...visit, visitedOn: daysAgo(31) }).expect(201);
    const noRental = await police.post('/api/rentals/inspections', { buildingCode: FIXTURE.westShop, visitedOn: daysAgo(1), doorsOk: true }).expect(409);
    expect(noRental.body.error).toMatchObject({ code: 'not_a_rental', details: { field: 'buildingCode' } });
  });

  it('reports floors 0 and 250 as out of the 1–200 range, not as "must be a whole number"', async () => {
    const admin = await importer(t, 'admin');
    const building = (number: number, floors: number) => [`${FIXTURE.gridWest}${String(number).padStart(5, '0')}`, `测试路${number}号`, floors, '住宅', '物业式', '否', '否', '否', 114.203, 22.703];
    const headers = ['建筑物编码', '地址', '楼层数', '建筑用途', '管理模式', '门禁', '视频监控', '治安责任书', '经度', '纬度'];
    const { errors } = await importAndWait(admin, { kind: 'buildings', crs: 'wgs84', filename: 'floors.csv' }, utf8Csv([headers, building(801, 0), building(802, 250)]));
    expect(errors.map((error: { reason: string }) => error.reason)).toEqual(['must be a whole number from 1 to 200', 'must be a whole number from 1 to 200']);
  });
});

describe('publishing rules', () => {
  const validRule = { factor: 'case', params: { caseKind: 'criminal' }, points: -4, label: '每起刑事案件' };

  it('answers 409 confirmation_required listing the rules a new version removes, and publishes with confirm: true', async () => {
    const admin = await signedIn(t, 'admin');
    const current = await admin.get('/api/rentals/rules').expect(200);
    const asked = await admin.post('/api/rentals/rules', { rules: [validRule] }).expect(409);
    expect(asked.body.error.code).toBe('confirmation_required');
    const removed = asked.body.error.details.removed as { factor: string; label: string }[];
    expect(removed).toHaveLength(current.body.rules.length - 1);
    expect(removed.map((rule) => rule.factor)).not.toContain(undefined);
    expect((await admin.get('/api/rentals/rules').expect(200)).body.version).toBe(current.body.version);
    const published = await admin.post('/api/rentals/rules', { rules: [validRule], confirm: true }).expect(201);
    expect(published.body.version).toBe(current.body.version + 1);
    // Keeping every rule (points changed) needs no confirmation.
    await admin.post('/api/rentals/rules', { rules: [{ ...validRule, points: -5 }] }).expect(201);
  });

  it.each([
    ['外地人', '外地人租户'],
    ['a province name', '广东籍租户加分'],
    ['户籍', '非本地户籍'],
    ['民族', '少数民族'],
  ])('refuses an origin word in a label (%s) as discriminatory_rule', async (_what, label) => {
    const admin = await signedIn(t, 'admin');
    const response = await admin.post('/api/rentals/rules', { rules: [{ ...validRule, label }], confirm: true }).expect(400);
    expect(response.body.error.code).toBe('discriminatory_rule');
  });
});

describe('rental_case_share', () => {
  it('can be limited to criminal cases', async () => {
    const planner = await signedIn(t, 'planner');
    const all = await planner.get(`/api/kpis?area=${FIXTURE.district}`).expect(200);
    const criminal = await planner.get(`/api/kpis?area=${FIXTURE.district}&caseKind=criminal`).expect(200);
    const share = (body: { kpis: { key: string; definition: string }[] }) => body.kpis.find((kpi) => kpi.key === 'rental_case_share')!;
    expect(share(criminal.body).definition).toMatch(/criminal/);
    expect(share(all.body).definition).not.toMatch(/criminal cases/);
  });
});

