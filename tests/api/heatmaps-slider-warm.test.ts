import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sliderMonthEnds } from '../../server/heatmaps/month-ends.ts';
import { monthEndStoreOf } from '../../server/heatmaps/service.ts';
import { logger } from '../../server/logger.ts';
import { buildingTilesOf } from '../../server/tiles/building-tiles.ts';
import { ANALYTICS, insertAnalyticsCity, insertPerson, insertStay } from '../helpers/analytics-fixture.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode, insertUser } from '../helpers/fixture-city.ts';

/**
 * Kept answers built ahead (WARM_KEPT_ANSWERS on). The time slider's (server/heatmaps/slider-warmer.ts, issue 18): once a map
 * has been read and the month-ends are kept, every month-end's answer of that map is built in the
 * background, so the first request for any month finds it kept, with exactly the values a
 * request computes itself; after a write, once the months are kept again, the answers are built
 * again and count the write.
 */
let t: TestApp;
let planner: LoggedIn;
let monthEnds: string[];
const MAP = '/api/heatmaps/population?level=grid&category=floating&shape=values';

interface ValuesAnswer {
  values: (number | null)[];
  order: string;
  breaks: unknown;
}

const builtAhead = vi.fn();

beforeAll(async () => {
  t = await startTestApp({ WARM_KEPT_ANSWERS: 'on' });
  await insertAnalyticsCity(t.handle.db);
  await insertUser(t.handle.db, 'planner', 'planner');
  planner = await t.logIn('planner');
  const today = (await sql<{ today: string }>`SELECT city_today() AS today`.execute(t.handle.db)).rows[0]!.today;
  monthEnds = sliderMonthEnds(today);
  const info = logger.info;
  vi.spyOn(logger, 'info').mockImplementation((message, fields) => {
    if (message === 'time slider answers built ahead') builtAhead(fields);
    info(message, fields);
  });
});
afterAll(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  monthEndStoreOf(t?.context.db)?.stop();
  await t?.close();
});

/** Waits until the map has been built ahead `times` times in all. */
async function builtAheadTimes(times: number): Promise<void> {
  await vi.waitFor(() => expect(builtAhead).toHaveBeenCalledTimes(times), { timeout: 60_000, interval: 50 });
}

describe('time slider answers built ahead', () => {
  it('are kept for every month-end of a map once it was read and the months are kept', async () => {
    const keptFigures = async () => (await planner.get('/api/health').expect(200)).body.keptFigures as string;
    expect(await keptFigures()).toBe('none');
    await planner.get(MAP).expect(200);
    // The first slide: its own answer, and the months kept for this data version (health says when).
    await planner.get(`${MAP}&asOf=${monthEnds.at(-1)}`).expect(200);
    await vi.waitFor(async () => expect(await keptFigures()).toBe('kept'), { timeout: 60_000, interval: 50 });
    await builtAheadTimes(1);
    for (const day of monthEnds) {
      await planner.get(`${MAP}&asOf=${day}`).expect(200).expect('x-renwu-cache', 'hit');
    }
    // Another map was never read: its months are computed when asked.
    await planner.get(`/api/heatmaps/population?level=community&shape=values&asOf=${monthEnds[3]}`).expect(200).expect('x-renwu-cache', 'miss');
    // Which is then built ahead in the quiet after it (http/foreground.ts): done before the next test counts builds.
    await builtAheadTimes(2);
  });

  it('are built again after a write, counting it, once the months are kept again', async () => {
    const day = monthEnds.at(-2)!;
    const before = (await planner.get(`${MAP}&asOf=${day}`).expect(200)).body as ValuesAnswer;
    const person = await insertPerson(t.handle.db, 'floating', 'slider mover');
    await insertStay(t.handle.db, person, { unit: fixtureUnitCode(ANALYTICS.northHouse, 1, 1), movedIn: monthEnds.at(-3)!, registeredAt: monthEnds.at(-3)! });
    const calls = builtAhead.mock.calls.length;
    // Past the kept figures' rest after their last computation (KEPT_FIGURES_PACE: 15 s at least).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
    // A slide after the write: computed from the tables (a miss), and the months recomputed for the new version.
    await planner
      .get(`${MAP}&asOf=${monthEnds.at(-1)}`)
      .expect(200)
      .expect('x-renwu-cache', 'miss');
    await builtAheadTimes(calls + 1);
    // The running month too (the map's first view), computed for the new version before anyone asks.
    const today = await planner.get(MAP).expect(200).expect('x-renwu-cache', 'hit');
    const after = await planner.get(`${MAP}&asOf=${day}`).expect(200).expect('x-renwu-cache', 'hit');
    const answer = after.body as ValuesAnswer;
    const order = (await planner.get('/api/heatmaps/cells?level=grid').expect(200)).body as { codes: string[] };
    const north = order.codes.indexOf(ANALYTICS.northGrid);
    expect(answer.order).toBe(before.order);
    // A planner sees every count: one more floating person living in the north grid on that day.
    expect(answer.values[north]).toBe((before.values[north] ?? 0) + 1);
    // And today's answer kept ahead is the one computed from the tables.
    monthEndStoreOf(t.context.db).stop();
    await insertPerson(t.handle.db, 'floating', 'not yet housed');
    const computed = await planner.get(MAP).expect(200).expect('x-renwu-cache', 'miss');
    expect({ ...(today.body as ValuesAnswer), dataVersion: undefined }).toEqual({ ...(computed.body as ValuesAnswer), dataVersion: undefined });
  });
});

describe('tiles viewed lately, rendered again after a write', () => {
  it('are kept for the new data version without being asked again (the next pan finds them)', async () => {
    const viewed = `/tiles/statistics/14/13389/7130.mvt`;
    await planner.get(viewed).expect(200);
    const person = await insertPerson(t.handle.db, 'floating', 'tile mover');
    await insertStay(t.handle.db, person, { unit: fixtureUnitCode(FIXTURE.westHouse, 1, 1), movedIn: monthEnds.at(-1)!, registeredAt: monthEnds.at(-1)! });
    // The first read at the new version starts the refill of the others.
    await planner.get('/tiles/buildings/14/13389/7130.mvt').expect(200).expect('x-renwu-cache', 'miss');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await planner.get(viewed).expect(200).expect('x-renwu-cache', 'hit');
  });

  it('leave a kept building tile as it is: kept at its own version, which a registration does not move', async () => {
    await buildingTilesOf(t.context.db).build(t.context);
    const building = '/tiles/buildings/14/13389/7130.mvt';
    await planner.get(building).expect(200).expect('x-renwu-cache', 'stored');
    await planner.get(building).expect(200).expect('x-renwu-cache', 'hit');
    const person = await insertPerson(t.handle.db, 'floating', 'another tile mover');
    await insertStay(t.handle.db, person, { unit: fixtureUnitCode(FIXTURE.westHouse, 1, 2), movedIn: monthEnds.at(-1)!, registeredAt: monthEnds.at(-1)! });
    // The first read at the new version starts the refill of the tiles kept at the data's version.
    await planner.get('/tiles/statistics/14/13389/7130.mvt').expect(200);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // Rendered again at the data's version, it would have been forgotten at its own: read from the database again.
    await planner.get(building).expect(200).expect('x-renwu-cache', 'hit');
  });
});
