import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreMonths } from '../../server/rentals/service.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { insertCase, insertInspection, insertRentalHouse, insertTenant } from '../helpers/rental-fixture.ts';
import { streetCodeOf } from '../../server/domain/codes.ts';

/** Rule editing, inspections, the visit schedule and overdue lists, person flags, and who may do what. */
let t: TestApp;
const DOMAIN_POINTS = [-3, -2, -3, -1, 2, -2, 5, 3, -3, 1, -1, 1, -1];
const collectors = { west: 0, east: 0 };

async function insertCollectorUser(username: string, gridCode: string, name: string): Promise<number> {
  const db = t.handle.db;
  const collector = await db
    .insertInto('collectors')
    .values({ name, phone: null, photo_url: null, employment: 'full_time', employer: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('collector_assignments')
    .values({ collector_id: collector.id, grid_code: gridCode, street_code: streetCodeOf(gridCode), assigned_on: '2024-01-01', ended_on: null })
    .execute();
  await insertUser(db, username, 'collector', [gridCode]);
  await db.updateTable('users').set({ collector_id: collector.id }).where('username', '=', username).execute();
  return collector.id;
}

const countOf = async (table: 'inspections' | 'rental_rule_versions' | 'rental_rules' | 'person_flags') =>
  Number((await t.handle.db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);

beforeAll(async () => {
  // Visits replay 2024 (scores by month): allow them to be dated that far back.
  t = await startTestApp({ INSPECTION_BACKDATE_DAYS: '36500' });
  await insertFixtureCity(t.handle.db);
  for (const role of ['admin', 'police', 'leader', 'planner', 'auditor'] as const)
    await insertUser(t.handle.db, role, role, role === 'admin' ? [] : [FIXTURE.district]);
  await insertUser(t.handle.db, 'east_police', 'police', [FIXTURE.gridEast]);
  collectors.west = await insertCollectorUser('west_collector', FIXTURE.gridWest, '西区采集员');
  collectors.east = await insertCollectorUser('east_collector', FIXTURE.gridEast, '东区采集员');
});
afterAll(async () => t?.close());

const validRule = { factor: 'case', params: { caseKind: 'criminal' }, points: -4, label: '每起刑事案件' };

describe('rule sets', () => {
  it('starts with the DOMAIN.md table as version 1, readable by every role', async () => {
    const planner = await t.logIn('planner');
    const response = await planner.get('/api/rentals/rules').expect(200);
    expect(response.body.version).toBe(1);
    expect(response.body.rules.map((rule: { points: number }) => rule.points)).toEqual(DOMAIN_POINTS);
  });

  it.each([
    ['a hukou-province parameter', { factor: 'tenant_flag', params: { flag: 'key_person', hukouProvince: '湖南' }, points: -2, label: '外省重点人员' }],
    ['an origin factor', { factor: 'tenant_origin', params: { region: 'north' }, points: -2, label: 'origin' }],
    ['a birthplace factor', { factor: 'birthplace', params: {}, points: -1, label: '出生地' }],
    ['an ethnicity parameter', { factor: 'tenant_flag', params: { flag: 'work_target', ethnicity: 'x' }, points: -1, label: 'x' }],
    ['a 籍贯 label', { factor: 'case', params: { caseKind: 'criminal' }, points: -3, label: '按籍贯加重' }],
  ])('refuses a rule on origin (%s) with discriminatory_rule and publishes nothing', async (_what, rule) => {
    const admin = await t.logIn('admin');
    const versionsBefore = await countOf('rental_rule_versions');
    const response = await admin.post('/api/rentals/rules', { rules: [validRule, rule] }).expect(400);
    expect(response.body.error.code).toBe('discriminatory_rule');
    expect(response.body.error.message).toMatch(/unlawful discrimination/);
    expect(response.body.error.details.field).toBe('rules.1');
    expect(await countOf('rental_rule_versions')).toBe(versionsBefore);
  });

  it.each([
    ['an origin label', sql`INSERT INTO rental_rules (version, factor, params, points, label) VALUES (1, 'clue', '{}', 1, '户籍为外省')`],
    [
      'an unknown parameter',
      sql`INSERT INTO rental_rules (version, factor, params, points, label) VALUES (1, 'tenant_flag', '{"flag": "key_person", "province": "x"}', -1, 'x')`,
    ],
    ['an origin factor', sql`INSERT INTO rental_rules (version, factor, params, points, label) VALUES (1, 'origin', '{}', -1, 'x')`],
  ])('refuses %s written straight into the table', async (_what, statement) => {
    const before = await countOf('rental_rules');
    await expect(statement.execute(t.handle.db)).rejects.toThrow(/check constraint|violates/);
    expect(await countOf('rental_rules')).toBe(before);
  });

  it('validates points, duplicates and factor parameters, naming the field', async () => {
    const admin = await t.logIn('admin');
    const zero = await admin.post('/api/rentals/rules', { rules: [{ ...validRule, points: 0 }] }).expect(400);
    expect(zero.body.error.details.fields[0].field).toBe('rules.0.points');
    const twice = await admin.post('/api/rentals/rules', { rules: [validRule, validRule] }).expect(400);
    expect(twice.body.error.details.fields[0].field).toBe('rules');
    const badParams = await admin.post('/api/rentals/rules', { rules: [{ ...validRule, params: { caseKind: 'arson' } }] }).expect(400);
    expect(badParams.body.error.details.fields[0].field).toBe('rules.0.params.caseKind');
    const police = await t.logIn('police');
    await police.post('/api/rentals/rules', { rules: [validRule] }).expect(403);
  });

  it('publishes an edit as a new version; scores record the version they used', async () => {
    const admin = await t.logIn('admin');
    const published = await admin.post('/api/rentals/rules', { note: '刑事案件加重', rules: [validRule], confirm: true }).expect(201);
    expect(published.body).toMatchObject({ version: 2, note: '刑事案件加重', rules: [{ factor: 'case', points: -4 }] });
    const old = await admin.get('/api/rentals/rules?version=1').expect(200);
    expect(old.body.rules).toHaveLength(13);

    const house = await insertRentalHouse(t.handle.db, 20);
    await insertCase(t.handle.db, house, 'criminal', '2024-02-10T09:00:00+08:00');
    await scoreMonths(t.handle.db, '2024-02-01', '2024-02-01');
    const latest = await t.handle.db
      .selectFrom('rental_scores')
      .select(['score', 'rules_version'])
      .where('building_code', '=', house)
      .executeTakeFirstOrThrow();
    expect(latest).toEqual({ score: 6, rules_version: 2 });
    await scoreMonths(t.handle.db, '2024-02-01', '2024-02-01', { rulesVersion: 1 });
    const first = await t.handle.db.selectFrom('rental_scores').select(['score', 'rules_version']).where('building_code', '=', house).executeTakeFirstOrThrow();
    expect(first).toEqual({ score: 7, rules_version: 1 });
  });
});

describe('inspections', () => {
  const westVisit = {
    buildingCode: FIXTURE.westHouse,
    unitCode: fixtureUnitCode(FIXTURE.westHouse, 1, 1),
    visitedOn: '2024-05-10',
    doorsOk: true,
    tenantsRegistered: true,
  };

  it('records a collector visit in their grid, with their collector id, and audits it', async () => {
    const collector = await t.logIn('west_collector');
    const response = await collector.post('/api/rentals/inspections', westVisit).expect(201);
    const row = await t.handle.db.selectFrom('inspections').selectAll().where('id', '=', response.body.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      building_code: FIXTURE.westHouse,
      inspector_role: 'collector',
      collector_id: collectors.west,
      doors_ok: true,
      hygiene_good: null,
      clue_given: false,
    });
    const audit = await t.handle.db
      .selectFrom('audit_log')
      .select(['action', 'username'])
      .where('target_type', '=', 'inspection')
      .where('target_id', '=', String(response.body.id))
      .execute();
    expect(audit).toEqual([{ action: 'create', username: 'west_collector' }]);
    const police = await t.logIn('police');
    const listed = await police.get(`/api/rentals/buildings/${FIXTURE.westHouse}/inspections`).expect(200);
    expect(listed.body.inspections[0]).toMatchObject({ id: response.body.id, role: 'collector', visitedOn: '2024-05-10', doorsOk: true });
  });

  it('refuses visits outside the grid, in the future, without findings or in another building, changing nothing', async () => {
    const collector = await t.logIn('west_collector');
    const before = await countOf('inspections');
    await collector.post('/api/rentals/inspections', { ...westVisit, buildingCode: FIXTURE.eastHouse, unitCode: undefined }).expect(404);
    const future = await collector.post('/api/rentals/inspections', { ...westVisit, visitedOn: '2999-01-01' }).expect(400);
    expect(future.body.error.details.fields[0].field).toBe('visitedOn');
    await collector.post('/api/rentals/inspections', { buildingCode: FIXTURE.westHouse, visitedOn: '2024-05-10' }).expect(400);
    const elsewhere = await collector.post('/api/rentals/inspections', { ...westVisit, unitCode: fixtureUnitCode(FIXTURE.westShop, 1, 1) }).expect(400);
    expect(elsewhere.body.error.code).toBe('unit_not_in_building');
    const leader = await t.logIn('leader');
    await leader.post('/api/rentals/inspections', westVisit).expect(403);
    expect(await countOf('inspections')).toBe(before);
  });

  it('feeds the next scoring: a visit finding no anti-theft door costs 3 points that month', async () => {
    const house = await insertRentalHouse(t.handle.db, 21);
    const police = await t.logIn('police');
    const visit = await police.post('/api/rentals/inspections', { buildingCode: house, visitedOn: '2024-05-10', doorsOk: false }).expect(201);
    await scoreMonths(t.handle.db, '2024-05-01', '2024-05-01', { rulesVersion: 1 });
    const card = await police.get(`/api/rentals/buildings/${house}?month=2024-05`).expect(200);
    expect(card.body).toMatchObject({ score: 7, tier: 'green' });
    expect(card.body.explanation.factors).toEqual([
      expect.objectContaining({
        factor: 'doors',
        label: '未装防盗门',
        points: -3,
        evidence: [expect.objectContaining({ type: 'inspection', inspectionId: visit.body.id, role: 'police', visitedOn: '2024-05-10', doorsOk: false })],
      }),
    ]);
  });
});

describe('visit schedule and overdue lists', () => {
  const houses = { red: '', yellow: '', green: '' };
  const asOf = '2024-07-10';

  beforeAll(async () => {
    const db = t.handle.db;
    // East grid, June 2024: two criminal cases → red; doors missing and bad hygiene → 6, yellow;
    // a good visit on 20 June → green.
    houses.red = await insertRentalHouse(db, 10, FIXTURE.gridEast);
    await insertCase(db, houses.red, 'criminal', '2024-06-03T22:00:00+08:00');
    await insertCase(db, houses.red, 'criminal', '2024-06-17T22:00:00+08:00');
    houses.yellow = await insertRentalHouse(db, 11, FIXTURE.gridEast);
    await insertInspection(db, houses.yellow, '2024-06-05', { doorsOk: false, hygieneGood: false });
    houses.green = await insertRentalHouse(db, 12, FIXTURE.gridEast);
    await insertInspection(db, houses.green, '2024-06-20', { hygieneGood: true });
    await scoreMonths(db, '2024-06-01', '2024-06-01', { rulesVersion: 1 });
  });

  it('follows each tier: red police and collector due from 1 July, yellow 14 days and green 30 days after the last visit', async () => {
    const leader = await t.logIn('leader');
    const response = await leader.get(`/api/rentals/overdue?gridCode=${FIXTURE.gridEast}&asOf=${asOf}`).expect(200);
    // Yellow: 5 June + 14 = 19 June, 21 days late. Red: never visited, due 1 July, 9 days late. Green: due 20 July.
    expect(response.body.visits.map((visit: Record<string, unknown>) => [visit.buildingCode, visit.tier, visit.role, visit.dueOn, visit.daysOverdue])).toEqual([
      [houses.yellow, 'yellow', 'collector', '2024-06-19', 21],
      [houses.red, 'red', 'collector', '2024-07-01', 9],
      [houses.red, 'red', 'police', '2024-07-01', 9],
    ]);
  });

  it('moves the schedule on when a visit is recorded, and lists one collector’s overdue visits', async () => {
    const police = await t.logIn('police');
    await police.post('/api/rentals/inspections', { buildingCode: houses.red, visitedOn: '2024-07-08', neighboursGood: true }).expect(201);
    const collector = await t.logIn('east_collector');
    const own = await collector.get(`/api/rentals/overdue?collectorId=${collectors.east}&asOf=${asOf}`).expect(200);
    expect(own.body.visits.map((visit: Record<string, unknown>) => [visit.buildingCode, visit.role, visit.daysOverdue])).toEqual([
      [houses.yellow, 'collector', 21],
      [houses.red, 'collector', 9],
    ]);
    const policeList = await police.get(`/api/rentals/overdue?gridCode=${FIXTURE.gridEast}&role=police&asOf=${asOf}`).expect(200);
    expect(policeList.body.visits).toEqual([]);
  });

  it('summarises per grid and per collector', async () => {
    const planner = await t.logIn('planner');
    const byGrid = await planner.get(`/api/rentals/overdue/summary?by=grid&asOf=${asOf}`).expect(200);
    expect(byGrid.body.rows.find((row: { key: string }) => row.key === FIXTURE.gridEast)).toEqual({
      key: FIXTURE.gridEast,
      name: '东网格',
      buildings: 3,
      policeOverdue: 0,
      collectorOverdue: 2,
    });
    const byCollector = await planner.get(`/api/rentals/overdue/summary?by=collector&asOf=${asOf}`).expect(200);
    expect(byCollector.body.rows.find((row: { key: string }) => row.key === String(collectors.east))).toEqual({
      key: String(collectors.east),
      name: '东区采集员',
      buildings: 3,
      policeOverdue: 0,
      collectorOverdue: 2,
    });
  });

  it('keeps collectors to their own grid', async () => {
    const west = await t.logIn('west_collector');
    await west.get(`/api/rentals/overdue?gridCode=${FIXTURE.gridEast}&asOf=${asOf}`).expect(404);
    const all = await west.get(`/api/rentals/overdue?asOf=${asOf}`).expect(200);
    expect(all.body.visits.every((visit: { gridCode: string }) => visit.gridCode === FIXTURE.gridWest)).toBe(true);
    const summary = await west.get(`/api/rentals/overdue/summary?by=grid&asOf=${asOf}`).expect(200);
    expect(summary.body.rows.map((row: { key: string }) => row.key)).toEqual([FIXTURE.gridWest]);
  });
});

describe('person flags and access', () => {
  it('lets police flag a tenant in their jurisdiction, audited, and no one else', async () => {
    const personId = await insertTenant(t.handle.db, fixtureUnitCode(FIXTURE.westHouse, 2, 1), { movedIn: '2024-03-01', registeredAt: '2024-03-02' });
    const body = { personId, flag: 'key_person', fromDate: '2024-04-01' };
    const police = await t.logIn('police');
    const created = await police.post('/api/rentals/person-flags', body).expect(201);
    const audit = await t.handle.db.selectFrom('audit_log').select(['action', 'target_id']).where('target_type', '=', 'person_flag').execute();
    expect(audit).toEqual([{ action: 'create', target_id: String(personId) }]);
    expect(created.body.id).toBeGreaterThan(0);
    const before = await countOf('person_flags');
    await (await t.logIn('east_police')).post('/api/rentals/person-flags', body).expect(404);
    await (await t.logIn('west_collector')).post('/api/rentals/person-flags', body).expect(403);
    const backwards = await police.post('/api/rentals/person-flags', { ...body, toDate: '2024-03-01' }).expect(400);
    expect(backwards.body.error.details.fields[0].field).toBe('toDate');
    expect(await countOf('person_flags')).toBe(before);
  });

  it.each([
    ['auditor', '/api/rentals/tiers', 403],
    ['admin', '/api/rentals/tiers/grids', 403],
    ['auditor', `/api/rentals/buildings/${FIXTURE.westHouse}`, 403],
    ['leader', `/api/rentals/buildings/${FIXTURE.westHouse}/inspections`, 403],
    ['auditor', '/api/rentals/rules', 200],
  ])('%s GET %s → %d', async (username, path, status) => {
    const agent = await t.logIn(username);
    await agent.get(path).expect(status);
  });
});
