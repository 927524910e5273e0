import type { Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';
import { isWithinJurisdiction } from '../domain/codes.ts';
import { compareCounts, MIN_TESTABLE_TOTAL, shiftMonths, type Direction } from '../domain/count-change.ts';
import { benjaminiHochberg } from '../domain/hotspots.ts';
import { addDays, daysBetween } from '../domain/calendar.ts';
import { CHANGE_BASES, CHANGE_METRICS, type ChangeBase, type ChangeMetric } from '../domain/word-lists.ts';
import { finishedCells, resolveAsOf, type HeatmapCell, type HeatmapRequest, type MonthEndStore } from '../heatmaps/service.ts';
import type { HotspotLevel } from './repository.ts';

/**
 * What changed (issue 21): cells ranked by the change of a count against last month or the same
 * month last year, each with the conditional (binomial) test of the two counts and the
 * Benjamini–Hochberg q over every tested cell of the study area. The counts are the heatmaps'
 * own (server/heatmaps/service.ts): the same jurisdiction and the same small-cell suppression.
 */
export { CHANGE_BASES, CHANGE_METRICS, type ChangeBase, type ChangeMetric };
export const MAX_CHANGE_ROWS = 200;
/** Significant: q (or p, for one test) at or under 5%. */
export const CHANGE_ALPHA = 0.05;

export interface ChangesRequest {
  metric: ChangeMetric;
  level: HotspotLevel;
  within?: string;
  asOf?: string;
  against: ChangeBase;
  limit: number;
}

export interface ChangeRow {
  code: string;
  name: string | null;
  current: number;
  previous: number;
  change: number;
  changePct: number | null;
  p: number | null;
  q: number | null;
  significant: boolean;
  direction: Direction;
}

type Window = { asOf: string } | { from: string; to: string };

export interface Changes {
  metric: ChangeMetric;
  level: HotspotLevel;
  within: string | null;
  asOf: string;
  baseDate: string;
  against: ChangeBase;
  method: {
    test: string;
    fdr: true;
    alpha: number;
    minimumTotal: number;
    definition: string;
    ranking: string;
    windows: { current: Window; base: Window };
  };
  privacy: { k: number; applied: boolean; suppressedCells: number; rule: string };
  /** Cells in the study area (tested or not), before the limit. */
  totalCells: number;
  rows: ChangeRow[];
}

/** The month-long window of cases ending on `day`: the days after the same day a month before, up to it. */
const caseWindow = (day: string) => ({ from: addDays(shiftMonths(day, -1), 1), to: day });

function windowRequest(metric: ChangeMetric, level: HotspotLevel, window: Window): HeatmapRequest {
  const common = { level, tier: 'red' as const, resolution: 0, metres: 0 };
  return metric === 'floating'
    ? { ...common, metric: 'population', category: 'floating', asOf: (window as { asOf: string }).asOf }
    : { ...common, metric: 'cases', category: 'all', ...(window as { from: string; to: string }) };
}

const DEFINITION: Record<ChangeMetric, string> = {
  floating: 'floating residents present on asOf against those present on baseDate (as the population heatmap with category floating counts them)',
  cases:
    'cases in the month-long window ending on asOf (the days after the same day a month earlier, up to asOf: a whole calendar month when asOf is a month end) against the same window ending on baseDate',
};

const windowDays = (window: { from: string; to: string }) => daysBetween(window.from, window.to) + 1;

/** Largest |change| first; ties: the smaller p first (untested last), then the code. */
function byChange(a: ChangeRow, b: ChangeRow): number {
  return Math.abs(b.change) - Math.abs(a.change) || (a.p ?? 2) - (b.p ?? 2) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

export async function buildChanges(db: Kysely<DB>, principal: Principal, request: ChangesRequest, kept?: MonthEndStore): Promise<Changes> {
  const asOf = (await resolveAsOf(db, request.asOf)).asOf;
  const baseDate = shiftMonths(asOf, request.against === 'last_month' ? -1 : -12);
  const windows: { current: Window; base: Window } =
    request.metric === 'floating' ? { current: { asOf }, base: { asOf: baseDate } } : { current: caseWindow(asOf), base: caseWindow(baseDate) };
  const current = await finishedCells(db, principal, windowRequest(request.metric, request.level, windows.current), kept);
  const base = await finishedCells(db, principal, windowRequest(request.metric, request.level, windows.base), kept);
  const inside = (cell: HeatmapCell) => request.within === undefined || isWithinJurisdiction(cell.code, [request.within]);
  const baseByCode = new Map(base.cells.map((cell) => [cell.code, cell]));
  const pairs = current.cells.filter(inside).map((cell) => ({ cell, then: baseByCode.get(cell.code) }));
  // A cell a leader may not see in either month takes no part: no row, no test, not counted in the FDR.
  const shown = pairs.filter(({ cell, then }) => typeof cell.value === 'number' && typeof then?.value === 'number');
  const exposures =
    request.metric === 'cases'
      ? [windowDays(windows.current as { from: string; to: string }), windowDays(windows.base as { from: string; to: string })]
      : [1, 1];
  const rows = shown.map(({ cell, then }) => ({
    code: cell.code,
    name: cell.name ?? null,
    current: cell.value as number,
    previous: then!.value as number,
    ...compareCounts(cell.value as number, then!.value as number, exposures[0], exposures[1]),
  }));
  const q = benjaminiHochberg(rows.map((row) => row.p ?? Number.NaN));
  const ranked: ChangeRow[] = rows
    .map((row, index) => {
      const adjusted = Number.isNaN(q[index]!) ? null : q[index]!;
      return { ...row, q: adjusted, significant: adjusted !== null && adjusted <= CHANGE_ALPHA };
    })
    .sort(byChange);
  return {
    metric: request.metric,
    level: request.level,
    within: request.within ?? null,
    asOf,
    baseDate,
    against: request.against,
    method: {
      test:
        request.metric === 'cases'
          ? "conditional Poisson (exact binomial) test of two counts, two-sided, the windows' lengths in days as exposures"
          : 'conditional Poisson (exact binomial) test of two counts, two-sided, equal exposures',
      fdr: true,
      alpha: CHANGE_ALPHA,
      minimumTotal: MIN_TESTABLE_TOTAL,
      definition: DEFINITION[request.metric],
      ranking: 'largest |change| first; ties: smaller p first (untested last), then code',
      windows,
    },
    privacy: {
      k: current.k,
      applied: current.applied,
      suppressedCells: pairs.length - shown.length,
      rule: 'for leaders, a cell about fewer than k people on either date is left out (no row)',
    },
    totalCells: rows.length,
    rows: ranked.slice(0, request.limit),
  };
}
