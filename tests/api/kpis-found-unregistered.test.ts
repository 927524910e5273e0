import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { ANALYTICS, insertAnalyticsCity, insertPerson, insertStay, type KpiAnswer as Kpi } from '../helpers/analytics-fixture.ts';
import { FIXTURE, fixtureUnitCode, insertUser } from '../helpers/fixture-city.ts';

/**
 * Issue 15.7: 居住登记率 counts, beside the floating residents of the register, the floating
 * people a visit found living in the area whom nobody had registered (sql/0020_found_unregistered.sql).
 * Base figures of tests/helpers/analytics-fixture.ts on 2025-06-01: district 6 registered of 7
 * floating (W5 registers only on 07-01), West 4 of 5, North 1 of 1.
 */
let t: TestApp;
let planner: LoggedIn;

interface Cell {
  code: string;
  value: number | null;
  figures: Record<string, number>;
}

beforeAll(async () => {
  t = await startTestApp();
  await insertAnalyticsCity(t.handle.db);
  await insertUser(t.handle.db, 'planner', 'planner');
  await insertUser(t.handle.db, 'police', 'police');
  planner = await t.logIn('planner');
});
afterAll(async () => t?.close());

async function registrationRate(area: string, asOf: string): Promise<Kpi> {
  const response = await planner.get(`/api/kpis?area=${area}&asOf=${asOf}`).expect(200);
  return (response.body.kpis as Kpi[]).find((kpi) => kpi.key === 'registration_rate')!;
}

async function rateCell(grid: string, asOf: string, level = 'grid'): Promise<Cell | undefined> {
  const response = await planner.get(`/api/heatmaps/registration_rate?level=${level}&asOf=${asOf}`).expect(200);
  return (response.body.cells as Cell[]).find((cell) => cell.code === grid);
}

/** A collector's visit to a whole building that checked one person, as the demo and bulk loads record it. */
async function visit(building: string, visitedOn: string, personId: number, registeredHere = false): Promise<void> {
  await sql`
    WITH visit AS (INSERT INTO inspections (building_code, street_code, inspector_role, visited_on) VALUES (${building}, left(${building}, 9), 'collector', ${visitedOn}::date) RETURNING id)
    INSERT INTO inspection_person_checks (inspection_id, person_id, found_here, registered_here)
    SELECT id, ${personId}, true, ${registeredHere} FROM visit`.execute(t.handle.db);
}

const parts = (kpi: Kpi | Cell | undefined) =>
  kpi && 'numerator' in kpi ? [kpi.numerator, kpi.denominator, kpi.value] : [kpi?.figures.registered, kpi?.figures.found, kpi?.value];

