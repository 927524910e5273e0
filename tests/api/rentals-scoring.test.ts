import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScoreExplanation } from '../../server/domain/rental-scoring.ts';
import { scoreMonths } from '../../server/rentals/service.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { insertCase, insertInspection, insertPersonFlag, insertRentalHouse, insertTenant, tiersOf } from '../helpers/rental-fixture.ts';

/**
 * Month-by-month scenarios scored from the database (Jan 2024 – Mar 2025, rule set version 1:
 * base 10, key person −3, work target −2, criminal −3, public order −1, registration ±2,
 * clue +5, doors ±3, neighbours ±1, hygiene ±1). Expected tiers are worked out by hand below.
 */
let t: TestApp;
const house = { cases: '', flags: '', star: '', late: '', timezone: '' };
const tenants = { keyPerson: 0, workTarget: 0 };

/** Month → tier, listing every month so a wrong one shows where. */
function expectedTiers(spans: [string, string, string][]): Record<string, string> {
  const tiers: Record<string, string> = {};
  for (const [from, to, tier] of spans) {
    for (let month = from; month <= to; month = nextMonth(month)) tiers[month] = tier;
  }
  return tiers;
}
const nextMonth = (month: string) => {
  const [year, number] = month.split('-').map(Number) as [number, number];
  return number === 12 ? `${year + 1}-01` : `${year}-${String(number + 1).padStart(2, '0')}`;
};

beforeAll(async () => {
  t = await startTestApp();
  const db = t.handle.db;
  await insertFixtureCity(db);
  await insertUser(db, 'police', 'police', [FIXTURE.district]);
  await insertUser(db, 'leader', 'leader', [FIXTURE.district]);
  await insertUser(db, 'east_collector', 'collector', [FIXTURE.gridEast]);

  // Two criminal cases within 6 months (January and March 2024).
  house.cases = await insertRentalHouse(db, 3);
  await insertCase(db, house.cases, 'criminal', '2024-01-15T10:00:00+08:00');
  await insertCase(db, house.cases, 'criminal', '2024-03-10T10:00:00+08:00');

  // A key person and a work target live here, flagged for January and February 2024 only. They moved in
  // (registered on time) over 12 months before, so the landlord's conduct is no longer known (issue 15.3).
  house.flags = await insertRentalHouse(db, 4);
  const flagUnit = fixtureUnitCode(house.flags, 1, 1);
  tenants.keyPerson = await insertTenant(db, flagUnit, { movedIn: '2022-12-01', registeredAt: '2022-12-03' });
  tenants.workTarget = await insertTenant(db, flagUnit, { movedIn: '2022-12-01', registeredAt: '2022-12-02' });
  await insertPersonFlag(db, tenants.keyPerson, 'key_person', '2024-01-01', '2024-02-29');
  await insertPersonFlag(db, tenants.workTarget, 'work_target', '2024-01-01', '2024-02-29');

  // A cooperative landlord: tenant registered after 3 days, a visit in January finds all good and a clue.
  house.star = await insertRentalHouse(db, 5);
  await insertTenant(db, fixtureUnitCode(house.star, 1, 1), { movedIn: '2024-01-05', registeredAt: '2024-01-08' });
  await insertInspection(db, house.star, '2024-01-20', { doorsOk: true, hygieneGood: true, neighboursGood: true, tenantsRegistered: true, clueGiven: true });

  // A tenant registered 14 days late in February; a visit that month finds no anti-theft door.
  house.late = await insertRentalHouse(db, 6);
  await insertTenant(db, fixtureUnitCode(house.late, 1, 1), { movedIn: '2024-02-01', registeredAt: '2024-02-15' });
  await insertInspection(db, house.late, '2024-02-20', { doorsOk: false });
  // The late registration holds until contradicted (issue 15.3): a visit in March finds the tenants registered.
  await insertInspection(db, house.late, '2024-03-05', { tenantsRegistered: true });

  // A public-order case at 01:00 on 1 May China time, still 30 April in UTC.
  house.timezone = await insertRentalHouse(db, 7);
  await insertCase(db, house.timezone, 'public_order', '2024-05-01T01:00:00+08:00');

  await scoreMonths(db, '2024-01-01', '2025-03-01');
});
afterAll(async () => t?.close());

