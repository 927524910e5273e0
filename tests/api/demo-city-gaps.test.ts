import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsersFor, insertDemoUsers } from '../../server/auth/demo-users.ts';
import { demoPassword } from '../../server/auth/passwords.ts';
import { addDays, chinaToday } from '../../server/domain/calendar.ts';
import { seedDemoRentals } from '../../server/rentals/service.ts';
import { generateCity, type CitySummary } from '../../server/demo/city/index.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';

/**
 * Issue 15.7: the demo city shows the gaps the field sees, through the real data model and the
 * API — floating people found by a collector's visit weeks after moving in (registered late, their
 * previous stay never deregistered), people not found where they are registered, and a collector
 * roster close to, but not exactly, what the planner's rule asks.
 */
let t: TestApp;
let city: CitySummary;
let planner: LoggedIn;
let police: LoggedIn;
const today = chinaToday();
const PURPOSE = 'purpose=%E6%97%A5%E5%B8%B8%E6%A0%B8%E6%9F%A5';

interface Kpi {
  key: string;
  numerator: number;
  denominator: number;
  value: number;
}

beforeAll(async () => {
  t = await startTestApp();
  city = await generateCity(t.handle, { seed: 20261123, scale: 'tiny', today });
  await insertDemoUsers(t.context.db, await demoUsersFor(t.context.db, city.districtCode));
  await seedDemoRentals(t.context.db, today, { pglite: t.handle.pglite });
  planner = await t.logIn('planner', demoPassword('planner'));
  police = await t.logIn('police', demoPassword('police'));
}, 600_000);
afterAll(async () => t?.close());

const kpi = async (asOf: string, key: string): Promise<Kpi> => {
  const body = (await planner.get(`/api/kpis?area=${city.districtCode}&asOf=${asOf}`).expect(200)).body as { kpis: Kpi[] };
  return body.kpis.find((entry) => entry.key === key)!;
};

describe('the demo city has realistic gaps', () => {
  it('居住登记率 a month ago falls short of 100 %: some floating residents were living there unregistered', async () => {
    // Around the 95 % the field reports aim at; late registrations alone (within two months) leave it near 99 %.
    const rate = await kpi(addDays(today, -30), 'registration_rate');
    expect(rate.numerator).toBeLessThan(rate.denominator);
    expect(rate.value, JSON.stringify(rate)).toBeGreaterThan(90);
    expect(rate.value, JSON.stringify(rate)).toBeLessThan(98);
  });

  it('居住登记率 today falls short of 100 %: collectors found floating people living there whom nobody registered', async () => {
    // The register alone is complete today (every stay is a registration); the people visits found
    // unregistered (sql/0020_found_unregistered.sql) bring it near the 95 % the field aims at.
    const rate = await kpi(today, 'registration_rate');
    expect(rate.numerator, JSON.stringify(rate)).toBeLessThan(rate.denominator);
    expect(rate.value, JSON.stringify(rate)).toBeGreaterThanOrEqual(90);
    expect(rate.value, JSON.stringify(rate)).toBeLessThan(98);
    const unregistered = await sql<{ people: number }>`
      SELECT count(*)::int AS people FROM persons p
      WHERE p.category = 'floating' AND NOT EXISTS (SELECT 1 FROM residencies r WHERE r.person_id = p.id)`.execute(t.handle.db);
    expect(unregistered.rows[0]!.people).toBeGreaterThan(0);
  });

  it('人户一致率 falls short of 100 %: visits find people away from where they are registered', async () => {
    const rate = await kpi(today, 'household_consistency_rate');
    expect(rate.numerator).toBeLessThan(rate.denominator);
    expect(rate.value, JSON.stringify(rate)).toBeGreaterThan(90);
    expect(rate.value, JSON.stringify(rate)).toBeLessThan(99.5);
  });

  it('every grid report has late registrations (some found by a visit weeks later), never-deregistered departures, and counts people found unregistered', async () => {
    const grids = (await planner.get('/api/areas?level=grid').expect(200)).body as { features: { properties: { code: string } }[] };
    let foundByVisit = 0;
    let neverDeregistered = 0;
    let foundUnregistered = 0;
    for (const grid of grids.features.map((feature) => feature.properties.code)) {
      const late = (await police.get(`/api/reports/late-registrations?grid=${grid}&${PURPOSE}`).expect(200)).body as {
        stays: { daysToRegister: number }[];
        foundUnregistered: number;
      };
      const departures = (await police.get(`/api/reports/unregistered-departures?grid=${grid}&${PURPOSE}`).expect(200)).body as {
        stays: { daysToRegister: number | null }[];
      };
      expect(late.stays.length, grid).toBeGreaterThan(0);
      expect(departures.stays.length, grid).toBeGreaterThan(0);
      foundByVisit += late.stays.filter((stay) => stay.daysToRegister > 60).length;
      foundUnregistered += late.foundUnregistered;
      neverDeregistered += departures.stays.filter((stay) => stay.daysToRegister === null).length;
    }
    expect(foundByVisit).toBeGreaterThan(0);
    expect(neverDeregistered).toBeGreaterThan(0);
    // People found living there whom nobody has registered yet: the same people 居住登记率 adds today.
    const rate = await kpi(today, 'registration_rate');
    expect(foundUnregistered).toBeGreaterThan(0);
    expect(foundUnregistered).toBeLessThanOrEqual(rate.denominator - rate.numerator);
  });

  it('collectors on the roster are close to the need under the current rule: most grids within one, not all balanced', async () => {
    const allocation = (await planner.get('/api/collectors/allocation?level=grid').expect(200)).body as {
      rows: { gap: number }[];
      totals: { need: number; fullTimeAssigned: number };
    };
    const { need, fullTimeAssigned } = allocation.totals;
    expect(fullTimeAssigned / need).toBeGreaterThan(0.8);
    expect(fullTimeAssigned / need).toBeLessThan(1.25);
    const nearBalance = allocation.rows.filter((row) => Math.abs(row.gap) <= 1).length;
    expect(nearBalance).toBeGreaterThanOrEqual(allocation.rows.length / 2);
    expect(allocation.rows.some((row) => row.gap !== 0)).toBe(true);
  });
});
