import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { analyticsSnapshot, analyticsSnapshotKey, changedDaysSince, dayBefore, EVERY_DAY, pruneChangedDays } from '../db/data-version.ts';
import { MAX_PERIOD_MONTHS, monthWindows } from '../domain/period-breaks.ts';
import { addDays } from '../domain/calendar.ts';
import { logger } from '../logger.ts';
import { CASE_FIGURE_ORDER, caseDaysBytes, casesOfPeriod, casesOfPeriods, keepsPeriod, loadCaseDays, type CaseDays } from './case-days.ts';
import {
  AREA_CODE_LENGTH,
  areasOfLevel,
  FOUND_UNREGISTERED_COLUMN,
  POPULATION_COLUMNS,
  populationPerGridOnDay,
  populationWindow,
  type AreaLevel,
  type AreaRow,
  type CasePeriod,
} from './repository.ts';

/**
 * The time slider's population figures, precomputed (issue 18): the per-grid counts of each of the
 * MAX_PERIOD_MONTHS month-ends before today's month, for the whole city, read once per data version
 * in the background, with the same SQL the map itself runs for those days (so the same numbers),
 * and rolled up to districts, streets and communities here. A slider position is then summed from
 * typed arrays in memory instead of read from a daily table of millions of rows.
 *
 * Kept for one data version at a time (analytics_snapshot_key, sql/0008): a reader whose snapshot has
 * another key gets nothing and computes the figures as before. Memory: one Int32Array of
 * (columns × grids) per month, 36 × 7 × 4 bytes = 1 KiB per grid (20 MiB for 20,000 grids).
 *
 * The same version also keeps every grid's cases per day (./case-days.ts, ≈ 17 MiB at Shenzhen
 * scale): the case figures of any period, for the case heatmaps and the hot spots (issue 21).
 */
/** How often the kept figures check the data version once in use on PostgreSQL (shared by many readers). */
export const KEPT_FIGURES_WATCH_MS = 5000;

/**
 * How hard the kept figures may work (issue 19). One recomputation reads every month-end of the
 * city: 3–5 s of database and server time at Shenzhen scale. Under a steady stream of writes the
 * version moves every few seconds, and a watch that recomputed on every move kept a core busy
 * for good and slowed every write and drill-down. So a recomputation rests at least `minRestMs`,
 * and `restFactor` times as long as it took, before the next one (at most a fifth of the time at
 * the defaults), and the watch stops once nobody has asked for the figures for `idleMs`. Readers
 * meanwhile compute from the database (the same numbers, slower), as they do before the first.
 *
 * Once the writes pause, the rest has nothing left to protect: a version that stood still for
 * `quietMs` (two looks that far apart saw the same one) ends the rest as soon as `minRestMs` is
 * over. After a burst of registrations the figures are kept again within seconds, instead of
 * readers summing the tables for half a minute (the overview's legend, 1–2.6 s each, issue 18).
 */
export interface KeptFiguresPace {
  idleMs: number;
  minRestMs: number;
  restFactor: number;
  quietMs: number;
  now: () => number;
}

export const KEPT_FIGURES_PACE: KeptFiguresPace = {
  idleMs: 5 * 60_000,
  minRestMs: 15_000,
  restFactor: 4,
  // Under the watch's interval: two of its looks in a row with the same version are quiet.
  quietMs: KEPT_FIGURES_WATCH_MS - 1000,
  now: () => Date.now(),
};

/** Period legends kept for one data version: a handful of maps and jurisdictions in practice. */
const MAX_KEPT_BREAKS = 256;

interface BreaksOfVersion {
  version: string;
  byRequest: Map<string, Promise<unknown>>;
}

export const KEPT_COLUMNS = [...POPULATION_COLUMNS, FOUND_UNREGISTERED_COLUMN] as const;
const LEVELS: readonly AreaLevel[] = ['district', 'street', 'community', 'grid'];

interface AreaDirectory {
  rows: Omit<AreaRow, 'figures'>[];
  /** For each grid (in the grid level's order), the index of its area in `rows`. */
  areaOfGrid: Int32Array;
}

interface KeptVersion {
  key: string;
  /** The snapshot the figures hold for (pg_current_snapshot): the next version keeps what no write since then changed. */
  snapshot: string;
  today: string;
  /** How many month-ends were read from the tables (the others were kept from the version before). */
  monthEndsRead: number;
  /** Whether everything was kept from the version before (no month-end, case or area read). */
  carried: boolean;
  grids: Map<string, number>;
  areas: Record<AreaLevel, AreaDirectory>;
  /** Month-end day → KEPT_COLUMNS.length × grids counts, column-major. */
  days: Map<string, Int32Array>;
  /** Undefined while they are read: the month-ends are kept before them (see computeVersion). */
  cases?: CaseDays;
}

