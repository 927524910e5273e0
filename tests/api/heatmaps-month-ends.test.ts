import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../../server/auth/session.ts';
import { createMonthEndStore, KEPT_COLUMNS, KEPT_FIGURES_PACE, rowsOfColumns, sliderMonthEnds, type MonthEndStore } from '../../server/heatmaps/month-ends.ts';
import type { MetricName } from '../../server/domain/heatmap-metrics.ts';
import { buildHeatmap, type HeatmapRequest } from '../../server/heatmaps/service.ts';
import { buildEmergingHotspots } from '../../server/hotspots/emerging.ts';
import { buildHotspots, hotspotsJson } from '../../server/hotspots/service.ts';
import { ANALYTICS, insertAnalyticsCity, insertPerson, insertStay } from '../helpers/analytics-fixture.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { ENGINE_UNDER_TEST, TEST_DATABASE_URL } from '../helpers/database.ts';
import { FIXTURE, fixtureUnitCode, insertUser } from '../helpers/fixture-city.ts';

/**
 * The time slider's precomputed month-ends (server/heatmaps/month-ends.ts, issue 18): a map read
 * from them must be exactly the map computed from the tables, at every level, for every
 * population metric, for a leader (small counts suppressed) and a planner; a write must make them
 * stale at once (the next answer is computed afresh and includes it); and they hold a fixed
 * number of bytes per grid, for one data version only.
 */
let t: TestApp;
let planner: LoggedIn;
let store: MonthEndStore;
let monthEnds: string[];

const principal = (role: 'leader' | 'planner'): Principal => ({
  userId: 0,
  username: role,
  displayName: role,
  role,
  jurisdiction: [FIXTURE.district],
  collectorId: null,
});
const LEVELS = ['district', 'street', 'community', 'grid'] as const;
const METRICS: { metric: MetricName; category?: 'all' | 'floating' | 'registered' }[] = [
  { metric: 'floating_density' },
  { metric: 'population', category: 'all' },
  { metric: 'population', category: 'floating' },
  { metric: 'registration_rate' },
  { metric: 'permit_rate' },
];
const requestOf = (metric: MetricName, level: (typeof LEVELS)[number], asOf: string, category: 'all' | 'floating' | 'registered' = 'all'): HeatmapRequest => ({
  metric,
  level,
  asOf,
  category,
  tier: 'red',
  resolution: 8,
  metres: 500,
});

const UNPACED = { ...KEPT_FIGURES_PACE, minRestMs: 0, restFactor: 0 };

beforeAll(async () => {
  t = await startTestApp();
  await insertAnalyticsCity(t.handle.db);
  await insertUser(t.handle.db, 'planner', 'planner');
  planner = await t.logIn('planner');
  const today = (await sql<{ today: string }>`SELECT city_today() AS today`.execute(t.handle.db)).rows[0]!.today;
  monthEnds = sliderMonthEnds(today);
  // Unpaced: these tests recompute right after each write (the pace has tests of its own below).
  store = createMonthEndStore(undefined, UNPACED);
  store.refresh(t.handle.db);
  await store.settled();
});
afterAll(async () => {
  store?.stop();
  await t?.close();
});

