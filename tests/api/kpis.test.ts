import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { ANALYTICS, insertAnalyticsCity, type AnalyticsCity, type KpiAnswer as Kpi } from '../helpers/analytics-fixture.ts';
import { FIXTURE, fixtureUnitCode, insertUser } from '../helpers/fixture-city.ts';
import { writeCounted } from '../helpers/hand-edits.ts';

/**
 * KPI cards on the analytics fixture city; expected figures counted by hand from PEOPLE, CASES
 * and the units of tests/helpers/analytics-fixture.ts. On 2025-06-01 the people are:
 * West  floating W1 W3 W4 W5 W6 (registered by then: W1 W3 W4 W6; permits: W1 W3 W6), lodging W7, overseas W8;
 * East  registered E1 E2 E3, floating E5 (registered, no permit);
 * North floating N1 (registered, no permit).
 * Units: West 7 (6 rented, 5 of them registered, westHouse letter signed), East 2 (none rented),
 * North 2 (both rented and registered, letter not signed).
 */
let t: TestApp;
let city: AnalyticsCity;
let planner: LoggedIn;

beforeAll(async () => {
  // Inspections replay 2025: allow them to be dated that far back.
  t = await startTestApp({ INSPECTION_BACKDATE_DAYS: '36500' });
  city = await insertAnalyticsCity(t.handle.db);
  for (const role of ['leader', 'planner', 'admin'] as const) await insertUser(t.handle.db, role, role);
  await insertUser(t.handle.db, 'police', 'police', [FIXTURE.district]);
  await insertUser(t.handle.db, 'collector', 'collector', [FIXTURE.gridWest]);
  planner = await t.logIn('planner');
});
afterAll(async () => t?.close());

async function kpis(agent: LoggedIn, query: string): Promise<Record<string, Kpi>> {
  const response = await agent.get(`/api/kpis?${query}`).expect(200);
  return Object.fromEntries((response.body.kpis as Kpi[]).map((kpi) => [kpi.key, kpi]));
}

const figures = (kpi: Kpi | undefined) => [kpi?.numerator, kpi?.denominator, kpi?.value];

