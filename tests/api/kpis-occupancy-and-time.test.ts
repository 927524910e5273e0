import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { insertAnalyticsCity, insertPerson, insertStay, type KpiAnswer as Kpi } from '../helpers/analytics-fixture.ts';
import { FIXTURE, insertUser } from '../helpers/fixture-city.ts';

/**
 * Issue 15.6 (areas) and 16.4: the occupancy rate of any area as of a day, counted independently
 * here in plain SQL; the unit-based rates say they are current (units keep no history); and a
 * period without a single 人户一致 check is "no base", not "fewer than k people".
 */
let t: TestApp;
let leader: LoggedIn;
let planner: LoggedIn;

beforeAll(async () => {
  t = await startTestApp();
  await insertAnalyticsCity(t.handle.db);
  await insertUser(t.handle.db, 'leader', 'leader');
  await insertUser(t.handle.db, 'planner', 'planner');
  leader = await t.logIn('leader');
  planner = await t.logIn('planner');
});
afterAll(async () => t?.close());

async function kpis(agent: LoggedIn, query: string): Promise<Record<string, Kpi>> {
  const response = await agent.get(`/api/kpis?${query}`).expect(200);
  return Object.fromEntries((response.body.kpis as Kpi[]).map((kpi) => [kpi.key, kpi]));
}

/** Occupied and all units of the area's active buildings on `day`, counted with a join (not the service's EXISTS). */
async function countedOccupancy(area: string, day: string): Promise<[number, number]> {
  const result = await sql<{ occupied: number; units: number }>`
    SELECT count(DISTINCT o.code)::int AS occupied, count(DISTINCT u.code)::int AS units
    FROM units u JOIN buildings b ON b.code = u.building_code AND b.status = 'active'
    LEFT JOIN residencies r ON r.unit_code = u.code AND r.moved_in <= ${day}::date AND (r.moved_out IS NULL OR r.moved_out > ${day}::date)
    LEFT JOIN units o ON o.code = r.unit_code
    WHERE u.building_code LIKE ${area + '%'}`.execute(t.handle.db);
  const row = result.rows[0]!;
  return [row.occupied, row.units];
}

describe('occupancy rate (occupied units ÷ units) of any area', () => {
  for (const [name, area] of [
    ['district', FIXTURE.district],
    ['community', FIXTURE.community],
    ['grid', FIXTURE.gridWest],
    ['grid', FIXTURE.gridEast],
  ] as const) {
    it(`equals a plain SQL count for a ${name} (${area}) on two days`, async () => {
      for (const day of ['2024-01-15', '2025-06-01']) {
        const [occupied, units] = await countedOccupancy(area, day);
        const occupancy = (await kpis(planner, `area=${area}&asOf=${day}`)).occupancy_rate!;
        expect([occupancy.numerator, occupancy.denominator], `${area} ${day}`).toEqual([occupied, units]);
        expect(occupancy.value).toBe(units > 0 ? Math.round((10000 * occupied) / units) / 100 : null);
        expect(occupancy.time).toEqual({ asOf: day });
      }
    });
  }

  it('follows the day: units emptied later still count as occupied before', async () => {
    const [before] = await countedOccupancy(FIXTURE.district, '2025-06-01');
    const [earlier] = await countedOccupancy(FIXTURE.district, '2020-01-01');
    expect(before).toBeGreaterThan(earlier);
    expect((await kpis(planner, `area=${FIXTURE.district}&asOf=2020-01-01`)).occupancy_rate?.numerator).toBe(earlier);
  });

  it('is shown to the leader (units, not people)', async () => {
    const occupancy = (await kpis(leader, `area=${FIXTURE.gridEast}&asOf=2025-06-01`)).occupancy_rate!;
    expect(occupancy.suppressed).toBeUndefined();
    expect(occupancy.denominator).toBeGreaterThan(0);
  });
});

describe('which rates are as of the month and which are current', () => {
  it('labels the unit-based rates current and the person rates with the day asked', async () => {
    const report = await kpis(planner, `area=${FIXTURE.district}&asOf=2024-12-31`);
    for (const key of ['rental_registration_rate', 'responsibility_letter_rate', 'rented_unit_share']) {
      expect(report[key]?.time, key).toEqual({ current: true });
    }
    for (const key of ['registration_rate', 'permit_rate', 'floating_share', 'occupancy_rate']) {
      expect(report[key]?.time, key).toEqual({ asOf: '2024-12-31' });
    }
  });
});

describe('人户一致率 of a period without checks', () => {
  it('is "no base" (0 of 0) for the leader, not withheld as fewer than k people', async () => {
    const district = await kpis(leader, `area=${FIXTURE.district}&asOf=2024-12-31`);
    expect(district.household_consistency_rate).toMatchObject({ numerator: 0, denominator: 0, value: null });
    expect(district.household_consistency_rate?.suppressed).toBeUndefined();
    // Fewer than k people but more than none are still withheld.
    const east = await kpis(leader, `area=${FIXTURE.gridEast}&asOf=2025-06-01`);
    expect(east.registration_rate?.suppressed).toBe(true);
  });
});

describe('KPI answers kept per data version', () => {
  it('answers a repeated request from the kept answer, and computes again after a move-in changes the figures', async () => {
    const query = `/api/kpis?area=${FIXTURE.district}`;
    const first = await planner.get(query).expect(200);
    const second = await planner.get(query).expect(200);
    expect([first.headers['x-renwu-cache'], second.headers['x-renwu-cache']]).toEqual(['miss', 'hit']);
    expect(second.body).toEqual(first.body);
    const occupiedBefore = (first.body.kpis as Kpi[]).find((kpi) => kpi.key === 'occupancy_rate')!.numerator!;

    const personId = await insertPerson(t.handle.db, 'floating', 'kept-answer check');
    const emptyUnit = await sql<{ code: string }>`
      SELECT u.code FROM units u JOIN buildings b ON b.code = u.building_code AND b.status = 'active'
      WHERE u.building_code LIKE ${`${FIXTURE.district}%`}
        AND NOT EXISTS (SELECT 1 FROM residencies r WHERE r.unit_code = u.code AND r.moved_out IS NULL)
      ORDER BY u.code LIMIT 1`.execute(t.handle.db);
    const today = (await sql<{ today: string }>`SELECT city_today() AS today`.execute(t.handle.db)).rows[0]!.today;
    await insertStay(t.handle.db, personId, { unit: emptyUnit.rows[0]!.code, movedIn: today, registeredAt: today });

    const after = await planner.get(query).expect(200);
    expect(after.headers['x-renwu-cache']).toBe('miss');
    expect((after.body.kpis as Kpi[]).find((kpi) => kpi.key === 'occupancy_rate')!.numerator).toBe(occupiedBefore + 1);
    // Each caller's suppression is part of the key: the leader's answer is computed for the leader.
    expect((await leader.get(query).expect(200)).headers['x-renwu-cache']).toBe('miss');
  });
});
