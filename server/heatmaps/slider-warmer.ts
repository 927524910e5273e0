import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { MonthEndStore } from './month-ends.ts';
import { backgroundPace } from '../http/foreground.ts';

/**
 * The time slider's answers built ahead (issue 18). With the month-ends kept (./month-ends.ts), a
 * month's whole-city answer still costs 15–25 ms of the server's one thread (the legend classes of
 * 20,000 values, the compact answer, its JSON and gzip), and eight slider requests in flight for
 * months nobody asked for before queue behind each other's. So the maps read lately are built for
 * every kept month-end in the background, newest month first: right after a map is read, and
 * again after each precomputation of the months (a new data version). Sliding then reads kept
 * answers.
 *
 * Only from months kept for the reader's data version: the background never sums the tables (an
 * answer it would have to compute so is left to the reader who asks for it). One answer at a time,
 * each after a quiet moment between requests, or under continuous load after as long as the
 * previous one took (http/foreground.ts backgroundPace). The running month's answer first: it is the map's
 * first view (the leader's overview, whose legend spans every kept month-end and today's figures,
 * one day read from the tables), and the first visit after a burst of writes found it unkept.
 */
export interface SliderWarmer {
  /** A map was read; `buildMonth(day)` builds and keeps its answer as of that month-end, or today's without one (a no-op when kept). */
  noteRead(mapKey: string, buildMonth: (day: string | undefined) => Promise<unknown>): void;
}

/** How many maps (metric, level, filters, caller's jurisdiction) are built ahead: the last ones read. */
export const SLIDER_MAPS_BUILT_AHEAD = 6;

export function createSliderWarmer(
  db: Kysely<DB>,
  months: MonthEndStore,
  log: (message: string, fields: Record<string, unknown>) => void = () => {},
  mapsBuiltAhead = SLIDER_MAPS_BUILT_AHEAD,
): SliderWarmer {
  // Insertion order is recency: a read moves its map to the end.
  const recent = new Map<string, (day: string | undefined) => Promise<unknown>>();
  // The kept months' version each map was last built for in full.
  const builtFor = new Map<string, string>();
  let running: Promise<void> | undefined;
  let askedAgain = false;

  const unbuilt = () => [...recent.keys()].reverse().filter((key) => builtFor.get(key) !== months.keptVersion());

  function schedule(): void {
    if (running) {
      askedAgain = true;
      return;
    }
    if (months.keptVersion() === undefined || unbuilt().length === 0) return;
    running = buildUnbuilt().finally(() => {
      running = undefined;
      if (askedAgain) {
        askedAgain = false;
        schedule();
      }
    });
  }

  async function buildUnbuilt(): Promise<void> {
    for (const key of unbuilt()) {
      const version = months.keptVersion();
      const outcome = await buildMap(key).catch((error: unknown) => {
        // Not tried again for this version: the reader who asks gets the error itself.
        log('time slider answers not built ahead', { error: error instanceof Error ? error.message : String(error) });
        return 'failed' as const;
      });
      if (outcome === 'stale') return;
      if (version !== undefined) builtFor.set(key, version);
    }
  }

  /** Builds one map's running month and every kept month-end, newest first; 'stale' when the months kept are no longer the data's. */
  async function buildMap(key: string): Promise<'built' | 'stale'> {
    const days = [undefined, ...[...months.keptDays()].reverse()];
    const started = Date.now();
    const pace = backgroundPace();
    for (const day of days) {
      const build = recent.get(key);
      if (!build) return 'built';
      if (!(await months.holdsVersionOf(db))) return 'stale';
      // Requests first: the next answer waits for a quiet moment, or as long as the last one took (a request building one of these itself keeps it).
      await pace();
      await build(day);
    }
    log('time slider answers built ahead', { months: days.length - 1, ms: Date.now() - started });
    return 'built';
  }

  months.onKept(schedule);
  return {
    noteRead(mapKey, buildMonth) {
      recent.delete(mapKey);
      recent.set(mapKey, buildMonth);
      for (const oldest of [...recent.keys()].slice(0, Math.max(0, recent.size - mapsBuiltAhead))) {
        recent.delete(oldest);
        builtFor.delete(oldest);
      }
      schedule();
    },
  };
}