/**
 * The areas of one level with their figures column by column: `sums[c][i]` is `columns[c]` of
 * `rows[i]`. A whole-city grid map is then a few typed arrays rather than 20,000 row objects
 * (the hot spots read it so: issue 21).
 */
export interface AreaColumns {
  rows: readonly Omit<AreaRow, 'figures'>[];
  columns: readonly string[];
  sums: Float64Array[];
}

/** The row objects sumByArea gives, from columns. */
export function rowsOfColumns({ rows, columns, sums }: AreaColumns): AreaRow[] {
  return rows.map((row, position) => {
    const figures: Record<string, number> = {};
    columns.forEach((column, c) => {
      figures[column] = sums[c]![position]!;
    });
    return { code: row.code, name: row.name, areaKm2: row.areaKm2, figures };
  });
}

/** Figures of the areas of one level (`codes`, in the map's order) at several steps: `counts[step][area]`. */
export interface AreaSeries {
  codes: string[];
  counts: Float64Array[];
}

export interface MonthEndStore {
  /**
   * A reader wants the kept figures: starts the background precomputation when the data version
   * moved on (one at a time, paced by KeptFiguresPace); with `watchMs`, from then on also checks
   * the version that often, so that months are ready again soon after a write rather than after
   * the next slider request, until no reader has asked for `idleMs`.
   */
  refresh(db: Kysely<DB>, watchMs?: number): void;
  /** Whether the watch is on (tests). */
  watching(): boolean;
  /** What sumByArea would give for `day` at `level` (whole city), column by column, when kept for the reader's snapshot. */
  areaColumns(db: Kysely<DB>, day: string, level: AreaLevel, columns: readonly string[]): Promise<AreaColumns | undefined>;
  /** What sumByArea would give for casesInPeriod(period) at `level` (whole city), column by column, when kept for the reader's snapshot. */
  caseColumns(db: Kysely<DB>, period: CasePeriod, level: AreaLevel, columns: readonly string[]): Promise<AreaColumns | undefined>;
  /**
   * Cases of each period per area of `level` (the areas in the map's order, as caseRows lists
   * them): what casesInPeriod sums, for many periods at once (emerging hot spots' months).
   */
  casesByPeriod(db: Kysely<DB>, periods: readonly CasePeriod[], level: AreaLevel): Promise<AreaSeries | undefined>;
  /** One population column per area of `level` on each of `days`, when every one of them is a kept month-end (emerging hot spots of floating people). */
  populationOnDays(db: Kysely<DB>, days: readonly string[], level: AreaLevel, column: (typeof KEPT_COLUMNS)[number]): Promise<AreaSeries | undefined>;
  /**
   * Legend breaks fixed over a period (a heatmap's breaksFrom), kept for the reader's data
   * version: every month the slider shows of one map shares them, and they are computed from the
   * map of every month of the period. Concurrent readers of one key share one computation.
   */
  keptBreaks<T>(db: Kysely<DB>, requestKey: string, compute: () => Promise<T>): Promise<T>;
  /** Whether the months kept are those of the reader's snapshot (answers built from them cost no SQL sums). */
  holdsVersionOf(db: Kysely<DB>): Promise<boolean>;
  /** The data version the months kept were read in, if any. */
  keptVersion(): string | undefined;
  /** Called after each precomputation (the slider's answers are built ahead from it: ./slider-warmer.ts). */
  onKept(listener: () => void): void;
  /** Whether a precomputation is under way. */
  computing(): boolean;
  /** The precomputation under way, if any (tests wait on it). */
  settled(): Promise<void>;
  /** The month-ends of the precomputation under way, if any: kept before its cases per day are read. */
  monthEndsSettled(): Promise<void>;
  heldBytes(): number;
  keptDays(): string[];
  /**
   * Prunes the log of changed days (sql/0032): below the kept figures' snapshot while readers use
   * them (the next version keeps what the log says is unchanged), else below a snapshot of now
   * (the next reader reads every month-end, as after any long pause). Without it the log grows by a
   * row per write for as long as nobody looks at a map.
   */
  forgetChangedDays(db: Kysely<DB>): Promise<void>;
  stop(): void;
}

/** The month-ends the slider offers: the last day of each of the months before today's. */
export function sliderMonthEnds(today: string): string[] {
  const first = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - 1 - MAX_PERIOD_MONTHS;
  const firstDay = `${Math.floor(first / 12)}-${String((first % 12) + 1).padStart(2, '0')}-01`;
  return monthWindows(firstDay, addDays(`${today.slice(0, 7)}-01`, -1)).map((window) => window.to);
}

