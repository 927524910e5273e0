import type { Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { CodePrefixes } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';
import { isWithinJurisdiction } from '../domain/codes.ts';
import { EMERGING_CATEGORIES, emergingHotspots, TREND_ALPHA, type EmergingCategory, type EmergingResult, type HotspotClass } from '../domain/hotspots.ts';
import { isMonthEnd, shiftMonths } from '../domain/count-change.ts';
import { monthWindows } from '../domain/period-breaks.ts';
import { addDays } from '../domain/calendar.ts';
import { METRICS } from '../domain/heatmap-metrics.ts';
import { tableExists } from '../db/capabilities.ts';
import { invalidField, privacyThreshold, resolveAsOf, suppressesSmallCounts, type AreaSeries, type MonthEndStore } from '../heatmaps/service.ts';
import { visiblePrefixes } from '../http/jurisdiction.ts';
import { HttpError } from '../http/errors.ts';
import {
  casesByMonth,
  cellsOfLevel,
  floatingChangesByMonth,
  tierByMonth,
  touchingPairsOfVersion,
  type HotspotLevel,
  type StepCount,
  type StudyCell,
} from './repository.ts';
import {
  figuresRead,
  HEATMAP_METRIC,
  HOTSPOT_METRICS,
  NEIGHBOURHOOD,
  neighbourLists,
  printedP,
  printedZ,
  type FiguresRead,
  type HotspotMetric,
} from './service.ts';

/**
 * Emerging hot spots (issue 21): Gi* of every month of the period over one neighbourhood, then
 * per cell the Mann-Kendall trend of its z-scores and ArcGIS's category (server/domain/hotspots.ts).
 * The months' values come from one query per request, not one per month; the months' Gi* from
 * the same neighbour lists, built once.
 *
 * Each month's values are those GET /api/hotspots maps for that month: cases within the calendar
 * month (from = its first day, to = its last), floating density and rental tiers as of its last day.
 */
export { HOTSPOT_METRICS };
export const MIN_MONTHS = 12;
export const MAX_MONTHS = 36;

export interface EmergingRequest {
  metric: HotspotMetric;
  level: HotspotLevel;
  within?: string;
  /** The last month's last day; default the latest month end on or before today. */
  to?: string;
  months: number;
  fdr: boolean;
}

type CategoryKey = `${EmergingCategory}_${'hot' | 'cold'}` | 'no_pattern';

interface CategoryText {
  label: string;
  labelZh: string;
  definition: string;
  definitionZh: string;
}

/** ArcGIS's wording, paraphrased; "hot" read as significant at 90% or more in that month's Gi* (after FDR when asked). */
const HOT_TEXT: Record<EmergingCategory, CategoryText> = {
  new: {
    label: 'New hot spot',
    labelZh: '新增热点',
    definition: 'a hot spot in the final month and never before',
    definitionZh: '最后一个月为显著热点，此前从未是热点',
  },
  consecutive: {
    label: 'Consecutive hot spot',
    labelZh: '连续热点',
    definition: 'one uninterrupted run of at least two hot months ending in the final month, never hot before the run, hot in under 90% of the months',
    definitionZh: '以最后一个月结束、至少连续两个月的热点，此前从未是热点，热点月份少于90%',
  },
  intensifying: {
    label: 'Intensifying hot spot',
    labelZh: '加剧热点',
    definition: 'hot in at least 90% of the months, the final one included, and clustering of high values rises significantly over time (Mann-Kendall)',
    definitionZh: '至少90%的月份（含最后一个月）为热点，且高值聚集强度随时间显著上升（Mann-Kendall 检验）',
  },
  persistent: {
    label: 'Persistent hot spot',
    labelZh: '持续热点',
    definition: 'hot in at least 90% of the months, the final one included, with no significant trend in the intensity of clustering',
    definitionZh: '至少90%的月份（含最后一个月）为热点，聚集强度无显著趋势',
  },
  diminishing: {
    label: 'Diminishing hot spot',
    labelZh: '减弱热点',
    definition: 'hot in at least 90% of the months, the final one included, and clustering of high values falls significantly over time (Mann-Kendall)',
    definitionZh: '至少90%的月份（含最后一个月）为热点，且高值聚集强度随时间显著下降（Mann-Kendall 检验）',
  },
  sporadic: {
    label: 'Sporadic hot spot',
    labelZh: '零星热点',
    definition: 'hot in the final month, on and off before, in under 90% of the months, and never a cold spot',
    definitionZh: '最后一个月为热点，此前时有时无，热点月份少于90%，从未是冷点',
  },
  oscillating: {
    label: 'Oscillating hot spot',
    labelZh: '振荡热点',
    definition: 'hot in the final month, a cold spot in some earlier month, hot in under 90% of the months',
    definitionZh: '最后一个月为热点，此前某月曾是冷点，热点月份少于90%',
  },
  historical: {
    label: 'Historical hot spot',
    labelZh: '历史热点',
    definition: 'not hot in the final month, but hot in at least 90% of the months',
    definitionZh: '最后一个月不是热点，但至少90%的月份为热点',
  },
};

/** The cold-spot text: the hot one mirrored (hot ↔ cold, high ↔ low, rises ↔ falls). */
function coldText(text: CategoryText): CategoryText {
  const swap = (value: string, pairs: [string, string][]) => pairs.reduce((out, [from, to]) => out.replaceAll(from, to), value);
  const english: [string, string][] = [
    ['hot spot', '\u0000'],
    ['cold spot', 'hot spot'],
    ['\u0000', 'cold spot'],
    ['hot', 'cold'],
    ['high values', 'low values'],
    ['rises', '\u0001'],
    ['falls', 'rises'],
    ['\u0001', 'falls'],
  ];
  const chinese: [string, string][] = [
    ['热点', '\u0000'],
    ['冷点', '热点'],
    ['\u0000', '冷点'],
    ['高值', '低值'],
    ['上升', '\u0001'],
    ['下降', '上升'],
    ['\u0001', '下降'],
  ];
  return {
    label: swap(text.label, [['hot spot', 'cold spot']]),
    labelZh: swap(text.labelZh, [['热点', '冷点']]),
    definition: swap(text.definition, english),
    definitionZh: swap(text.definitionZh, chinese),
  };
}

const NO_PATTERN: CategoryText = {
  label: 'No pattern detected',
  labelZh: '未发现模式',
  definition: 'none of the hot or cold spot patterns above',
  definitionZh: '不属于以上任何热点或冷点模式',
};

/** The legend in ArcGIS's order: the eight hot-spot patterns, the eight cold-spot ones, then no pattern. */
export const CATEGORY_LEGEND: { category: CategoryKey; hot: boolean; text: CategoryText }[] = [
  ...EMERGING_CATEGORIES.map((category) => ({ category: `${category}_hot` as CategoryKey, hot: true, text: HOT_TEXT[category] })),
  ...EMERGING_CATEGORIES.map((category) => ({ category: `${category}_cold` as CategoryKey, hot: false, text: coldText(HOT_TEXT[category]) })),
  { category: 'no_pattern', hot: false, text: NO_PATTERN },
];

export interface EmergingCell {
  code: string;
  name: string | null;
  category?: CategoryKey;
  trend?: { tau: number; z: number; p: number } | null;
  latest?: { z: number; p: number; q: number; class: HotspotClass } | null;
  hotMonths?: number;
  coldMonths?: number;
  suppressed?: true;
}

export interface EmergingMap {
  metric: HotspotMetric;
  level: HotspotLevel;
  within: string | null;
  months: string[];
  method: {
    statistic: string;
    neighbourhood: string;
    trend: string;
    reference: string;
    fdr: boolean;
    monthValues: string;
    studyArea: string;
    figures: FiguresRead;
  };
  privacy: { k: number; applied: boolean; suppressedCells: number; rule: string };
  categories: { category: CategoryKey; label: string; labelZh: string; definition: string; definitionZh: string; hot: boolean; cells: number }[];
  cells: EmergingCell[];
}

// ---------------------------------------------------------------- the months

/** The month ends of the period, oldest first; `to` must be a month end not after today. */
export async function periodMonthEnds(db: Kysely<DB>, to: string | undefined, months: number): Promise<string[]> {
  const { today } = await resolveAsOf(db, undefined);
  if (to !== undefined && !isMonthEnd(to)) throw invalidField('to', 'must be the last day of a month', '须为某月的最后一天');
  if (to !== undefined && to > today) throw invalidField('to', `must not be after today (${today})`, `不能晚于今天（${today}）`);
  // The latest month end on or before today: today itself, or the last day of the month before.
  const end = to ?? (isMonthEnd(today) ? today : addDays(firstOfMonth(today), -1));
  return monthWindows(firstOfMonth(shiftMonths(end, 1 - months)), end).map((window) => window.to);
}

const firstOfMonth = (date: string) => `${date.slice(0, 8)}01`;

// ---------------------------------------------------------------- the values

const MONTH_VALUES: Record<HotspotMetric, string> = {
  cases: 'cases within each calendar month (grid_case_daily), as GET /api/hotspots?metric=cases&from=<first day>&to=<last day>',
  floating_density: "floating people present on each month's last day ÷ the cell's km², as GET /api/hotspots?metric=floating_density&asOf=<last day>",
  red_rentals:
    "red-tier rental buildings in the latest scoring month on or before each month's last day, as GET /api/hotspots?metric=red_rentals&asOf=<last day>",
  yellow_rentals:
    "yellow-tier rental buildings in the latest scoring month on or before each month's last day, as GET /api/hotspots?metric=yellow_rentals&asOf=<last day>",
};

/** Counts per cell (rows) and month (columns), zero where nothing was counted; `precomputed` when read from the kept figures. */
async function countMatrix(
  db: Kysely<DB>,
  request: EmergingRequest,
  prefixes: CodePrefixes,
  monthEnds: string[],
  cells: StudyCell[],
  kept?: MonthEndStore,
): Promise<{ matrix: Float64Array[]; precomputed: boolean }> {
  const matrix = cells.map(() => new Float64Array(monthEnds.length));
  const indexOf = new Map(cells.map((cell, index) => [cell.code, index]));
  const keptSeries = await keptMonthSeries(db, request, monthEnds, kept);
  if (keptSeries) {
    keptSeries.codes.forEach((code, area) => {
      const index = indexOf.get(code);
      if (index !== undefined)
        keptSeries.counts.forEach((counts, step) => {
          matrix[index]![step] = counts[area]!;
        });
    });
    return { matrix, precomputed: true };
  }
  const rows = await monthCounts(db, request, prefixes, firstOfMonth(monthEnds[0]!), monthEnds.at(-1)!, monthEnds);
  for (const row of rows) {
    const index = indexOf.get(row.code);
    if (index !== undefined && row.step < monthEnds.length) matrix[index]![row.step]! += row.count;
  }
  if (request.metric === 'floating_density') {
    // Net changes → people present at each month end: a running total over the months.
    for (const series of matrix) for (let step = 1; step < series.length; step++) series[step]! += series[step - 1]!;
  }
  return { matrix, precomputed: false };
}

/**
 * Each month's counts per cell from the figures kept for this snapshot, when they hold them: cases
 * within each calendar month (cases per day), floating people on each month-end (the slider's months).
 */
async function keptMonthSeries(db: Kysely<DB>, request: EmergingRequest, monthEnds: string[], kept?: MonthEndStore): Promise<AreaSeries | undefined> {
  if (!kept) return undefined;
  if (request.metric === 'cases')
    return kept.casesByPeriod(
      db,
      monthEnds.map((end) => ({ from: firstOfMonth(end), to: end })),
      request.level,
    );
  if (request.metric === 'floating_density') return kept.populationOnDays(db, monthEnds, request.level, 'floating');
  return undefined;
}

async function monthCounts(
  db: Kysely<DB>,
  request: EmergingRequest,
  prefixes: CodePrefixes,
  from: string,
  to: string,
  monthEnds: string[],
): Promise<StepCount[]> {
  switch (request.metric) {
    case 'cases':
      return casesByMonth(db, request.level, prefixes, from, to);
    case 'floating_density':
      return floatingChangesByMonth(db, request.level, prefixes, from, to);
    case 'red_rentals':
    case 'yellow_rentals': {
      if (!(await tableExists(db, 'rental_scores'))) {
        throw new HttpError(409, 'not_available', 'Rental tiers are not available: the rental scoring tables (issue 6) are not installed');
      }
      const tier = request.metric === 'red_rentals' ? 'red' : 'yellow';
      return tierByMonth(db, request.level, prefixes, monthEnds, tier, await tableExists(db, 'rental_tier_counts'));
    }
  }
}

/** The mapped value of a count: density for floating people (as the heatmap rounds it), the count otherwise. */
function valueOf(metric: HotspotMetric, count: number, cell: StudyCell): number | null {
  if (metric !== 'floating_density') return count;
  return METRICS.floating_density.value({ floating: count }, cell.areaKm2, { category: 'all', tier: 'red' });
}

// ---------------------------------------------------------------- the map

function scoredCell(cell: StudyCell, result: EmergingResult): EmergingCell {
  const pattern = result.pattern;
  const category: CategoryKey = pattern.kind === 'none' ? 'no_pattern' : `${pattern.category}_${pattern.kind}`;
  const final = result.final;
  return {
    code: cell.code,
    name: cell.name,
    category,
    // No trend where Gi* was undefined in every month (nothing to test).
    trend: result.zScores.some(Number.isFinite) ? { tau: printedZ(result.trend.tau)!, z: printedZ(result.trend.z)!, p: printedP(result.trend.p)! } : null,
    latest: Number.isFinite(final.z) ? { z: printedZ(final.z)!, p: printedP(final.p)!, q: printedP(final.q)!, class: final.class } : null,
    hotMonths: result.classes.filter((level) => level > 0).length,
    coldMonths: result.classes.filter((level) => level < 0).length,
  };
}

export async function buildEmergingHotspots(db: Kysely<DB>, principal: Principal, request: EmergingRequest, kept?: MonthEndStore): Promise<EmergingMap> {
  const monthEnds = await periodMonthEnds(db, request.to, request.months);
  const visible = visiblePrefixes(principal);
  const prefixes: CodePrefixes = request.within === undefined ? visible : [request.within];
  const cells = (await cellsOfLevel(db, request.level, prefixes)).filter(
    (cell) =>
      (visible === null || isWithinJurisdiction(cell.code, visible)) && (request.within === undefined || isWithinJurisdiction(cell.code, [request.within])),
  );
  const { matrix: counts, precomputed } = await countMatrix(db, request, prefixes, monthEnds, cells, kept);

  const k = await privacyThreshold(db);
  const applied = suppressesSmallCounts(principal) && METRICS[HEATMAP_METRIC[request.metric].metric].people !== undefined;
  // A leader's study area leaves out every cell under k people in any month: one neighbourhood throughout.
  const suppressed = cells.map((_, index) => applied && counts[index]!.some((count) => count < k));
  const values = cells.map((cell, index) => Array.from(counts[index]!, (count) => valueOf(request.metric, count, cell)));
  const studied = cells.map((_, index) => index).filter((index) => !suppressed[index] && values[index]!.every((value) => value !== null));

  const pairs = await touchingPairsOfVersion(db, request.level, prefixes);
  const neighbours = neighbourLists(
    studied.map((index) => cells[index]!.code),
    pairs,
  );
  const valuesByStep = monthEnds.map((_, step) => studied.map((index) => values[index]![step] as number));
  const results = emergingHotspots(valuesByStep, neighbours, { fdr: request.fdr });
  const scored = new Map(studied.map((index, position) => [index, scoredCell(cells[index]!, results[position]!)]));

  const out = cells.map((cell, index) => scored.get(index) ?? { code: cell.code, name: cell.name, ...(suppressed[index] && { suppressed: true as const }) });
  return {
    metric: request.metric,
    level: request.level,
    within: request.within ?? null,
    months: monthEnds,
    method: {
      statistic: 'Getis-Ord Gi* (z-score) of each month',
      neighbourhood: NEIGHBOURHOOD,
      trend: `Mann-Kendall on the Gi* z-scores, two-sided, ${Math.round(100 * (1 - TREND_ALPHA))}% confidence`,
      reference: 'ArcGIS Emerging Hot Spot Analysis',
      fdr: request.fdr,
      monthValues: MONTH_VALUES[request.metric],
      studyArea:
        'the cells the caller may see (their jurisdiction, narrowed by within), less suppressed cells; a month whose Gi* is undefined for a cell counts as z = 0',
      figures: figuresRead(precomputed),
    },
    privacy: {
      k,
      applied,
      suppressedCells: suppressed.filter(Boolean).length,
      rule: 'for leaders, a cell about fewer than k people in any month of the period is left out of every month',
    },
    categories: CATEGORY_LEGEND.map((entry) => ({
      category: entry.category,
      ...entry.text,
      hot: entry.hot,
      cells: [...scored.values()].filter((cell) => cell.category === entry.category).length,
    })),
    cells: out,
  };
}