describe('KPIs of the district on 2025-06-01', () => {
  it('computes every rate from its numerator and denominator', async () => {
    const response = await planner.get(`/api/kpis?area=${FIXTURE.district}&asOf=2025-06-01`).expect(200);
    expect(response.body.area).toEqual({ code: FIXTURE.district, level: 'district', name: '测试区' });
    const byKey: Record<string, Kpi> = Object.fromEntries((response.body.kpis as Kpi[]).map((kpi) => [kpi.key, kpi]));
    // Registered floating: W1 W3 W4 W6 E5 N1 of 7 floating.
    expect(figures(byKey.registration_rate)).toEqual([6, 7, 85.71]);
    expect(byKey.registration_rate?.target).toBe(95);
    expect(byKey.registration_rate?.time).toEqual({ asOf: '2025-06-01' });
    // Valid permits: W1 W3 W6.
    expect(figures(byKey.permit_rate)).toEqual([3, 7, 42.86]);
    expect(byKey.permit_rate?.target).toBe(90);
    // Rented units 6 + 2, registered as rentals 5 + 2.
    expect(figures(byKey.rental_registration_rate)).toEqual([7, 8, 87.5]);
    expect(byKey.rental_registration_rate?.time).toEqual({ current: true });
    // Rental buildings westHouse (signed) and northHouse.
    expect(figures(byKey.responsibility_letter_rate)).toEqual([1, 2, 50]);
    expect(figures(byKey.rented_unit_share)).toEqual([8, 11, 72.73]);
    // 7 floating of 12 people (3 registered, 1 lodging, 7 floating, 1 overseas).
    expect(figures(byKey.floating_share)).toEqual([7, 12, 58.33]);
    expect(figures(byKey.floating_to_registered_ratio)).toEqual([7, 3, 2.33]);
    // Default period 2024-06-02 … 2025-06-01: C1 (rental), C2, C4.
    expect(figures(byKey.rental_case_share)).toEqual([1, 3, 33.33]);
    expect(byKey.rental_case_share?.time).toEqual({ from: '2024-06-02', to: '2025-06-01' });
  });

  it('computes 人户一致率 from the people inspections checked: the latest check of each, in the period', async () => {
    const police = await t.logIn('police');
    const { personIds } = city;
    const visit = (body: object) => police.post('/api/rentals/inspections', body);
    // W1 lives in West 1-01 and is found there; W2 (there until 06-01) is not found.
    await visit({
      buildingCode: FIXTURE.westHouse,
      unitCode: fixtureUnitCode(FIXTURE.westHouse, 1, 1),
      visitedOn: '2025-05-15',
      people: [
        { personId: personIds.W1, foundHere: true },
        { personId: personIds.W2, foundHere: false },
      ],
    }).expect(201);
    // A whole-building visit: W4 (2-01) found; W1 checked again, found.
    await visit({
      buildingCode: FIXTURE.westHouse,
      visitedOn: '2025-05-20',
      people: [
        { personId: personIds.W4, foundHere: true },
        { personId: personIds.W1, foundHere: true },
      ],
    }).expect(201);
    // E5 is registered in East 2-01 but found living in 1-01.
    await visit({
      buildingCode: FIXTURE.eastHouse,
      unitCode: fixtureUnitCode(FIXTURE.eastHouse, 1, 1),
      visitedOn: '2025-05-25',
      people: [{ personId: personIds.E5, foundHere: true }],
    }).expect(201);
    // N1 is neither registered nor found in West 1-01: not a check of that place; nothing is stored.
    const refused = await visit({
      buildingCode: FIXTURE.westHouse,
      unitCode: fixtureUnitCode(FIXTURE.westHouse, 1, 1),
      visitedOn: '2025-05-26',
      people: [{ personId: personIds.N1, foundHere: false }],
    }).expect(400);
    expect(refused.body.error.details.fields[0].field).toBe('people.0.foundHere');

    // Consistent: W1, W4; inconsistent: W2, E5.
    const district = await kpis(planner, `area=${FIXTURE.district}&asOf=2025-06-01`);
    expect(district.household_consistency_rate).toMatchObject({
      available: true,
      numerator: 2,
      denominator: 4,
      value: 50,
      time: { from: '2024-06-02', to: '2025-06-01' },
    });
    // Only the first visit lies in a period ending 05-16.
    const early = await kpis(planner, `area=${FIXTURE.district}&asOf=2025-05-16`);
    expect(figures(early.household_consistency_rate)).toEqual([1, 2, 50]);
    // Areas count the checks of their own buildings.
    expect(figures((await kpis(planner, `area=${FIXTURE.gridEast}&asOf=2025-06-01`)).household_consistency_rate)).toEqual([0, 1, 0]);
    expect(
      await t.handle.db
        .selectFrom('inspection_person_checks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ).toEqual({ n: 5 });
  });

  it('takes a case period', async () => {
    // 2025: C1, C2, C3, C4, C6; in rental C1 (rented unit) and C6 (building with rented units).
    const byKey = await kpis(planner, `area=${FIXTURE.district}&asOf=2025-06-01&from=2025-01-01&to=2025-12-31`);
    expect(figures(byKey.rental_case_share)).toEqual([2, 5, 40]);
  });
});

describe('KPIs of smaller areas', () => {
  it('computes a grid, with a null ratio over zero', async () => {
    const byKey = await kpis(planner, `area=${FIXTURE.gridWest}&asOf=2025-06-01`);
    expect(figures(byKey.registration_rate)).toEqual([4, 5, 80]);
    expect(figures(byKey.permit_rate)).toEqual([3, 5, 60]);
    expect(figures(byKey.rental_registration_rate)).toEqual([5, 6, 83.33]);
    expect(figures(byKey.responsibility_letter_rate)).toEqual([1, 1, 100]);
    expect(figures(byKey.rented_unit_share)).toEqual([6, 7, 85.71]);
    expect(figures(byKey.floating_share)).toEqual([5, 7, 71.43]);
    // Nobody in West has local hukou.
    expect(figures(byKey.floating_to_registered_ratio)).toEqual([5, 0, null]);
  });

  it('computes a community', async () => {
    // West + East: registered floating W1 W3 W4 W6 E5 of W1 W3 W4 W5 W6 E5.
    const byKey = await kpis(planner, `area=${FIXTURE.community}&asOf=2025-06-01`);
    expect(figures(byKey.registration_rate)).toEqual([5, 6, 83.33]);
    const north = await kpis(planner, `area=${ANALYTICS.northCommunity}&asOf=2025-06-01`);
    expect(figures(north.rental_registration_rate)).toEqual([2, 2, 100]);
    expect(figures(north.responsibility_letter_rate)).toEqual([0, 1, 0]);
  });

  it('follows a move-out written by hand (README "Editing by hand")', async () => {
    const { db } = t.handle;
    const w4 = city.personIds.W4!;
    const stays = (await db.selectFrom('residencies').select('id').where('person_id', '=', w4).execute()).map((row) => row.id);
    const moveOut = (day: string | null) =>
      writeCounted(db, 'residencies', stays, (trx) => trx.updateTable('residencies').set({ moved_out: day }).where('id', 'in', stays).execute());
    await moveOut('2025-05-15');
    try {
      // West on 06-01 without W4: found W1 W3 W5 W6, registered W1 W3 W6.
      expect(figures((await kpis(planner, `area=${FIXTURE.gridWest}&asOf=2025-06-01`)).registration_rate)).toEqual([3, 4, 75]);
    } finally {
      await moveOut(null);
    }
    expect(figures((await kpis(planner, `area=${FIXTURE.gridWest}&asOf=2025-06-01`)).registration_rate)).toEqual([4, 5, 80]);
  });
});

describe('privacy, roles and validation', () => {
  it('suppresses person KPIs about fewer than k people for the leader', async () => {
    const leader = await t.logIn('leader');
    const east = await kpis(leader, `area=${FIXTURE.gridEast}&asOf=2025-06-01`);
    // East: 1 floating found (E5), 4 people, ratio over min(1 floating, 3 registered).
    for (const key of ['registration_rate', 'permit_rate', 'floating_share', 'floating_to_registered_ratio']) {
      expect(east[key], key).toMatchObject({ suppressed: true, numerator: null, denominator: null, value: null });
    }
    // Unit figures count no people: shown (no rented unit in East, so the rate is null).
    expect(figures(east.rental_registration_rate)).toEqual([0, 0, null]);
    const district = await kpis(leader, `area=${FIXTURE.district}&asOf=2025-06-01`);
    expect(figures(district.registration_rate)).toEqual([6, 7, 85.71]);
    // 3 people with local hukou: fewer than 5.
    expect(district.floating_to_registered_ratio?.suppressed).toBe(true);
  });

  it('keeps a collector to their own grids and refuses the admin', async () => {
    const collector = await t.logIn('collector');
    await collector.get(`/api/kpis?area=${FIXTURE.gridWest}&asOf=2025-06-01`).expect(200);
    await collector.get(`/api/kpis?area=${FIXTURE.gridEast}`).expect(404);
    await collector.get(`/api/kpis?area=${FIXTURE.community}`).expect(404);
    const admin = await t.logIn('admin');
    await admin.get(`/api/kpis?area=${FIXTURE.district}`).expect(403);
  });

  it('names the bad field and answers 404 for an unknown area', async () => {
    const badArea = await planner.get('/api/kpis?area=12345').expect(400);
    expect(badArea.body.error.details.fields[0].field).toBe('area');
    const badDate = await planner.get(`/api/kpis?area=${FIXTURE.district}&asOf=2025-13-01`).expect(400);
    expect(badDate.body.error.details.fields[0].field).toBe('asOf');
    const badPeriod = await planner.get(`/api/kpis?area=${FIXTURE.district}&from=2025-06-01&to=2025-01-01`).expect(400);
    expect(badPeriod.body.error.details.fields[0].field).toBe('from');
    await planner.get('/api/kpis?area=44030700100199').expect(404);
  });
});
