import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../server/auth/session.ts';
import {
  analyticsSnapshot,
  analyticsSnapshotKey,
  changedDaysSince,
  EVERY_DAY,
  NO_DAY,
  pruneChangedDays,
  shapeSnapshotKey,
} from '../../server/db/data-version.ts';
import { addDays } from '../../server/domain/calendar.ts';
import { createMonthEndStore, KEPT_FIGURES_PACE, sliderMonthEnds, type MonthEndStore } from '../../server/heatmaps/month-ends.ts';
import { buildHeatmap, type HeatmapRequest } from '../../server/heatmaps/service.ts';
import type { TestApp } from '../helpers/app.ts';
import { FIXTURE } from '../helpers/fixture-city.ts';
import { editShapesByHand } from '../helpers/hand-edits.ts';
import {
  bornYearsAgo,
  daysAgo,
  floatingAdult,
  idCard,
  logInWithPatch,
  REGISTRATION,
  signedIn,
  startRegistrationApp,
  today,
} from '../helpers/registration-fixture.ts';

/**
 * Issue 18: the time slider's kept month-ends outlive a burst of today's registrations. Every
 * write logs the earliest day it can have changed (sql/0032_changed_days.sql); the store keeps each
 * month-end before it for the next data version, at once and even while it rests, and reads only
 * the later ones again. The figures it then answers must be exactly the tables' ones.
 */
let t: TestApp;
const db = () => t.handle.db;
beforeAll(async () => {
  t = await startRegistrationApp();
}, 120_000);
afterAll(async () => t?.close());

