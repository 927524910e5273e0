import type { Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { CodePrefixes } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';
import { isWithinJurisdiction } from '../domain/codes.ts';
import { HOTSPOT_METRICS, type FIGURES_READ, type HotspotMetric } from '../domain/word-lists.ts';
import { CONFIDENCE_LEVELS, stepScores, type HotspotClass, type Neighbours } from '../domain/hotspots.ts';
import { METRICS, type MetricName, type RentalTier } from '../domain/heatmap-metrics.ts';
import { cellColumns, type CellColumns, type HeatmapRequest, type MonthEndStore, type TimeFrame } from '../heatmaps/service.ts';
import { EncodedFragments, JsonBytes, type GzippedJson } from '../http/json-writer.ts';
import { touchingPairsOfVersion, type HotspotLevel, type TouchingPairs } from './repository.ts';

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

function heatmapRequestOf(request: HotspotRequest): HeatmapRequest & { level: HotspotLevel } {
  const { metric, tier } = HEATMAP_METRIC[request.metric];
  return {
    metric,
    tier,
    level: request.level,
    category: 'all',
    resolution: 0,
    metres: 0,
    asOf: request.asOf,
    from: request.from,
    to: request.to,
    kind: request.kind,
    caseCategory: request.caseCategory,
  };
}

/**
 * The lists last built from each kept set of pairs, by the study area's codes: a request of
 * another metric, day or period over the same cells (the usual case) reuses them instead of
 * matching 160,000 pairs of codes again (~100 ms at Shenzhen scale).
 */
const listsOfPairs = new WeakMap<TouchingPairs, { codes: string; lists: Neighbours }>();

/** Neighbour lists by index into `codes`, keeping only pairs of cells in the study area. */
export function neighbourLists(codes: readonly string[], pairs: TouchingPairs): Neighbours {
  const key = codes.join(',');
  const last = listsOfPairs.get(pairs);
  if (last?.codes === key) return last.lists;
  const lists = buildNeighbourLists(codes, pairs);
  listsOfPairs.set(pairs, { codes: key, lists });
  return lists;
}

function buildNeighbourLists(codes: readonly string[], pairs: TouchingPairs): Neighbours {
  const indexOf = new Map(codes.map((code, index) => [code, index]));
  // Each code of the pairs to its index in the study area (−1: outside it).
  const studied = Int32Array.from(pairs.codes, (code) => indexOf.get(code) ?? -1);
  const lists: number[][] = codes.map(() => []);
  for (let pair = 0; pair < pairs.from.length; pair += 1) {
    const from = studied[pairs.from[pair]!]!;
    const to = studied[pairs.to[pair]!]!;
    if (from >= 0 && to >= 0) lists[from]!.push(to);
  }
  for (const list of lists) list.sort((a, b) => a - b);
  return lists;
}

/**
 * What an answer prints: z-scores to 1e-10 and p- and q-values to 10 significant digits. Far
 * beyond any use (R's spdep agrees to 1e-6), and about a tenth less JSON over 20,000 cells than
 * printing every binary digit. Undefined (NaN) is null. Written as text first (toFixed and
 * toPrecision, trailing zeros dropped): a fifth of the cost of printing the rounded number, and
 * what hotspotsJson writes as it is.
 */
export const zText = (value: number) => (Number.isFinite(value) ? withoutTrailingZeros(value.toFixed(10)) : 'null');
export const pText = (value: number) => (Number.isFinite(value) ? withoutTrailingZeros(value.toPrecision(10)) : 'null');
export const printedZ = (value: number) => (Number.isFinite(value) ? Number(zText(value)) : null);
export const printedP = (value: number) => (Number.isFinite(value) ? Number(pText(value)) : null);

/** "0.0500000000" → "0.05", "1.200000000e-7" → "1.2e-7", "-0.0000000000" → "0". */
function withoutTrailingZeros(text: string): string {
  const exponentAt = text.indexOf('e');
  const digits = exponentAt < 0 ? text : text.slice(0, exponentAt);
  if (!digits.includes('.')) return text;
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 48) end -= 1; // '0'
  if (digits.charCodeAt(end - 1) === 46) end -= 1; // '.'
  const tidy = digits.slice(0, end) + (exponentAt < 0 ? '' : text.slice(exponentAt));
  return tidy === '-0' ? '0' : tidy;
}