const snapshotKey = analyticsSnapshotKey;

async function areaDirectory(db: Kysely<DB>, level: AreaLevel, grids: Map<string, number>): Promise<AreaDirectory> {
  // The map's own roll-up with no figures: the same areas, names and summed areas, in the same order.
  const rows = await areasOfLevel(db, level);
  const index = new Map(rows.map((row, position) => [row.code, position]));
  const areaOfGrid = new Int32Array(grids.size);
  for (const [code, position] of grids) areaOfGrid[position] = index.get(code.slice(0, AREA_CODE_LENGTH[level])) ?? -1;
  return { rows, areaOfGrid };
}

async function dayCounts(db: Kysely<DB>, day: string, kept: boolean, grids: Map<string, number>): Promise<Int32Array> {
  const counts = new Int32Array(KEPT_COLUMNS.length * grids.size);
  for (const row of await populationPerGridOnDay(db, day, kept)) {
    const position = grids.get(row.grid_code);
    if (position === undefined) continue; // not a grid of the map (the map's LEFT JOIN from grids drops it too)
    KEPT_COLUMNS.forEach((column, index) => {
      counts[index * grids.size + position] = Number(row[column] ?? 0);
    });
  }
  return counts;
}

/**
 * Every month-end in one REPEATABLE READ snapshot, keyed by that snapshot's data version; the
 * version is handed to `keepMonthEnds` before its cases per day are read (1.7 s of the 4.5 s at
 * Shenzhen scale), so that a population map's legend over the period, which waits for the
 * month-ends after a write, does not wait for the cases too (issue 18).
 *
 * From `previous` it keeps what the writes since its snapshot cannot have changed (changedDaysSince,
 * sql/0032): every month-end before the earliest day they changed, and the areas and cases when no
 * write changed every day. A burst of move-ins registered today so rereads nothing. Undefined, and
 * nothing read, when some month-end would have to be read again and `mayReread` is false.
 */
async function computeVersion(
  db: Kysely<DB>,
  previous: KeptVersion | undefined,
  mayReread: boolean,
  keepMonthEnds: (version: KeptVersion) => void,
): Promise<KeptVersion | undefined> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const { key, snapshot } = await analyticsSnapshot(trx);
      const window = await populationWindow(trx);
      const unchanged = previous && (await unchangedDays(trx, previous, window.today));
      // A day after the kept window would need the window extended first (a write): left to the map itself.
      const monthEnds = sliderMonthEnds(window.today).filter((end) => end <= window.lastDay);
      const toRead = monthEnds.filter((day) => !unchanged?.(day));
      if (toRead.length > 0 && !mayReread) return undefined;
      const { grids, areas } = unchanged ? previous! : await areaDirectories(trx);
      const days = new Map<string, Int32Array>();
      for (const day of monthEnds) {
        days.set(day, toRead.includes(day) ? await dayCounts(trx, day, day >= window.firstDay, grids) : previous!.days.get(day)!);
      }
      const keptCases = unchanged && previous!.cases;
      const carried = toRead.length === 0 && keptCases !== undefined;
      const kept = { key, snapshot, today: window.today, grids, areas, days, monthEndsRead: toRead.length, carried };
      keepMonthEnds(kept);
      return { ...kept, cases: keptCases || (await loadCaseDays(trx, grids)) };
    });
}

/** Which of `previous`'s month-ends still hold in the reader's snapshot; undefined when none may be trusted. */
async function unchangedDays(db: Kysely<DB>, previous: KeptVersion, today: string): Promise<((day: string) => boolean) | undefined> {
  if (previous.today !== today) return undefined; // another month list, and maybe a window carried forward
  const changedFrom = await changedDaysSince(db, previous.snapshot);
  if (changedFrom === undefined || changedFrom === EVERY_DAY) return undefined;
  return (day) => previous.days.has(day) && dayBefore(day, changedFrom);
}

async function areaDirectories(db: Kysely<DB>): Promise<Pick<KeptVersion, 'grids' | 'areas'>> {
  const gridRows = (await areasOfLevel(db, 'grid')).map((row) => row.code);
  const grids = new Map(gridRows.map((code, position) => [code, position]));
  const areas = {} as Record<AreaLevel, AreaDirectory>;
  for (const level of LEVELS) areas[level] = await areaDirectory(db, level, grids);
  return { grids, areas };
}