let sequence = 0;
/** A new floating adult moved in by the west grid's collector over HTTP, on `movedIn`; answers the person's id. */
async function moveIn(movedIn: string): Promise<number> {
  sequence += 1;
  const collector = await signedIn(t, 'collector_west');
  const person = floatingAdult(idCard(bornYearsAgo(25 + (sequence % 20)), 500 + sequence), `日${sequence}`);
  const response = await collector.post('/api/registrations/move-in', {
    unitCode: REGISTRATION.westUnit(1 + (sequence % 3), 1 + (sequence % 2)),
    movedIn,
    person,
  });
  if (response.status !== 201) throw new Error(`move-in answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.personId;
}

/** The earliest day changed by what `write` commits (changedDaysSince from the snapshot before it). */
async function dayChangedBy(write: () => Promise<unknown>): Promise<string | undefined> {
  const { snapshot } = await analyticsSnapshot(db());
  await write();
  return changedDaysSince(db(), snapshot);
}

describe('the days a write changed (sql/0032)', () => {
  it("are today's for a move-in registered today, and the move-in day for a late one", async () => {
    expect(await dayChangedBy(() => moveIn(today()))).toBe(today());
    expect(await dayChangedBy(() => moveIn(daysAgo(40)))).toBe(daysAgo(40));
  });

  it('are the move-out day for a move-out, not the stay’s first day', async () => {
    const personId = await moveIn(daysAgo(200));
    const police = await signedIn(t, 'police');
    const changed = await dayChangedBy(() => police.post('/api/registrations/move-out', { personId, movedOut: daysAgo(3) }).expect(200));
    expect(changed).toBe(daysAgo(3));
  });

  it('are every day for a change of category, a visit or a full refresh, and none for a write the kept figures do not read', async () => {
    const personId = await moveIn(daysAgo(2));
    const corrector = await logInWithPatch(t, 'police');
    const correct = (fields: object) => corrector.patch(`/api/people/${personId}`, { reason: 'typing_error', ...fields }).expect(200);
    expect(await dayChangedBy(() => correct({ category: 'registered', floatingType: null }))).toBe(EVERY_DAY);
    expect(await dayChangedBy(() => correct({ phone: '13900139000' }))).toBe(NO_DAY);
    const police = await signedIn(t, 'police');
    const visit = { buildingCode: FIXTURE.westHouse, unitCode: REGISTRATION.westUnit(1, 1), visitedOn: daysAgo(1), doorsOk: true };
    expect(await dayChangedBy(() => police.post('/api/rentals/inspections', visit).expect(201))).toBe(EVERY_DAY);
    expect(await dayChangedBy(() => sql`UPDATE grid_unit_stats SET units = units WHERE grid_code = ${FIXTURE.gridWest}`.execute(db()))).toBe(NO_DAY);
    expect(await dayChangedBy(() => sql`SELECT refresh_grid_stats()`.execute(db()))).toBe(EVERY_DAY);
  });

  it('leave out what a rolled-back transaction wrote', async () => {
    const changed = await dayChangedBy(async () => {
      await db()
        .transaction()
        .execute(async (trx) => {
          // A change by hand and its note (README "Editing by hand"), rolled back together.
          await sql`UPDATE grid_population_window SET last_day = last_day`.execute(trx);
          await sql`SELECT note_statistics_written('-infinity')`.execute(trx);
          throw new Error('rolled back');
        })
        .catch(() => undefined);
    });
    expect(changed).toBe(NO_DAY);
  });
});

describe('the statistics tables without triggers (sql/0036, issue 20)', () => {
  const STATISTICS = ['grid_population_changes', 'grid_population_daily', 'grid_case_daily', 'grid_unit_stats'];

  it('carry none, so that a Citus cluster can distribute them', async () => {
    const { rows } = await sql<{ name: string }>`
      SELECT t.tgname AS name FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
      WHERE NOT t.tgisinternal AND c.relname = ANY (${STATISTICS}::text[])`.execute(db());
    expect(rows).toEqual([]);
  });

  it('are written by functions that move the data version and log the days as the triggers did', async () => {
    // The key's first part is the data version (the rest: transactions in flight, the day).
    const version = async () => (await analyticsSnapshotKey(db())).split('|')[0];
    const moves = async (statement: string) => {
      const before = await version();
      const day = await dayChangedBy(() => sql.raw(statement).execute(db()));
      return { version: (await version()) !== before, day };
    };
    expect(await moves('SELECT recount_grid_units(NULL)')).toEqual({ version: true, day: NO_DAY });
    expect(await moves('SELECT recount_grid_cases(NULL)')).toEqual({ version: true, day: EVERY_DAY });
    expect(await moves(`SELECT materialize_grid_population(ARRAY['${FIXTURE.gridWest}'])`)).toEqual({ version: true, day: EVERY_DAY });
    // Carried over no day: nothing written, nothing noted.
    expect(await moves('SELECT carry_grid_population(current_date, current_date)')).toEqual({ version: false, day: NO_DAY });
  });
});

describe('the tables whose writers note them (sql/0043, issue 20)', () => {
  /** Whether `write` moves the data version, and the earliest day it changed. */
  async function noted(write: () => Promise<unknown>) {
    const version = async () => (await analyticsSnapshotKey(db())).split('|')[0];
    const before = await version();
    const day = await dayChangedBy(write);
    return { version: (await version()) !== before, day };
  }

  it('moves the data version and changes every day with the collectors’ settings saved', async () => {
    const admin = await signedIn(t, 'admin');
    const { settings } = (await admin.get('/api/collectors/settings').expect(200)).body;
    expect(await noted(() => admin.send('put', '/api/collectors/settings', settings).expect(200))).toEqual({ version: true, day: EVERY_DAY });
  });

  it('moves the data version and no day with a correction of a person the figures do not count (sql/0049)', async () => {
    const personId = await moveIn(daysAgo(5));
    const corrector = await logInWithPatch(t, 'police');
    const correction = () => corrector.patch(`/api/people/${personId}`, { reason: 'typing_error', phone: '13700137000' }).expect(200);
    expect(await noted(correction)).toEqual({ version: true, day: NO_DAY });
  });

  it('moves the data version with a scoring run, and changes no day the month-ends read', async () => {
    const admin = await signedIn(t, 'admin');
    expect(await noted(() => admin.post('/api/rentals/scores/run', { from: '2025-05', to: '2025-06' }).expect(200))).toEqual({ version: true, day: NO_DAY });
  });

  it('moves the shapes’ version, the data version and every day with a change of the shapes and its note (sql/0044)', async () => {
    const shapes = await shapeSnapshotKey(db());
    const rename = sql`UPDATE grids SET name = name WHERE code = ${FIXTURE.gridWest}`;
    expect(await noted(() => editShapesByHand(db(), rename))).toEqual({ version: true, day: EVERY_DAY });
    expect(await shapeSnapshotKey(db())).not.toBe(shapes);
  });

  it('notes nothing for a change by hand without its note (README "Editing by hand" says to add it)', async () => {
    expect(await noted(() => sql`UPDATE settings SET updated_at = now() WHERE key = 'permits'`.execute(db()))).toEqual({ version: false, day: NO_DAY });
  });
});

describe('the kept month-ends across data versions', () => {
  const planner: Principal = { userId: 0, username: 'planner', displayName: 'planner', role: 'planner', jurisdiction: [FIXTURE.district], collectorId: null };
  const request = (asOf: string, breaksFrom?: string): HeatmapRequest => ({
    metric: 'population',
    level: 'grid',
    asOf,
    category: 'floating',
    tier: 'red',
    resolution: 8,
    metres: 500,
    ...(breaksFrom ? { breaksFrom } : {}),
  });
  /** Every month-end's map from the store equals the map from the tables (and the store had it). */
  async function expectKeptEqualsTables(store: MonthEndStore, monthEnds: string[]) {
    for (const day of monthEnds) {
      expect(await store.areaColumns(db(), day, 'grid', ['floating']), day).toBeDefined();
      expect(await buildHeatmap(db(), planner, request(day), store), day).toEqual(await buildHeatmap(db(), planner, request(day)));
    }
    const legend = request(monthEnds.at(-1)!, monthEnds[1]!);
    expect(await buildHeatmap(db(), planner, legend, store)).toEqual(await buildHeatmap(db(), planner, legend));
  }

  it('keep every month-end through move-ins registered today, at once and while resting, and read again only those a late one changed', async () => {
    const logged: Record<string, unknown>[] = [];
    let clock = 0;
    // Resting far longer than the test after its first reading: only a version that keeps every month-end is taken.
    const store = createMonthEndStore((_message, fields) => logged.push(fields), {
      ...KEPT_FIGURES_PACE,
      minRestMs: 60_000,
      restFactor: 1e6,
      now: () => clock,
    });
    const lookAt = async (at: number) => {
      clock = at;
      store.refresh(db());
      await store.settled();
    };
    const monthEnds = sliderMonthEnds(today());
    await moveIn(addDays(monthEnds.at(-2)!, -5)); // someone on the map of the last month-ends
    await lookAt(0);
    expect(logged.at(-1)).toMatchObject({ read: monthEnds.length, carried: false });

    await moveIn(today());
    await moveIn(today());
    await lookAt(1_000);
    expect(store.keptVersion()).toBe((await analyticsSnapshot(db())).key);
    expect(logged.at(-1)).toMatchObject({ read: 0, carried: true });
    await expectKeptEqualsTables(store, monthEnds);

    // A late move-in changes the month-ends from its day on: not taken while resting …
    const lateDay = addDays(monthEnds.at(-3)!, -2);
    await moveIn(lateDay);
    await lookAt(2_000);
    expect(store.keptVersion()).not.toBe((await analyticsSnapshot(db())).key);
    expect(await store.areaColumns(db(), monthEnds[0]!, 'grid', ['floating'])).toBeUndefined();
    // … and once rested, only the month-ends on or after its day are read again.
    await lookAt(10_000_000_000);
    expect(store.keptVersion()).toBe((await analyticsSnapshot(db())).key);
    expect(logged.at(-1)).toMatchObject({ read: monthEnds.filter((day) => day >= lateDay).length, carried: false });
    await expectKeptEqualsTables(store, monthEnds);
    store.stop();
  });

  it('read every month-end again after a change of every day', async () => {
    const logged: Record<string, unknown>[] = [];
    const store = createMonthEndStore((_message, fields) => logged.push(fields), { ...KEPT_FIGURES_PACE, minRestMs: 0, restFactor: 0 });
    const monthEnds = sliderMonthEnds(today());
    store.refresh(db());
    await store.settled();
    await sql`SELECT refresh_grid_stats()`.execute(db());
    store.refresh(db());
    await store.settled();
    expect(logged.at(-1)).toMatchObject({ read: monthEnds.length, carried: false });
    await expectKeptEqualsTables(store, monthEnds);
    store.stop();
  });
});

// Last: the horizon it raises stays in the database, so the stores above would read everything again.
describe('the log of changed days', () => {
  it('is pruned below the kept figures while readers use them, and below now once nobody has for idleMs', async () => {
    let clock = 0;
    const logged: Record<string, unknown>[] = [];
    const store = createMonthEndStore((_message, fields) => logged.push(fields), {
      ...KEPT_FIGURES_PACE,
      idleMs: 1_000,
      minRestMs: 0,
      restFactor: 0,
      now: () => clock,
    });
    store.refresh(db());
    await store.settled();
    const { snapshot: afterKept } = await analyticsSnapshot(db());
    await moveIn(today());
    // In use: what the next version needs survives, and it still keeps every month-end.
    clock = 500;
    await store.forgetChangedDays(db());
    expect(await changedDaysSince(db(), afterKept)).toBe(today());
    store.refresh(db());
    await store.settled();
    expect(logged.at(-1)).toMatchObject({ read: 0, carried: true });
    // Idle: pruned up to a snapshot of now (as far as transactions still running elsewhere allow).
    await moveIn(today());
    const xminBefore = BigInt((await analyticsSnapshot(db())).snapshot.split(':')[0]!);
    clock = 5_000;
    await store.forgetChangedDays(db());
    const { below, left } = (
      await sql<{ below: string; left: string }>`
        SELECT p.below::text AS below, (SELECT count(*) FROM analytics_changed_days AS d WHERE d.txid < p.below)::text AS left
        FROM analytics_changed_days_pruned AS p`.execute(db())
    ).rows[0]!;
    expect(BigInt(below)).toBeGreaterThanOrEqual(xminBefore);
    expect(left).toBe('0');
    store.stop();
  });

  it('is unknown once pruned past the snapshot asked about: the reader must read every day', async () => {
    const { snapshot: old } = await analyticsSnapshot(db());
    await moveIn(today());
    expect(await changedDaysSince(db(), old)).toBe(today());
    // A snapshot that every transaction so far had ended before (another database's long transaction
    // may hold back the real snapshots' xmin on PostgreSQL, and the log with it).
    const xmax = (await analyticsSnapshot(db())).snapshot.split(':')[1]!;
    const later = `${xmax}:${xmax}:`;
    await pruneChangedDays(db(), later);
    expect(await changedDaysSince(db(), old)).toBeUndefined();
    expect(await changedDaysSince(db(), later)).toBe(NO_DAY);
  });
});