/** Where the figures came from: the ones kept in memory for this data version (server/heatmaps/month-ends.ts), or the tables. */
export type FiguresRead = (typeof FIGURES_READ)[number];
export const figuresRead = (precomputed: boolean): FiguresRead => (precomputed ? 'kept per data version' : 'summed by the database');

/**
 * One Gi* map, column by column (cells in the map's order, those inside the study area and the
 * caller's jurisdiction): the answer before it is written as objects (buildHotspots) or straight
 * as JSON (hotspotsJson, what the API sends: 20,000 cells as objects and JSON.stringify cost more
 * than the statistic at Shenzhen scale).
 */
interface ScoredMap {
  head: Omit<HotspotMap, 'cells'>;
  codes: string[];
  names: (string | null)[];
  values: Float64Array;
  /** Per cell: STUDIED (scored), WITHHELD (under k) or neither (no value). */
  state: Uint8Array;
  z: Float64Array;
  p: Float64Array;
  q: Float64Array;
  classes: Int8Array;
  neighbours: Int32Array;
}

const STUDIED = 1;
const WITHHELD = 2;

async function scoredMap(db: Kysely<DB>, principal: Principal, request: HotspotRequest, kept?: MonthEndStore): Promise<ScoredMap> {
  const map = await cellColumns(db, principal, heatmapRequestOf(request), kept);
  const inside = insideStudyArea(map, request.within);
  const studied = inside.filter((index) => !Number.isNaN(map.values[index]!));
  const prefixes: CodePrefixes = request.within === undefined ? principal.jurisdiction : [request.within];
  const neighbours = neighbourLists(
    studied.map((index) => map.codes[index]!),
    await touchingPairsOfVersion(db, request.level, prefixes),
  );
  const studiedValues = new Float64Array(studied.length);
  for (let s = 0; s < studied.length; s += 1) studiedValues[s] = map.values[studied[s]!]!;
  const scores = stepScores(studiedValues, neighbours, request.fdr);
  const cells = inside.length;
  const scored: ScoredMap = {
    head: headOf(request, map, scores.classes, inside.filter((index) => map.suppressed[index]).length),
    codes: inside.map((index) => map.codes[index]!),
    names: inside.map((index) => map.names[index]!),
    values: new Float64Array(cells),
    state: new Uint8Array(cells),
    z: new Float64Array(cells),
    p: new Float64Array(cells),
    q: new Float64Array(cells),
    classes: new Int8Array(cells),
    neighbours: new Int32Array(cells),
  };
  // Scores by study position, written at each cell's position among `inside` (both ascending).
  for (let position = 0, s = 0; position < cells; position += 1) {
    const index = inside[position]!;
    scored.values[position] = map.values[index]!;
    if (map.suppressed[index]) scored.state[position] = WITHHELD;
    if (studied[s] !== index) continue;
    scored.state[position] = STUDIED;
    scored.z[position] = scores.z[s]!;
    scored.p[position] = scores.p[s]!;
    scored.q[position] = scores.q[s]!;
    scored.classes[position] = scores.classes[s]!;
    scored.neighbours[position] = neighbours[s]!.length;
    s += 1;
  }
  return scored;
}

/** Indexes of the map's cells inside `within` (all of them without it). */
function insideStudyArea(map: CellColumns, within: string | undefined): number[] {
  const inside: number[] = [];
  for (let index = 0; index < map.codes.length; index += 1) {
    if (within === undefined || isWithinJurisdiction(map.codes[index]!, [within])) inside.push(index);
  }
  return inside;
}

