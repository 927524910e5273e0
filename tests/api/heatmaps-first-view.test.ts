import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { warmKeptFigures } from '../../server/heatmaps/routes.ts';
import { monthEndStoreOf } from '../../server/heatmaps/service.ts';
import { logger } from '../../server/logger.ts';
import { monthStart, recentMonths } from '../../web/src/lib/analytics/months.ts';
import { ANALYTICS, insertAnalyticsCity, insertPerson, insertStay } from '../helpers/analytics-fixture.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { fixtureUnitCode, insertUser } from '../helpers/fixture-city.ts';

/**
 * A leader's first view built ahead (WARM_KEPT_ANSWERS on, issue 18: first paint). Once a server
 * has kept the slider's month-ends (at start), the map a leader's overview asks first, and the cell
 * orders it asks with it, are kept for every leader's jurisdiction: the first leader after a start
 * waits for none of them, nor the first after writes once the month-ends are kept again. The dashboard's own months (web/src/lib/analytics/months.ts) name the
 * legend's period, as the overview asks it.
 */
let t: TestApp;
const builtAhead = vi.fn();
const sliderBuilt = vi.fn();

beforeAll(async () => {
  t = await startTestApp({ WARM_KEPT_ANSWERS: 'on' });
  await insertAnalyticsCity(t.handle.db);
  await insertUser(t.handle.db, 'leader', 'leader');
  await insertUser(t.handle.db, 'leader2', 'leader');
  const info = logger.info;
  vi.spyOn(logger, 'info').mockImplementation((message, fields) => {
    if (message === "leaders' first maps built ahead") builtAhead(fields);
    if (message === 'time slider answers built ahead') sliderBuilt(fields);
    info(message, fields);
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  monthEndStoreOf(t?.context.db)?.stop();
  await t?.close();
});

describe("a leader's first view", () => {
  it('is kept before the first leader asks: the street and community maps with their cell orders', async () => {
    const today = (await sql<{ today: string }>`SELECT city_today() AS today`.execute(t.handle.db)).rows[0]!.today;
    await warmKeptFigures(t.context);
    // Both leaders share one jurisdiction: one map per level.
    await vi.waitFor(() => expect(builtAhead).toHaveBeenCalledWith(expect.objectContaining({ maps: 2 })), { timeout: 60_000, interval: 50 });
    // Only the first view: no slider months of a map nobody has opened (they would take the
    // warmer's turns from the maps leaders do read).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sliderBuilt).not.toHaveBeenCalled();
    const leader = await t.logIn('leader');
    const breaksFrom = monthStart(recentMonths(today)[0]!);
    for (const level of ['street', 'community']) {
      await leader.get(`/api/heatmaps/cells?level=${level}`).expect(200).expect('x-renwu-cache', 'hit');
      const map = await leader
        .get(`/api/heatmaps/floating_density?level=${level}&breaksFrom=${breaksFrom}&shape=values`)
        .expect(200)
        .expect('x-renwu-cache', 'hit');
      expect(map.body.breaksOver).toMatchObject({ from: breaksFrom, months: 36 });
      expect(map.body.values.length).toBeGreaterThan(0);
    }
    // A map no leader opens first is not built ahead.
    await leader.get(`/api/heatmaps/floating_density?level=grid&breaksFrom=${breaksFrom}&shape=values`).expect(200).expect('x-renwu-cache', 'miss');
  });

  it('is built again after a write, once the month-ends are kept again: the first leader after a burst of registrations waits for none of it', async () => {
    const today = (await sql<{ today: string }>`SELECT city_today() AS today`.execute(t.handle.db)).rows[0]!.today;
    const breaksFrom = monthStart(recentMonths(today)[0]!);
    const streetMap = `/api/heatmaps/floating_density?level=street&breaksFrom=${breaksFrom}&shape=values`;
    const leader = await t.logIn('leader2');
    const before = (await leader.get(streetMap).expect(200)).body;
    const builds = builtAhead.mock.calls.length;
    const person = await insertPerson(t.handle.db, 'floating', 'first view after a write');
    await insertStay(t.handle.db, person, { unit: fixtureUnitCode(ANALYTICS.northHouse, 1, 1), movedIn: today, registeredAt: today });
    // Someone reads a period legend: the month-ends are computed again (on PostgreSQL a watch does it too).
    await leader.get(`/api/heatmaps/floating_density?level=grid&breaksFrom=${breaksFrom}&shape=values`).expect(200);
    await vi.waitFor(() => expect(builtAhead.mock.calls.length).toBeGreaterThan(builds), { timeout: 60_000, interval: 50 });
    const after = await leader.get(streetMap).expect(200).expect('x-renwu-cache', 'hit');
    expect(after.body.dataVersion).not.toBe(before.dataVersion);
    const sum = (values: (number | null)[]) => values.reduce<number>((total, value) => total + (value ?? 0), 0);
    expect(sum(after.body.values)).toBeGreaterThan(sum(before.values));
  });
});