describe('tier transitions month by month', () => {
  it('turns red on the second criminal case within 6 months, yellow after 3 clean months, green 12 months after the last case', async () => {
    // Jan: 10 − 3 = 7 but a criminal case this year caps it at yellow; Mar: second case → red;
    // Apr, May, Jun clean → yellow in Jun; green once Apr 2024 – Mar 2025 has no criminal case.
    expect(await tiersOf(t.handle.db, house.cases)).toEqual(
      expectedTiers([
        ['2024-01', '2024-02', 'yellow'],
        ['2024-03', '2024-05', 'red'],
        ['2024-06', '2025-02', 'yellow'],
        ['2025-03', '2025-03', 'green'],
      ]),
    );
  });

  it('is red on its score while flagged tenants live there and recovers through yellow after 3 clean months', async () => {
    // Jan, Feb: 10 − 3 − 2 = 5 → red. Mar, Apr: score 10 but only 1 and 2 clean months → red.
    // May: third clean month → yellow. Jun on: green (no criminal case, no clue, so no star).
    expect(await tiersOf(t.handle.db, house.flags)).toEqual(
      expectedTiers([
        ['2024-01', '2024-04', 'red'],
        ['2024-05', '2024-05', 'yellow'],
        ['2024-06', '2025-03', 'green'],
      ]),
    );
  });

  it('is star while the landlord cooperates and gave a clue within 12 months, then green', async () => {
    // Jan: 10 + 2 + 5 + 3 + 1 + 1 = 22; Feb–Dec: 10 + 2 + 3 + 1 + 1 = 17 with the findings and conduct carried;
    // Jan 2025: the clue, the on-time registration and the findings are over 12 months old → 10, green.
    expect(await tiersOf(t.handle.db, house.star)).toEqual(
      expectedTiers([
        ['2024-01', '2024-12', 'star'],
        ['2025-01', '2025-03', 'green'],
      ]),
    );
  });

  it('is red for late registration and missing doors, staying red until 3 clean months have passed', async () => {
    // Jan: nothing known → 10. Feb: 10 − 2 − 3 = 5 → red. Mar, Apr: 10 + 2 − 3 = 9 but 1 and 2 clean
    // months → red. May → yellow. Jun on: green.
    expect(await tiersOf(t.handle.db, house.late)).toEqual(
      expectedTiers([
        ['2024-01', '2024-01', 'green'],
        ['2024-02', '2024-04', 'red'],
        ['2024-05', '2024-05', 'yellow'],
        ['2024-06', '2025-03', 'green'],
      ]),
    );
    const scores = await t.handle.db.selectFrom('rental_scores').select(['month', 'score']).where('building_code', '=', house.late).orderBy('month').execute();
    expect(scores.slice(0, 3).map((row) => row.score)).toEqual([10, 5, 9]);
  });

  it('counts a case in the month it happened in China time', async () => {
    const scores = await t.handle.db
      .selectFrom('rental_scores')
      .select(['month', 'score'])
      .where('building_code', '=', house.timezone)
      .where('month', 'in', ['2024-04-01', '2024-05-01'])
      .orderBy('month')
      .execute();
    expect(scores).toEqual([
      { month: '2024-04-01', score: 10 },
      { month: '2024-05-01', score: 9 },
    ]);
  });

  it('scores only rental buildings: the self-occupied house and the shop get no score', async () => {
    const scored = await t.handle.db.selectFrom('rental_scores').select('building_code').distinct().orderBy('building_code').execute();
    expect(scored.map((row) => row.building_code)).toEqual([FIXTURE.westHouse, house.cases, house.flags, house.star, house.late, house.timezone]);
  });
});