describe('居住登记率 with the floating people found unregistered', () => {
  it('is the register alone before any visit found anybody', async () => {
    expect(parts(await registrationRate(FIXTURE.district, '2025-06-01'))).toEqual([6, 7, 85.71]);
    // Read (and cached) before the visits below: the cache must see them.
    expect(parts(await rateCell(FIXTURE.gridWest, '2025-06-01'))).toEqual([4, 5, 80]);
  });

  it('adds each person found unregistered to the denominator only, where the visit found them', async () => {
    const db = t.handle.db;
    // U1: found living in westHouse on 05-10, registered nowhere, ever.
    await visit(FIXTURE.westHouse, '2025-05-10', await insertPerson(db, 'floating', 'U1'));
    // U2: found on 2024-05-01, more than 365 days before 2025-06-01: too old to count.
    await visit(FIXTURE.westHouse, '2024-05-01', await insertPerson(db, 'floating', 'U2'));
    // U3: found in northHouse on 05-12, then registered (moved in 05-15, registered 05-20).
    const u3 = await insertPerson(db, 'floating', 'U3');
    await visit(ANALYTICS.northHouse, '2025-05-12', u3);
    await insertStay(db, u3, { unit: fixtureUnitCode(ANALYTICS.northHouse, 1, 2), movedIn: '2025-05-15', registeredAt: '2025-05-20' });
    // U4: a lodger (not floating): 居住登记率 is about floating people.
    await visit(FIXTURE.westHouse, '2025-05-10', await insertPerson(db, 'lodging', 'U4'));
    // U5: found on 05-05, registered a stay from 05-06 (on 05-07), left on 05-25: the register knew them.
    const u5 = await insertPerson(db, 'floating', 'U5');
    await visit(FIXTURE.westHouse, '2025-05-05', u5);
    await insertStay(db, u5, { unit: fixtureUnitCode(FIXTURE.westHouse, 3, 1), movedIn: '2025-05-06', registeredAt: '2025-05-07', movedOut: '2025-05-25' });

    // 06-01: the register's floating W1 W3 W4 W5 W6 E5 N1 U3 (registered all but W5) + found U1 → 7 of 9.
    const district = await registrationRate(FIXTURE.district, '2025-06-01');
    expect(parts(district)).toEqual([7, 9, 77.78]);
    expect(district.definition).toContain('found living in the area by a visit');
    // West: W1 W3 W4 W6 registered of W1 W3 W4 W5 W6, + U1 → 4 of 6; North: N1 and U3, both registered.
    expect(parts(await registrationRate(FIXTURE.gridWest, '2025-06-01'))).toEqual([4, 6, 66.67]);
    expect(parts(await registrationRate(ANALYTICS.northGrid, '2025-06-01'))).toEqual([2, 2, 100]);
    // 05-13: floating W1 W2 W3 W4 W6 E5 N1 U5, all registered; U1 and U3 (not yet registered) found → 8 of 10.
    expect(parts(await registrationRate(FIXTURE.district, '2025-05-13'))).toEqual([8, 10, 80]);
    expect(parts(await registrationRate(ANALYTICS.northGrid, '2025-05-13'))).toEqual([1, 2, 50]);
    // Before the visits nobody was found: 05-04 is the register alone (W1 W2 W3 W4 W6 E5 N1, all registered).
    expect(parts(await registrationRate(FIXTURE.district, '2025-05-04'))).toEqual([7, 7, 100]);
  });

  it('the heatmap shows the same figures at grid level and from points (squares)', async () => {
    const west = await rateCell(FIXTURE.gridWest, '2025-06-01');
    expect(west).toMatchObject({ value: 66.67, figures: { registered: 4, found: 6, foundUnregistered: 1 } });
    expect(parts(await rateCell(ANALYTICS.northGrid, '2025-05-13'))).toEqual([1, 2, 50]);
    // The fixture's three houses lie in this box (as in tests/api/heatmaps.test.ts).
    const bbox = '114.19,22.69,114.23,22.73';
    const response = await planner.get(`/api/heatmaps/registration_rate?level=square&metres=1000&bbox=${bbox}&asOf=2025-06-01`).expect(200);
    const totals = (response.body.cells as Cell[]).reduce(
      (sum, cell) => ({ registered: sum.registered + cell.figures.registered!, found: sum.found + cell.figures.found! }),
      { registered: 0, found: 0 },
    );
    expect(totals).toEqual({ registered: 7, found: 9 });
  });

  it('the late-registrations report of a grid counts them (they have no stay to list)', async () => {
    const police = await t.logIn('police');
    const report = async (grid: string, to: string) =>
      (await police.get(`/api/reports/late-registrations?grid=${grid}&to=${to}&purpose=%E6%97%A5%E5%B8%B8%E6%A0%B8%E6%9F%A5`).expect(200)).body;
    expect(await report(FIXTURE.gridWest, '2025-06-01')).toMatchObject({ foundUnregistered: 1 });
    expect(await report(ANALYTICS.northGrid, '2025-05-13')).toMatchObject({ foundUnregistered: 1 });
    expect(await report(ANALYTICS.northGrid, '2025-06-01')).toMatchObject({ foundUnregistered: 0 });
  });
});