/** The legend, hot to cold, with the number of scored cells in each class. */
function legend(classes: Int8Array): HotspotMap['classes'] {
  const counts = new Map<number, number>();
  for (const level of classes) counts.set(level, (counts.get(level) ?? 0) + 1);
  return CLASS_ORDER.map((level) => ({
    class: level,
    ...CLASS_LABELS[level],
    confidence: CONFIDENCE_LEVELS.find((entry) => entry.level === Math.abs(level))?.confidence ?? null,
    cells: counts.get(level) ?? 0,
  }));
}

function headOf(request: HotspotRequest, map: CellColumns, classes: Int8Array, suppressedCells: number): Omit<HotspotMap, 'cells'> {
  const definition = METRICS[HEATMAP_METRIC[request.metric].metric];
  return {
    metric: request.metric,
    label: definition.label,
    unit: definition.unit,
    definition: definition.definition,
    level: request.level,
    within: request.within ?? null,
    time: map.source.time,
    method: {
      statistic: 'Getis-Ord Gi* (z-score)',
      neighbourhood: NEIGHBOURHOOD,
      pValue: 'two-sided, from the standard normal distribution',
      fdr: request.fdr,
      studyArea: 'the cells the caller may see (their jurisdiction, narrowed by within), less suppressed cells',
      figures: figuresRead(map.precomputed),
    },
    privacy: { k: map.k, applied: map.applied, suppressedCells },
    classes: legend(classes),
  };
}

/** `kept`: the figures kept per data version, read when they hold what the request asks (same answer, sooner). */
export async function buildHotspots(db: Kysely<DB>, principal: Principal, request: HotspotRequest, kept?: MonthEndStore): Promise<HotspotMap> {
  const map = await scoredMap(db, principal, request, kept);
  return { ...map.head, cells: map.codes.map((_, index) => cellOf(map, index)) };
}

function cellOf(map: ScoredMap, index: number): HotspotCell {
  const cell: HotspotCell = { code: map.codes[index]!, name: map.names[index] };
  if (map.state[index] === STUDIED) {
    cell.value = map.values[index];
    cell.z = printedZ(map.z[index]!);
    cell.p = printedP(map.p[index]!);
    cell.q = printedP(map.q[index]!);
    cell.class = map.classes[index] as HotspotClass;
    cell.neighbours = map.neighbours[index];
  } else if (map.state[index] === WITHHELD) {
    cell.suppressed = true;
  }
  return cell;
}

/**
 * buildHotspots' answer written as gzipped JSON: what JSON.stringify gives for its objects, parsed
 * back the same (tests/api/hotspots.test.ts), without building them.
 */
export async function hotspotsJson(db: Kysely<DB>, principal: Principal, request: HotspotRequest, kept?: MonthEndStore): Promise<GzippedJson> {
  const map = await scoredMap(db, principal, request, kept);
  const json = new JsonBytes().text(JSON.stringify({ ...map.head, cells: [] }).slice(0, -']}'.length));
  const last = map.codes.length - 1;
  for (let index = 0; index <= last; index += 1) {
    const code = map.codes[index]!;
    const name = map.names[index] ?? null;
    json.encoded(cellStarts.of(code, name, () => `{"code":${JSON.stringify(code)},"name":${JSON.stringify(name)}`));
    json.ascii(index < last ? `${cellFigures(map, index)},` : cellFigures(map, index));
  }
  return json.ascii(']}').gzipped();
}

/** Each cell's code and name, encoded once (every cell of a city fits). */
const cellStarts = new EncodedFragments(200_000);

/** The rest of one cell as JSON, after its code and name: cellOf's object (same keys in the same order, the same values). */
function cellFigures(map: ScoredMap, index: number): string {
  if (map.state[index] === WITHHELD) return ',"suppressed":true}';
  if (map.state[index] !== STUDIED) return '}';
  return `,"value":${map.values[index]},"z":${zText(map.z[index]!)},"p":${pText(map.p[index]!)},"q":${pText(map.q[index]!)},"class":${map.classes[index]},"neighbours":${map.neighbours[index]}}`;
}