describe('explanations', () => {
  it('explains every point: base plus the factors equals the score in every stored month', async () => {
    const rows = await t.handle.db.selectFrom('rental_scores').select(['score', 'explanation', 'rules_version']).execute();
    expect(rows).toHaveLength(6 * 15);
    for (const row of rows) {
      const explanation = row.explanation as ScoreExplanation;
      const total = explanation.factors.reduce((sum, factor) => sum + factor.points, explanation.base);
      expect(Math.round(total * 10) / 10).toBe(row.score);
      expect(row.rules_version).toBe(1);
    }
  });

  it("shows police the red month's factors, events and override", async () => {
    const police = await t.logIn('police');
    const card = await police.get(`/api/rentals/buildings/${house.cases}?month=2024-03`).expect(200);
    expect(card.body).toMatchObject({ month: '2024-03-01', score: 7, tier: 'red', star: false, rulesVersion: 1 });
    expect(card.body.explanation.factors).toEqual([
      expect.objectContaining({
        factor: 'case',
        params: { caseKind: 'criminal' },
        count: 1,
        pointsEach: -3,
        points: -3,
        evidence: [expect.objectContaining({ type: 'case', kind: 'criminal', occurredOn: '2024-03-10' })],
      }),
    ]);
    expect(card.body.explanation.overrides.map((override: { code: string }) => override.code)).toEqual(['two_criminal_cases_in_6_months']);
    expect(card.body.explanation.windows).toMatchObject({ criminalCasesThisMonth: 1, criminalCases6Months: 2, criminalCases12Months: 2 });
    expect(card.body.history).toHaveLength(15);
    expect(card.body.history.map((entry: { tier: string }) => entry.tier).slice(0, 6)).toEqual(['yellow', 'yellow', 'red', 'red', 'red', 'yellow']);
  });

  it('names flagged tenants by person id for police, never by name or ID number, and not at all for leaders', async () => {
    const path = `/api/rentals/buildings/${house.flags}?month=2024-01`;
    const unitCode = fixtureUnitCode(house.flags, 1, 1);
    const police = await (await t.logIn('police')).get(path).expect(200);
    expect(police.body.score).toBe(5);
    expect(
      police.body.explanation.factors.map((factor: { label: string; points: number; evidence: unknown[] }) => [factor.label, factor.points, factor.evidence]),
    ).toEqual([
      ['每名重点人员租客', -3, [expect.objectContaining({ type: 'stay', personId: tenants.keyPerson, unitCode, movedIn: '2022-12-01', daysToRegister: 2 })]],
      ['每名工作对象租客', -2, [expect.objectContaining({ type: 'stay', personId: tenants.workTarget, unitCode, movedIn: '2022-12-01', daysToRegister: 1 })]],
    ]);
    expect(JSON.stringify(police.body)).not.toMatch(/租客\d|440307198501/);
    const leader = await (await t.logIn('leader')).get(path).expect(200);
    // Leaders see the points, not the tenants behind them: no stays, dates or counts of people.
    expect(
      leader.body.explanation.factors.map((factor: { label: string; points: number; count: number | null; evidence: unknown[] }) => [
        factor.label,
        factor.points,
        factor.count,
        factor.evidence,
      ]),
    ).toEqual([
      ['每名重点人员租客', -3, null, []],
      ['每名工作对象租客', -2, null, []],
    ]);
    expect(leader.body.explanation.factors.map((factor: { lastEvidencedOn: string | null }) => factor.lastEvidencedOn)).toEqual([null, null]);
    const audited = await t.handle.db.selectFrom('audit_log').select(['username', 'target_id']).where('target_type', '=', 'rental_score').execute();
    expect(audited).toContainEqual({ username: 'police', target_id: house.flags });
    expect(audited.some((row) => row.username === 'leader')).toBe(false);
  });

  it('answers 404 for a month that was not scored and for a building outside a collector’s grid', async () => {
    const police = await t.logIn('police');
    await police.get(`/api/rentals/buildings/${house.cases}?month=2023-12`).expect(404);
    const collector = await t.logIn('east_collector');
    await collector.get(`/api/rentals/buildings/${house.cases}`).expect(404);
    const bad = await police.get(`/api/rentals/buildings/${house.cases}?month=2024-13`).expect(400);
    expect(bad.body.error.details.fields[0].field).toBe('month');
  });
});