describe('time slider month-ends', () => {
  it("are the 36 month-ends before today's month, oldest first", () => {
    expect(monthEnds).toHaveLength(36);
    expect(monthEnds.every((day, index) => index === 0 || day > monthEnds[index - 1]!)).toBe(true);
    expect(sliderMonthEnds('2026-03-15')).toContain('2026-02-28');
    expect(sliderMonthEnds('2026-03-15').at(-1)).toBe('2026-02-28');
    expect(sliderMonthEnds('2026-03-15')[0]).toBe('2023-03-31');
  });

  it('answer exactly what the tables give, at every level, metric and role, inside and before the kept days', async () => {
    expect(store.keptDays()).toEqual(monthEnds);
    // Before the kept window (2024-01-01, summed from the changes), during the fixture's stays, and recent.
    const days = [monthEnds[0]!, '2025-01-31', '2025-02-28', '2025-05-31', '2025-06-30', monthEnds.at(-1)!].filter((day) => monthEnds.includes(day));
    expect(days.length).toBeGreaterThanOrEqual(5);
    for (const role of ['leader', 'planner'] as const) {
      for (const level of LEVELS) {
        for (const { metric, category } of METRICS) {
          for (const day of days) {
            const request = requestOf(metric, level, day, category);
            const fromTables = await buildHeatmap(t.handle.db, principal(role), request);
            const fromMonths = await buildHeatmap(t.handle.db, principal(role), request, store);
            expect(fromMonths, `${role} ${metric} ${level} ${day}`).toEqual(fromTables);
          }
        }
      }
    }
  });

  it('give the same legend fixed over 36 months (breaksFrom) as the tables', async () => {
    for (const level of ['community', 'grid'] as const) {
      const request = { ...requestOf('registration_rate', level, monthEnds.at(-1)!), breaksFrom: monthEnds[1]! }; // 35 month-ends and today's month: the most a legend spans
      const fromTables = await buildHeatmap(t.handle.db, principal('leader'), request);
      expect(await buildHeatmap(t.handle.db, principal('leader'), request, store)).toEqual(fromTables);
    }
  });

  it('keep a legend fixed over the period per data version and caller: computed once for every month, afresh after a write', async () => {
    let computed = 0;
    const count = async () => {
      computed += 1;
      return computed;
    };
    expect(await store.keptBreaks(t.handle.db, 'one map', count)).toBe(1);
    expect(await store.keptBreaks(t.handle.db, 'one map', count)).toBe(1);
    expect(await store.keptBreaks(t.handle.db, 'another map', count)).toBe(2);
    // Each caller and month through the map itself: the legend its own jurisdiction and suppression give.
    const legendOf = async (role: 'leader' | 'planner', asOf: string, months?: MonthEndStore) => {
      const { breaks, breaksOver } = await buildHeatmap(
        t.handle.db,
        principal(role),
        { ...requestOf('population', 'grid', asOf), breaksFrom: monthEnds[1]! },
        months,
      );
      return { breaks, breaksOver };
    };
    for (const role of ['planner', 'leader'] as const) {
      const fromTables = await legendOf(role, monthEnds.at(-1)!);
      expect(await legendOf(role, monthEnds.at(-1)!, store), role).toEqual(fromTables);
      expect(await legendOf(role, monthEnds.at(-5)!, store), role).toEqual(fromTables);
    }
    const person = await insertPerson(t.handle.db, 'floating', 'legend mover');
    await insertStay(t.handle.db, person, { unit: fixtureUnitCode(ANALYTICS.northHouse, 1, 1), movedIn: monthEnds.at(-3)!, registeredAt: monthEnds.at(-3)! });
    expect(await store.keptBreaks(t.handle.db, 'one map', count)).toBe(3);
    expect(await legendOf('planner', monthEnds.at(-1)!, store)).toEqual(await legendOf('planner', monthEnds.at(-1)!));
    store.refresh(t.handle.db);
    await store.settled();
  });

  it('are read for a kept day (the answer has figures where the fixture has people)', async () => {
    const map = await buildHeatmap(t.handle.db, principal('planner'), requestOf('population', 'grid', '2025-02-28'), store);
    expect(map.cells.find((cell) => cell.code === FIXTURE.gridWest)?.figures?.people).toBeGreaterThan(0);
  });

  it('are stale after a move-in: the next answer includes it, and the background brings them up to date', async () => {
    const day = '2025-05-31';
    const asked = `/api/heatmaps/population?level=grid&category=floating&asOf=${day}`;
    const floatingIn = (body: { cells: { code: string; figures?: Record<string, number> }[] }) =>
      body.cells.find((cell) => cell.code === ANALYTICS.northGrid)?.figures?.people ?? 0;
    const before = floatingIn((await planner.get(asked).expect(200)).body);
    const kept = await store.areaColumns(t.handle.db, day, 'grid', ['floating']);
    expect(kept).toBeDefined();

    const person = await insertPerson(t.handle.db, 'floating', 'month-end mover');
    await insertStay(t.handle.db, person, { unit: fixtureUnitCode(ANALYTICS.northHouse, 1, 1), movedIn: '2025-05-10', registeredAt: '2025-05-11' });

    // The old version's months are not read for the new snapshot …
    expect(await store.areaColumns(t.handle.db, day, 'grid', ['floating'])).toBeUndefined();
    // … so the very next answer counts the new resident,
    const after = await planner.get(asked).expect(200);
    expect(floatingIn(after.body)).toBe(before + 1);
    // and once recomputed, the kept months count them too.
    store.refresh(t.handle.db);
    await store.settled();
    const columns = await store.areaColumns(t.handle.db, day, 'grid', ['floating']);
    expect(columns && rowsOfColumns(columns).find((row) => row.code === ANALYTICS.northGrid)?.figures.floating).toBe(before + 1);
  });

  // Cases per grid and day (server/heatmaps/case-days.ts, issue 21): any period, any kind, at every level.
  const PERIODS: { from: string; to: string; kind?: 'criminal' | 'public_order' }[] = [
    { from: '2025-05-01', to: '2025-05-31' },
    { from: '2025-04-01', to: '2025-07-31' },
    { from: '2025-05-10', to: '2025-05-10' },
    { from: '2025-05-11', to: '2025-06-09' },
    { from: '2025-01-01', to: '2025-12-31', kind: 'criminal' },
    { from: '2025-04-30', to: '2025-05-20', kind: 'public_order' },
    { from: '2024-01-01', to: '2024-12-31' },
  ];

  it('answer case maps of any period and kind exactly as the tables do, at every level and role', async () => {
    for (const role of ['leader', 'planner'] as const) {
      for (const level of LEVELS) {
        for (const period of PERIODS) {
          const request = { ...requestOf('cases', level, period.to), from: period.from, to: period.to, kind: period.kind };
          const fromTables = await buildHeatmap(t.handle.db, principal(role), request);
          expect(await buildHeatmap(t.handle.db, principal(role), request, store), `${role} ${level} ${JSON.stringify(period)}`).toEqual(fromTables);
        }
      }
    }
    const total = await buildHeatmap(t.handle.db, principal('planner'), { ...requestOf('cases', 'district', '2025-12-31'), from: '2025-01-01' }, store);
    expect(total.cells.reduce((sum, cell) => sum + (cell.value ?? 0), 0)).toBeGreaterThanOrEqual(4); // the fixture's cases are in the kept days
  });

  it('leave a case category to the database (not kept)', async () => {
    expect(await store.caseColumns(t.handle.db, { from: '2025-05-01', to: '2025-05-31', category: 'theft' }, 'grid', ['cases'])).toBeUndefined();
    expect(await store.caseColumns(t.handle.db, { from: '2025-05-01', to: '2025-05-31' }, 'grid', ['cases'])).toBeDefined();
  });

  it('give hot spots and emerging hot spots of cases the same answers as the tables, read from memory', async () => {
    for (const level of ['grid', 'community'] as const) {
      const request = { metric: 'cases' as const, level, from: '2025-04-01', to: '2025-06-30', fdr: true };
      const fromTables = await buildHotspots(t.handle.db, principal('planner'), request);
      const fromStore = await buildHotspots(t.handle.db, principal('planner'), request, store);
      expect(fromTables.method.figures).toBe('summed by the database');
      expect(fromStore.method.figures).toBe('kept per data version');
      expect({ ...fromStore, method: fromTables.method }).toEqual(fromTables);

      for (const metric of ['cases', 'floating_density'] as const) {
        for (const role of ['leader', 'planner'] as const) {
          const emerging = { metric, level, months: 24, to: monthEnds.at(-1)!, fdr: true };
          const emergingFromTables = await buildEmergingHotspots(t.handle.db, principal(role), emerging);
          const emergingFromStore = await buildEmergingHotspots(t.handle.db, principal(role), emerging, store);
          expect(emergingFromStore.method.figures, `${metric} ${role}`).toBe('kept per data version');
          expect({ ...emergingFromStore, method: emergingFromTables.method }, `${metric} ${level} ${role}`).toEqual(emergingFromTables);
        }
      }
    }
    // A period ending before the kept month-ends is read from the tables.
    const early = await buildEmergingHotspots(
      t.handle.db,
      principal('planner'),
      { metric: 'floating_density', level: 'grid', months: 12, to: '2021-12-31', fdr: true },
      store,
    );
    expect(early.method.figures).toBe('summed by the database');
  });

  it('write the hot-spot answer as JSON that parses to the very objects buildHotspots gives', async () => {
    for (const role of ['leader', 'planner'] as const) {
      for (const metric of ['cases', 'floating_density'] as const) {
        for (const level of ['grid', 'community'] as const) {
          const request = { metric, level, asOf: '2025-06-01', from: '2025-04-01', to: '2025-06-30', fdr: role === 'leader' };
          for (const kept of [undefined, store]) {
            const objects = await buildHotspots(t.handle.db, principal(role), request, kept);
            const text = gunzipSync((await hotspotsJson(t.handle.db, principal(role), request, kept)).gzip).toString('utf8');
            expect(JSON.parse(text), `${role} ${metric} ${level}`).toEqual(objects);
          }
        }
      }
    }
  });

  it('hold one data version: 36 months × the kept columns × 4 bytes per grid and the cases per day, no more', async () => {
    const grids = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM grids`.execute(t.handle.db)).rows[0]!.n);
    const caseDays = Number((await sql<{ n: number }>`SELECT count(DISTINCT (grid_code, day))::int AS n FROM grid_case_daily`.execute(t.handle.db)).rows[0]!.n);
    // Per (grid, day): its day and four running counts; per grid: where its days start.
    const bound = 36 * KEPT_COLUMNS.length * 4 * grids + 4 * (grids + 1) + 4 * caseDays + 4 * 4 * (caseDays + 1);
    expect(store.heldBytes()).toBeLessThanOrEqual(bound);
    expect(store.heldBytes()).toBeGreaterThan(0);
    // Another write, another version: the store replaces its months rather than adding to them.
    await insertStay(t.handle.db, await insertPerson(t.handle.db, 'floating', 'second mover'), {
      unit: fixtureUnitCode(ANALYTICS.northHouse, 1, 2),
      movedIn: '2025-04-10',
      registeredAt: '2025-04-11',
    });
    store.refresh(t.handle.db);
    await store.settled();
    expect(store.heldBytes()).toBeLessThanOrEqual(bound);
    expect(store.keptDays()).toHaveLength(36);
  });

  // sql/0026: transaction ids are cluster-wide; a write in progress in another database must not make
  // this database's kept months (and heatmaps, and tiles) stale.
  it.runIf(ENGINE_UNDER_TEST === 'postgres')('keep the month-ends before the cases per day are read: a population legend does not wait for those', async () => {
    // Another session holds the cases per day: the recomputation can read every month-end, not the cases.
    const own = createMonthEndStore(undefined, UNPACED);
    const mayCases = { from: '2025-05-01', to: '2025-05-31' };
    await t.handle.db.connection().execute(async (holder) => {
      await sql`BEGIN`.execute(holder);
      try {
        await sql`LOCK TABLE grid_case_daily IN ACCESS EXCLUSIVE MODE`.execute(holder);
        own.refresh(t.handle.db);
        await own.monthEndsSettled();
        let finished = false;
        const settled = own.settled().then(() => {
          finished = true;
        });
        expect(await own.areaColumns(t.handle.db, '2025-05-31', 'grid', ['floating'])).toBeDefined();
        expect(await own.caseColumns(t.handle.db, mayCases, 'grid', ['cases'])).toBeUndefined();
        expect(finished).toBe(false);
        await sql`ROLLBACK`.execute(holder);
        await settled;
        expect(await own.caseColumns(t.handle.db, mayCases, 'grid', ['cases'])).toBeDefined();
      } finally {
        own.stop();
        await sql`ROLLBACK`.execute(holder).catch(() => undefined);
      }
    });
  });

  const keyNow = async () => (await sql<{ key: string }>`SELECT analytics_snapshot_key() AS key`.execute(t.handle.db)).rows[0]!.key;

  it.runIf(ENGINE_UNDER_TEST === 'postgres')('keep their data version while another database has a write in progress', async () => {
    const before = await keyNow();
    const elsewhere = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await elsewhere.connect();
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      expect(await keyNow()).toBe(before);
      expect(await store.areaColumns(t.handle.db, '2025-05-31', 'grid', ['floating'])).toBeDefined();
    } finally {
      await elsewhere.query('ROLLBACK').catch(() => undefined);
      await elsewhere.end();
    }
  });
  // sql/0038: a transaction of another database that ended between the reader's snapshot and its
  // look at pg_stat_activity stayed in the key, so under short writes elsewhere (another city, a
  // test run) nearly every read had a key of its own and every kept answer was computed again.
  it.runIf(ENGINE_UNDER_TEST === 'postgres')('keep their data version while other databases’ short writes come and go', async () => {
    const elsewhere = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        return client;
      }),
    );
    let writing = true;
    const writers = elsewhere.map(async (client) => {
      while (writing) await client.query('SELECT pg_current_xact_id()');
    });
    try {
      const keys = new Set<string>();
      for (let read = 0; read < 200; read++) keys.add(await keyNow());
      expect(keys.size).toBe(1);
    } finally {
      writing = false;
      await Promise.all(writers);
      await Promise.all(elsewhere.map((client) => client.end()));
    }
  });

  it.runIf(ENGINE_UNDER_TEST === 'postgres')('change their data version when a writer that began first commits after one that began later', async () => {
    await t.handle.db.connection().execute(async (first) => {
      await sql`BEGIN`.execute(first);
      try {
        await sql`SELECT note_analytics_version()`.execute(first);
        await t.handle.db.connection().execute(async (second) => {
          await sql`BEGIN`.execute(second);
          await sql`SELECT note_analytics_version()`.execute(second);
          await sql`COMMIT`.execute(second);
        });
        const between = await keyNow();
        await sql`COMMIT`.execute(first);
        expect(await keyNow()).not.toBe(between);
      } finally {
        await sql`ROLLBACK`.execute(first).catch(() => undefined);
      }
    });
  });
});

// Issue 19: under a stream of writes an unpaced watch recomputed every few seconds, for good.
describe('the kept figures’ pace', () => {
  const moveSomeoneIn = async (name: string, room: number) =>
    insertStay(t.handle.db, await insertPerson(t.handle.db, 'floating', name), {
      unit: fixtureUnitCode(ANALYTICS.northHouse, 1, room),
      movedIn: '2025-03-10',
      registeredAt: '2025-03-11',
    });
  const keptFloating = async (paced: MonthEndStore) => {
    const columns = await paced.areaColumns(t.handle.db, monthEnds.at(-1)!, 'grid', ['floating']);
    return columns && rowsOfColumns(columns).find((row) => row.code === ANALYTICS.northGrid)?.figures.floating;
  };

  it('rests after a recomputation: a write during the rest is kept only once it is over', async () => {
    let clock = 0;
    const paced = createMonthEndStore(undefined, { ...KEPT_FIGURES_PACE, minRestMs: 10_000, restFactor: 4, now: () => clock });
    paced.refresh(t.handle.db);
    await paced.settled();
    const before = await keptFloating(paced);
    expect(before).toBeTypeOf('number');
    await moveSomeoneIn('paced mover', 1);
    clock = 5_000;
    paced.refresh(t.handle.db);
    await paced.settled();
    // Still resting: the old version is not read for the new snapshot (readers go to the tables).
    expect(await keptFloating(paced)).toBeUndefined();
    clock = 10_001;
    paced.refresh(t.handle.db);
    await paced.settled();
    expect(await keptFloating(paced)).toBe(before! + 1);
    paced.stop();
  });

  it('end their rest once the writes pause: a version unchanged for quietMs is kept once minRestMs is over', async () => {
    // The clock moves a millisecond per reading, so a computation takes a few and its rest at a
    // million times that is far longer than the test: only a quiet version ends it early.
    let clock = 0;
    const paced = createMonthEndStore(undefined, { ...KEPT_FIGURES_PACE, minRestMs: 10_000, restFactor: 1e6, quietMs: 1_000, now: () => clock++ });
    const lookAt = async (at: number) => {
      clock = at;
      paced.refresh(t.handle.db);
      await paced.settled();
      return keptFloating(paced);
    };
    const before = await lookAt(0);
    expect(before).toBeTypeOf('number');
    await moveSomeoneIn('quiet mover', 1);
    // Within the shortest rest: not even a look.
    expect(await lookAt(9_000)).toBeUndefined();
    // Past it, the first look notes the version; a look before quietMs has passed still finds it new.
    expect(await lookAt(10_500)).toBeUndefined();
    expect(await lookAt(11_000)).toBeUndefined();
    // A write in between: the version moved, its quiet starts again.
    await moveSomeoneIn('second quiet mover', 2);
    expect(await lookAt(11_600)).toBeUndefined();
    expect(await lookAt(12_000)).toBeUndefined();
    // Unchanged for quietMs: kept, with both writes, though restFactor × took would rest longer.
    expect(await lookAt(12_700)).toBe(before! + 2);
    // Resting again: the next write waits for its own quiet (the first look after it only notes it).
    await moveSomeoneIn('third quiet mover', 1);
    expect(await lookAt(30_000)).toBeUndefined();
    expect(await lookAt(31_100)).toBe(before! + 3);
    paced.stop();
  });

  it('stops watching once nobody has asked for the figures for idleMs', async () => {
    let clock = 0;
    const paced = createMonthEndStore(undefined, { ...KEPT_FIGURES_PACE, idleMs: 1_000, minRestMs: 0, restFactor: 0, now: () => clock });
    paced.refresh(t.handle.db, 10);
    await paced.settled();
    expect(paced.watching()).toBe(true);
    // Asked again within idleMs: still watching, and a write is caught up by the watch alone.
    clock = 900;
    paced.refresh(t.handle.db, 10);
    await moveSomeoneIn('watched mover', 2);
    await vi.waitFor(async () => expect(await keptFloating(paced)).toBeTypeOf('number'), { timeout: 20_000, interval: 50 });
    expect(paced.watching()).toBe(true);
    clock = 2_000;
    await vi.waitFor(() => expect(paced.watching()).toBe(false), { timeout: 5_000, interval: 20 });
    await paced.settled();
  });
});
