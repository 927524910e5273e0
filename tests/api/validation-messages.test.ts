import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { FIXTURE } from '../helpers/fixture-city.ts';
import { importAndWait, importer, utf8Csv } from '../helpers/import-files.ts';
import {
  bornYearsAgo,
  countRows,
  daysAgo,
  floatingAdult,
  idCard,
  REGISTRATION,
  signedIn,
  startRegistrationApp,
  today,
} from '../helpers/registration-fixture.ts';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { addDays } from '../../server/domain/calendar.ts';
import { ORIGIN_TERMS } from '../../server/domain/rental-scoring.ts';

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

interface FieldError {
  field: string;
  code: string;
  message: string;
  messageZh: string;
}
const fieldsOf = (response: { body: { error: { details: { fields: FieldError[] } } } }) => response.body.error.details.fields;

describe('field errors name the field and the rule in both languages, first cause only', () => {
  it('reports a bad month in scores/run once, without also saying "from must not be after to"', async () => {
    const admin = await signedIn(t, 'admin');
    const response = await admin.post('/api/rentals/scores/run', { from: '2026-13', to: '2026-01' }).expect(400);
    expect(fieldsOf(response)).toEqual([
      { field: 'from', code: 'invalid_format', message: 'from month must be YYYY-MM', messageZh: 'from：月份须写作 YYYY-MM（如 2026-03）' },
    ]);
    const reversed = await admin.post('/api/rentals/scores/run', { from: '2026-03', to: '2026-01' }).expect(400);
    expect(fieldsOf(reversed)).toEqual([
      { field: 'to', code: 'from_after_to', message: 'from must not be after to', messageZh: expect.stringContaining('不能晚于') },
    ]);
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
    expect(fieldsOf(response)).toEqual([
      { field: 'rulesVersion', code: 'too_small', message: 'rulesVersion must be at least 1', messageZh: 'rulesVersion：不得小于 1' },
    ]);
  });

  it('refuses a future move-in for that reason alone, not for a registeredAt that was never sent', async () => {
    const before = await countRows(t);
    const collector = await signedIn(t, 'collector_west');
    const response = await collector
      .post('/api/registrations/move-in', {
        unitCode: REGISTRATION.westUnit(2, 1),
        movedIn: addDays(today(), 3),
        person: floatingAdult(idCard('1990-01-01', 43), '未来'),
      })
      .expect(400);
    expect(fieldsOf(response).map((entry) => [entry.field, entry.code])).toEqual([['movedIn', 'date_in_future']]);
    expect(await countRows(t)).toEqual(before);
  });
});