describe('map layer and grid counts', () => {
  it('counts tiers per grid for a month', async () => {
    const leader = await t.logIn('leader');
    // Mar 2024: cases, flags and late houses red; star house star; the fixture house and the May-case house green.
    const march = await leader.get('/api/rentals/tiers/grids?month=2024-03').expect(200);
    expect(march.body.grids).toEqual([{ gridCode: FIXTURE.gridWest, red: 3, yellow: 0, green: 2, star: 1, total: 6 }]);
    // Jun 2024: the cases house yellow; flags and late houses green again.
    const june = await leader.get('/api/rentals/tiers/grids?month=2024-06').expect(200);
    expect(june.body.grids).toEqual([{ gridCode: FIXTURE.gridWest, red: 0, yellow: 1, green: 4, star: 1, total: 6 }]);
  });

  it('lists tier, score, star flag and point of each building in a bbox, latest month by default', async () => {
    const leader = await t.logIn('leader');
    const response = await leader.get('/api/rentals/tiers?bbox=114.2,22.7,114.21,22.71').expect(200);
    expect(response.body.month).toBe('2025-03-01');
    expect(response.body.truncated).toBe(false);
    const star = response.body.buildings.find((building: { code: string }) => building.code === house.star);
    expect(star).toMatchObject({ code: house.star, tier: 'green', score: 10, star: false });
    expect(star.point[0]).toBeCloseTo(114.2025, 9);
    expect(star.point[1]).toBeCloseTo(22.701, 9);
    const january = await leader.get(`/api/rentals/tiers?month=2024-01&gridCode=${FIXTURE.gridWest}`).expect(200);
    expect(january.body.buildings.find((building: { code: string }) => building.code === house.star)).toMatchObject({ tier: 'star', score: 22, star: true });
    const outside = await leader.get('/api/rentals/tiers?bbox=114.21,22.7,114.22,22.71').expect(200);
    expect(outside.body.buildings).toEqual([]);
  });

  it('shows a collector only their own grid', async () => {
    const collector = await t.logIn('east_collector');
    const response = await collector.get('/api/rentals/tiers?month=2024-03').expect(200);
    expect(response.body.buildings).toEqual([]);
    await collector.get(`/api/rentals/tiers?gridCode=${FIXTURE.gridWest}`).expect(404);
    const counts = await collector.get('/api/rentals/tiers/grids?month=2024-03').expect(200);
    expect(counts.body.grids).toEqual([]);
  });
});

describe('re-running', () => {
  const snapshot = () =>
    t.handle.db
      .selectFrom('rental_scores')
      .select(['building_code', 'month', 'score', 'tier', 'clean_months', 'explanation', 'rules_version'])
      .orderBy('building_code')
      .orderBy('month')
      .execute();

  it('gives the same rows when the whole range or a single month is scored again', async () => {
    const before = await snapshot();
    const whole = await scoreMonths(t.handle.db, '2024-01-01', '2025-03-01');
    expect(whole).toMatchObject({ months: 15, buildings: 6, scores: 90, rulesVersion: 1 });
    expect(await snapshot()).toEqual(before);
    await scoreMonths(t.handle.db, '2024-06-01', '2024-06-01');
    expect(await snapshot()).toEqual(before);
    // The embedded engine's COPY path writes the same rows.
    await scoreMonths(t.handle.db, '2024-01-01', '2025-03-01', { pglite: t.handle.pglite });
    expect(await snapshot()).toEqual(before);
    const counts = await t.handle.db.selectFrom('rental_tier_counts').select(['month']).execute();
    expect(counts).toHaveLength(15);
  });

  it('lets an admin run it over HTTP, and refuses other roles and bad ranges', async () => {
    await insertUser(t.handle.db, 'admin', 'admin', []);
    const admin = await t.logIn('admin');
    const run = await admin.post('/api/rentals/scores/run', { from: '2024-06', to: '2024-07' }).expect(200);
    expect(run.body).toMatchObject({ from: '2024-06-01', to: '2024-07-01', months: 2, scores: 12 });
    const backwards = await admin.post('/api/rentals/scores/run', { from: '2024-07', to: '2024-06' }).expect(400);
    expect(backwards.body.error.details.fields[0].field).toBe('to');
    const police = await t.logIn('police');
    await police.post('/api/rentals/scores/run', { from: '2024-06', to: '2024-07' }).expect(403);
  });
});
