import type { Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { CodePrefixes } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';
import { isWithinJurisdiction } from '../domain/codes.ts';
import { HOTSPOT_METRICS, type FIGURES_READ, type HotspotMetric } from '../domain/word-lists.ts';
import { CONFIDENCE_LEVELS, hotspots, type HotspotClass, type Neighbours } from '../domain/hotspots.ts';
import { METRICS, type MetricName, type RentalTier } from '../domain/heatmap-metrics.ts';
import { finishedCells, type HeatmapCell, type HeatmapRequest, type MonthEndStore, type TimeFrame } from '../heatmaps/service.ts';
import { touchingPairsOfVersion, type HotspotLevel } from './repository.ts';

/**
 * Hot spots (issue 21): Getis-Ord Gi* over the cells of one level, from the same figures,
 * jurisdiction and small-cell suppression as the heatmaps (server/heatmaps/service.ts).
 *
 * The study area is what the caller may see (their jurisdiction, narrowed by `within`): the mean
 * and spread of Gi* are those of these cells, and cells outside take no part, so nothing about
 * them can be read back from a z-score. A cell a leader may not see (fewer than k people) is
 * left out likewise: neither scored nor counted in its neighbours' sums.
 */
export { HOTSPOT_METRICS, type HotspotMetric };

/** The heatmap metric (and rental tier) each hot-spot metric is computed from. */
export const HEATMAP_METRIC: Record<HotspotMetric, { metric: MetricName; tier: RentalTier }> = {
  cases: { metric: 'cases', tier: 'red' },
  floating_density: { metric: 'floating_density', tier: 'red' },
  red_rentals: { metric: 'rental_tiers', tier: 'red' },
  yellow_rentals: { metric: 'rental_tiers', tier: 'yellow' },
};

export const NEIGHBOURHOOD = 'queen contiguity of the cell polygons (a shared edge or corner), each cell counted as its own neighbour (Gi*), binary weights';

export interface HotspotRequest {
  metric: HotspotMetric;
  level: HotspotLevel;
  /** An area inside the caller's jurisdiction that bounds the study area. */
  within?: string;
  asOf?: string;
  from?: string;
  to?: string;
  kind?: 'criminal' | 'public_order';
  caseCategory?: string;
  /** Judge significance by the Benjamini–Hochberg adjusted p-value (default) or the raw one. */
  fdr: boolean;
}

export interface HotspotCell {
  code: string;
  name?: string | null;
  value?: number;
  /** Gi* z-score; null where undefined (all values equal). */
  z?: number | null;
  p?: number | null;
  q?: number | null;
  class?: HotspotClass;
  /** Neighbours in the study area (the cell itself not counted). */
  neighbours?: number;
  suppressed?: true;
}

const CLASS_LABELS: Record<HotspotClass, { label: string; labelZh: string }> = {
  3: { label: 'Hot spot, 99% confidence', labelZh: '热点（99%置信度）' },
  2: { label: 'Hot spot, 95% confidence', labelZh: '热点（95%置信度）' },
  1: { label: 'Hot spot, 90% confidence', labelZh: '热点（90%置信度）' },
  0: { label: 'Not significant', labelZh: '不显著' },
  [-1]: { label: 'Cold spot, 90% confidence', labelZh: '冷点（90%置信度）' },
  [-2]: { label: 'Cold spot, 95% confidence', labelZh: '冷点（95%置信度）' },
  [-3]: { label: 'Cold spot, 99% confidence', labelZh: '冷点（99%置信度）' },
};
const CLASS_ORDER: HotspotClass[] = [3, 2, 1, 0, -1, -2, -3];

export interface HotspotMap {
  metric: HotspotMetric;
  label: string;
  unit: string;
  definition: string;
  level: HotspotLevel;
  within: string | null;
  time: TimeFrame;
  method: { statistic: string; neighbourhood: string; pValue: string; fdr: boolean; studyArea: string; figures: FiguresRead };
  privacy: { k: number; applied: boolean; suppressedCells: number };
  /** The legend, hot to cold, with the number of cells in each class. */
  classes: { class: HotspotClass; label: string; labelZh: string; confidence: number | null; cells: number }[];
  cells: HotspotCell[];
}

function heatmapRequestOf(request: HotspotRequest): HeatmapRequest {
  const { metric, tier } = HEATMAP_METRIC[request.metric];
  return {
    metric, tier, level: request.level, category: 'all', resolution: 0, metres: 0,
    asOf: request.asOf, from: request.from, to: request.to, kind: request.kind, caseCategory: request.caseCategory,
  };
}

/**
 * The lists last built from each kept set of pairs, by the study area's codes: a request of
 * another metric, day or period over the same cells (the usual case) reuses them instead of
 * matching 160,000 pairs of codes again (~100 ms at Shenzhen scale).
 */
const listsOfPairs = new WeakMap<readonly unknown[], { codes: string; lists: Neighbours }>();

/** Neighbour lists by index into `codes`, keeping only pairs of cells in the study area. */
export function neighbourLists(codes: readonly string[], pairs: readonly { code: string; neighbour: string }[]): Neighbours {
  const key = codes.join(',');
  const last = listsOfPairs.get(pairs);
  if (last?.codes === key) return last.lists;
  const lists = buildNeighbourLists(codes, pairs);
  listsOfPairs.set(pairs, { codes: key, lists });
  return lists;
}

function buildNeighbourLists(codes: readonly string[], pairs: readonly { code: string; neighbour: string }[]): Neighbours {
  const indexOf = new Map(codes.map((code, index) => [code, index]));
  const lists: number[][] = codes.map(() => []);
  for (const pair of pairs) {
    const from = indexOf.get(pair.code);
    const to = indexOf.get(pair.neighbour);
    if (from !== undefined && to !== undefined) lists[from]!.push(to);
  }
  for (const list of lists) list.sort((a, b) => a - b);
  return lists;
}

/**
 * What an answer prints: z-scores to 1e-10 and p- and q-values to 10 significant digits. Far
 * beyond any use (R's spdep agrees to 1e-6), and about a tenth less JSON over 20,000 cells than
 * printing every binary digit. Undefined (NaN) is null.
 */
export const printedZ = (value: number) => (Number.isFinite(value) ? Math.round(value * 1e10) / 1e10 : null);
export const printedP = (value: number) => (Number.isFinite(value) ? Number(value.toPrecision(10)) : null);

function scoredCells(cells: HeatmapCell[], neighbours: Neighbours, fdr: boolean): HotspotCell[] {
  const values = cells.map((cell) => cell.value as number);
  const results = hotspots(values, neighbours, { fdr });
  return cells.map((cell, i) => {
    const result = results[i]!;
    return { code: cell.code, name: cell.name, value: values[i], z: printedZ(result.z), p: printedP(result.p), q: printedP(result.q), class: result.class, neighbours: neighbours[i]!.length };
  });
}

function legend(cells: HotspotCell[]): HotspotMap['classes'] {
  return CLASS_ORDER.map((level) => ({
    class: level,
    ...CLASS_LABELS[level],
    confidence: CONFIDENCE_LEVELS.find((entry) => entry.level === Math.abs(level))?.confidence ?? null,
    cells: cells.filter((cell) => cell.class === level).length,
  }));
}

/** Where the figures came from: the ones kept in memory for this data version (server/heatmaps/month-ends.ts), or the tables. */
export type FiguresRead = (typeof FIGURES_READ)[number];
export const figuresRead = (precomputed: boolean): FiguresRead => (precomputed ? 'kept per data version' : 'summed by the database');

/** `kept`: the figures kept per data version, read when they hold what the request asks (same answer, sooner). */
export async function buildHotspots(db: Kysely<DB>, principal: Principal, request: HotspotRequest, kept?: MonthEndStore): Promise<HotspotMap> {
  const { source, cells, k, applied, precomputed } = await finishedCells(db, principal, heatmapRequestOf(request), kept);
  const inside = request.within === undefined ? cells : cells.filter((cell) => isWithinJurisdiction(cell.code, [request.within!]));
  const studied = inside.filter((cell) => typeof cell.value === 'number');
  const prefixes: CodePrefixes = request.within === undefined ? principal.jurisdiction : [request.within];
  const pairs = await touchingPairsOfVersion(db, request.level, prefixes);
  const scored = scoredCells(studied, neighbourLists(studied.map((cell) => cell.code), pairs), request.fdr);
  const byCode = new Map(scored.map((cell) => [cell.code, cell]));
  const definition = METRICS[HEATMAP_METRIC[request.metric].metric];
  return {
    metric: request.metric,
    label: definition.label,
    unit: definition.unit,
    definition: definition.definition,
    level: request.level,
    within: request.within ?? null,
    time: source.time,
    method: {
      statistic: 'Getis-Ord Gi* (z-score)',
      neighbourhood: NEIGHBOURHOOD,
      pValue: 'two-sided, from the standard normal distribution',
      fdr: request.fdr,
      studyArea: 'the cells the caller may see (their jurisdiction, narrowed by within), less suppressed cells',
      figures: figuresRead(precomputed),
    },
    privacy: { k, applied, suppressedCells: inside.filter((cell) => cell.suppressed).length },
    classes: legend(scored),
    cells: inside.map((cell) => byCode.get(cell.code) ?? { code: cell.code, name: cell.name, ...(cell.suppressed && { suppressed: true as const }) }),
  };
}