describe('every error answers in Chinese too (issue 15 item 9)', () => {
  const CJK = /[\u4e00-\u9fff]/;
  /** An English sentence left in the Chinese: three words in a row. */
  const ENGLISH_RUN = /[A-Za-z]+ [A-Za-z]+ [A-Za-z]+/;
  type Answer = { status: number; body: { error: { code: string; messageZh?: string; details?: { fields?: FieldError[] } } } };

  function expectChinese(answer: Answer): void {
    const { error } = answer.body;
    expect(answer.status, error.code).toBeGreaterThanOrEqual(400);
    expect(error.messageZh, error.code).toMatch(CJK);
    for (const field of error.details?.fields ?? []) {
      expect(field.messageZh, `${error.code} ${field.field}`).toMatch(CJK);
      expect(field.messageZh, `${error.code} ${field.field}`).not.toMatch(ENGLISH_RUN);
      expect(field.messageZh.startsWith(`${field.field}：`) || field.messageZh.includes(field.field), field.messageZh).toBe(true);
    }
  }

  it('across features: people, heatmaps, rentals, settings, drill-down, bodies and routes', async () => {
    const collector = await signedIn(t, 'collector_west');
    const leader = await signedIn(t, 'leader');
    const admin = await signedIn(t, 'admin');
    const police = await signedIn(t, 'police');
    const answers: Answer[] = [
      await collector.post('/api/registrations/move-in', {
        unitCode: REGISTRATION.westUnit(3, 1),
        movedIn: daysAgo(1),
        person: floatingAdult(idCard('1880-03-01', 61), '百岁'),
      }),
      await leader.get('/api/heatmaps/population?level=hex'),
      await leader.get('/api/heatmaps/population?level=hex&bbox=114,22,115'),
      await leader.get('/api/heatmaps/population?category=martians'),
      await admin.post('/api/rentals/rules', { rules: [{ factor: 'case', params: { caseKind: 'criminal' }, points: -4, label: '外地人租户' }], confirm: true }),
      await admin.post('/api/rentals/rules', { rules: [{ factor: 'case', params: { caseKind: 'criminal' }, points: 0.25, label: '每起刑事案件' }] }),
      await admin.send('put', '/api/collectors/settings', { mode: 'floating_or_rental' }),
      await police.get(`/api/drilldown/buildings/${FIXTURE.westHouse}`),
      await police.get('/api/units/123/occupants?purpose=case_investigation'),
      await police.post('/api/rentals/inspections', { buildingCode: FIXTURE.westHouse, visitedOn: daysAgo(40), doorsOk: true }),
      await admin.get('/api/no-such-route'),
      await admin.post('/api/rentals/rules', { rules: [] }),
    ];
    for (const answer of answers) expectChinese(answer as unknown as Answer);
    const [tooOld] = answers;
    expect(fieldsOf(tooOld as never)[0]!.messageZh).toMatch(/120 年/);
  });

  it('for a birth date over 120 years ago, in Chinese and English', async () => {
    const collector = await signedIn(t, 'collector_west');
    const passport = { idType: 'passport', idNumber: 'E12345678', name: 'Old', sex: 'M', birthDate: '1880-01-01', nationality: 'GBR', category: 'overseas' };
    const response = await collector.post('/api/registrations/move-in', { unitCode: REGISTRATION.westUnit(3, 1), movedIn: daysAgo(1), person: passport });
    expect(response.status).toBe(400);
    const tooOld = fieldsOf(response).find((entry) => entry.code === 'too_old');
    expect(tooOld).toMatchObject({
      field: 'person.birthDate',
      message: expect.stringMatching(/120 years/),
      messageZh: expect.stringMatching(/^person\.birthDate：.*120 年/),
    });
  });

  it('for a body that is not JSON and a wrong password', async () => {
    const admin = await signedIn(t, 'admin');
    const notJson = await request(t.app).post('/api/auth/login').set('Content-Type', 'application/json').send('{"username":');
    expectChinese(notJson as unknown as Answer);
    const wrong = await request(t.app).post('/api/auth/login').send({ username: 'admin', password: 'not-the-password' });
    expectChinese(wrong as unknown as Answer);
    expect(admin).toBeDefined();
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
    expect(fieldsOf(old)).toEqual([
      { field: 'visitedOn', code: 'backdated', message: expect.stringMatching(/31 days/), messageZh: expect.stringContaining('31') },
    ]);
    await police.post('/api/rentals/inspections', { ...visit, visitedOn: daysAgo(31) }).expect(201);
    const noRental = await police.post('/api/rentals/inspections', { buildingCode: FIXTURE.westShop, visitedOn: daysAgo(1), doorsOk: true }).expect(409);
    expect(noRental.body.error).toMatchObject({ code: 'not_a_rental', details: { field: 'buildingCode' } });
  });

  it('reports floors 0 and 250 as out of the 1–200 range, not as "must be a whole number"', async () => {
    const admin = await importer(t, 'admin');
    const building = (number: number, floors: number) => [
      `${FIXTURE.gridWest}${String(number).padStart(5, '0')}`,
      `测试路${number}号`,
      floors,
      '住宅',
      '物业式',
      '否',
      '否',
      '否',
      114.203,
      22.703,
    ];
    const headers = ['建筑物编码', '地址', '楼层数', '建筑用途', '管理模式', '门禁', '视频监控', '治安责任书', '经度', '纬度'];
    const { errors } = await importAndWait(
      admin,
      { kind: 'buildings', crs: 'wgs84', filename: 'floors.csv' },
      utf8Csv([headers, building(801, 0), building(802, 250)]),
    );
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

  // sql/0017_origin_words.sql: the database refuses what the API refuses, for a rule written by SQL.
  it.each([
    ['外地人', '外地人租户'],
    ['a province name', '广东籍租户加分'],
    ['老乡', '东北老乡群租'],
  ])('refuses an origin word (%s) in a label inserted straight into rental_rules', async (_what, label) => {
    const insert = sql`INSERT INTO rental_rules (version, factor, params, points, label) VALUES (1, 'clue', '{}', 1, ${label})`;
    await expect(insert.execute(t.handle.db)).rejects.toThrow(/rental_rule_never_names_region/);
  });

  it('mirrors every origin word of the API in a CHECK of the database', () => {
    const checks = ['0005_rentals.sql', '0017_origin_words.sql'].map((file) => fs.readFileSync(path.join('sql', file), 'utf8')).join('\n');
    const inChecks = [...checks.matchAll(/!~ '\(([^)]*)\)'/g)].flatMap((match) => match[1]!.split('|'));
    const covered = (term: string) => inChecks.some((pattern) => new RegExp(`^${pattern}$`).test(term) || term.includes(pattern));
    expect(ORIGIN_TERMS.filter((term) => !covered(term))).toEqual([]);
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