/** Sums one column of a column-major per-grid array (`order` names its columns) into the areas of `level`. */
function areaSums(version: KeptVersion, counts: Int32Array, order: readonly string[], column: string, level: AreaLevel): Float64Array {
  const directory = version.areas[level];
  const gridCount = version.grids.size;
  const offset = order.indexOf(column) * gridCount;
  const sums = new Float64Array(directory.rows.length);
  for (let grid = 0; grid < gridCount; grid += 1) {
    const area = directory.areaOfGrid[grid]!;
    if (area >= 0) sums[area]! += counts[offset + grid]!;
  }
  return sums;
}

function rollUp(version: KeptVersion, counts: Int32Array, order: readonly string[], level: AreaLevel, columns: readonly string[]): AreaColumns {
  return { rows: version.areas[level].rows, columns, sums: columns.map((column) => areaSums(version, counts, order, column, level)) };
}

/** The kept version when it is the reader's snapshot's, else undefined. */
async function versionFor(db: Kysely<DB>, version: KeptVersion | undefined): Promise<KeptVersion | undefined> {
  return version && (await snapshotKey(db)) === version.key ? version : undefined;
}

export function createMonthEndStore(
  log: (message: string, fields: Record<string, unknown>) => void = () => {},
  pace: KeptFiguresPace = KEPT_FIGURES_PACE,
): MonthEndStore {
  let current: KeptVersion | undefined;
  let running: Promise<void> | undefined;
  /** Resolved once the precomputation under way has kept its month-ends (or ended). */
  let monthEndsKept: Promise<void> | undefined;
  let lastAsked: string | undefined;
  let watch: ReturnType<typeof setInterval> | undefined;
  let askedAt = pace.now();
  let restUntil = Number.NEGATIVE_INFINITY;
  /** The end of the shortest rest (`minRestMs`), which a quiet version may end the rest at. */
  let restedEnough = Number.NEGATIVE_INFINITY;
  /** The version a look during the rest saw, and since when it has been seen. */
  let seen: { key: string; since: number } | undefined;
  /** Set when a version could not be kept without reading month-ends again: the rest decides when. */
  let mustReread = false;
  let breaks: BreaksOfVersion = { version: '', byRequest: new Map() };
  const keptListeners: (() => void)[] = [];

  /** Whether the version was kept (false: it had month-ends to read again, which `mayReread` forbade). */
  async function recompute(db: Kysely<DB>, mayReread: boolean, monthEndsDone: () => void): Promise<boolean> {
    const started = pace.now();
    const next = await computeVersion(db, current, mayReread, (monthEnds) => {
      current = monthEnds;
      monthEndsDone();
    });
    if (!next) return false;
    current = next;
    const took = pace.now() - started;
    // Keeping what no write changed costs a few small reads: only real reading earns a rest.
    if (!next.carried) {
      restUntil = pace.now() + Math.max(pace.minRestMs, pace.restFactor * took);
      restedEnough = pace.now() + pace.minRestMs;
    }
    log('time slider months precomputed', { months: next.days.size, read: next.monthEndsRead, carried: next.carried, grids: next.grids.size, ms: took });
    for (const listener of keptListeners) listener();
    return true;
  }

  /** Whether `key` has been the version for `quietMs` (looks during the rest note when it was first seen). */
  function quiet(key: string): boolean {
    if (seen?.key !== key) seen = { key, since: pace.now() };
    return pace.now() - seen.since >= pace.quietMs;
  }

  /** Whether the rest is over: the shortest one has passed and the full one too, or the writes have paused. */
  function rested(key: string): boolean {
    return pace.now() >= restedEnough && (pace.now() >= restUntil || quiet(key));
  }

  /**
   * Catches up when the version moved on, unless one is running. While the last reading rests
   * (and the writes go on), only a version that keeps every month-end is taken; once one could
   * not be, none is tried again before the rest is over.
   */
  function catchUp(db: Kysely<DB>): void {
    if (running) return;
    let monthEndsDone = () => {};
    monthEndsKept = new Promise((resolve) => {
      monthEndsDone = resolve;
    });
    running = (async () => {
      const key = await snapshotKey(db);
      if (current?.key === key || lastAsked === key) return;
      const mayReread = rested(key);
      if (!mayReread && mustReread) return;
      const kept = await recompute(db, mayReread, monthEndsDone);
      mustReread = !kept;
      if (kept) lastAsked = key;
    })()
      .catch((error: unknown) => {
        // A closed database (the app stopped) or a broken one: stop watching; the next slider request starts again.
        store.stop();
        lastAsked = undefined;
        log('time slider precomputation failed', { error: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        monthEndsDone();
        running = undefined;
        monthEndsKept = undefined;
      });
  }

  function watchTick(db: Kysely<DB>): void {
    if (pace.now() - askedAt > pace.idleMs) store.stop();
    else catchUp(db);
  }

  const store: MonthEndStore = {
    refresh(db, watchMs) {
      askedAt = pace.now();
      if (watchMs && !watch) {
        watch = setInterval(() => watchTick(db), watchMs);
        watch.unref();
      }
      catchUp(db);
    },
    watching: () => watch !== undefined,
    async areaColumns(db, day, level, columns) {
      const kept = current;
      const counts = kept?.days.get(day);
      if (!counts || !columns.every((column) => (KEPT_COLUMNS as readonly string[]).includes(column))) return undefined;
      const version = await versionFor(db, kept);
      return version && rollUp(version, counts, KEPT_COLUMNS, level, columns);
    },
    async caseColumns(db, period, level, columns) {
      const version = await versionFor(db, current);
      const cases = version?.cases;
      if (!version || !cases || !keepsPeriod(period) || !columns.every((column) => (CASE_FIGURE_ORDER as readonly string[]).includes(column))) return undefined;
      return rollUp(version, casesOfPeriod(cases, period), CASE_FIGURE_ORDER, level, columns);
    },
    async casesByPeriod(db, periods, level) {
      const version = await versionFor(db, current);
      const cases = version?.cases;
      if (!version || !cases || !periods.every((period) => keepsPeriod(period) && period.kind === undefined)) return undefined;
      const counts = casesOfPeriods(cases, periods).map((perGrid) => areaSums(version, perGrid, ['cases'], 'cases', level));
      return { codes: version.areas[level].rows.map((row) => row.code), counts };
    },
    async populationOnDays(db, days, level, column) {
      const version = await versionFor(db, current);
      const perDay = days.map((day) => version?.days.get(day));
      if (!version || perDay.some((counts) => counts === undefined)) return undefined;
      const counts = perDay.map((perGrid) => areaSums(version, perGrid!, KEPT_COLUMNS, column, level));
      return { codes: version.areas[level].rows.map((row) => row.code), counts };
    },
    async keptBreaks(db, requestKey, compute) {
      const version = await snapshotKey(db);
      if (breaks.version !== version || breaks.byRequest.size >= MAX_KEPT_BREAKS) breaks = { version, byRequest: new Map() };
      const { byRequest } = breaks;
      let kept = byRequest.get(requestKey);
      if (!kept) {
        kept = compute();
        byRequest.set(requestKey, kept);
        // A failed computation is not kept: the next reader tries again.
        kept.catch(() => byRequest.delete(requestKey));
      }
      return kept as ReturnType<typeof compute>;
    },
    holdsVersionOf: async (db) => (await versionFor(db, current)) !== undefined,
    keptVersion: () => current?.key,
    onKept: (listener) => {
      keptListeners.push(listener);
    },
    computing: () => running !== undefined,
    settled: async () => {
      await running;
    },
    monthEndsSettled: async () => {
      await monthEndsKept;
    },
    heldBytes: () =>
      [...(current?.days.values() ?? [])].reduce((total, counts) => total + counts.byteLength, current?.cases ? caseDaysBytes(current.cases) : 0),
    keptDays: () => [...(current?.days.keys() ?? [])],
    async forgetChangedDays(db) {
      const inUse = current && pace.now() - askedAt <= pace.idleMs;
      await pruneChangedDays(db, inUse ? current!.snapshot : (await analyticsSnapshot(db)).snapshot);
    },
    stop: () => {
      if (watch) clearInterval(watch);
      watch = undefined;
    },
  };
  return store;
}

/** How often a server prunes the log of changed days (forgetChangedDays). */
export const FORGET_CHANGED_DAYS_MS = 60_000;

/** Prunes the log every `everyMs` for as long as the server runs; stop() ends it. */
export function forgetChangedDaysRegularly(db: Kysely<DB>, store: MonthEndStore, everyMs = FORGET_CHANGED_DAYS_MS): { stop(): void } {
  const timer = setInterval(() => {
    store.forgetChangedDays(db).catch((error: unknown) => {
      logger.warn('log of changed days not pruned', { error: error instanceof Error ? error.message : String(error) });
    });
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * One store per database handle: the heatmaps and the hot spots (issue 21) read the same kept
 * figures, so they are computed and held once per app.
 */
const storesByDatabase = new WeakMap<Kysely<DB>, MonthEndStore>();

export function monthEndStoreOf(db: Kysely<DB>, log?: (message: string, fields: Record<string, unknown>) => void): MonthEndStore {
  let store = storesByDatabase.get(db);
  if (!store) {
    store = createMonthEndStore(log);
    storesByDatabase.set(db, store);
  }
  return store;
}
