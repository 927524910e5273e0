import { perDatabase } from '../db/per-database.ts';
import { sharedRead } from '../db/shared-read.ts';
import type { Kysely, RawBuilder } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';
import { classBreaks, type ClassBreaks } from '../domain/class-breaks.ts';
import { fixedBreaks, MAX_PERIOD_MONTHS, monthWindows, type MonthWindow } from '../domain/period-breaks.ts';
import { isWithinJurisdiction } from '../domain/codes.ts';
import type { Bbox } from '../domain/coordinates.ts';
import { h3Binner, squareBinner, type PointBinner } from '../domain/hex.ts';
import { privacyKOf } from '../domain/privacy.ts';
import { addDays } from '../domain/calendar.ts';
import { badRequest, HttpError } from '../http/errors.ts';
import { keyOfRequest } from '../http/kept-answers.ts';
import { visiblePrefixes } from '../http/jurisdiction.ts';
import { MAX_POINT_BBOX_SQUARE_DEGREES } from '../domain/bbox-limit.ts';
import { tableExists } from '../db/capabilities.ts';
import { rowsOfColumns, type AreaColumns, type MonthEndStore } from './month-ends.ts';
// What hotspots/ reads of the kept month ends: other features import it from here, never from month-ends.ts.
export { KEPT_FIGURES_WATCH_MS, monthEndStoreOf, type AreaSeries, type MonthEndStore } from './month-ends.ts';
import { METRICS, type FigureSourceName, type Figures, type MetricDefinition, type MetricName, type MetricOptions } from '../domain/heatmap-metrics.ts';
import {
  CASE_COLUMNS,
  casePoints,
  casesInPeriod,
  extendPopulationWindow,
  populationWindowAndVersion,
  FOUND_UNREGISTERED_COLUMN,
  latestScoredMonthBy,
  POPULATION_COLUMNS,
  populationByBuilding,
  noRows,
  populationOnDay,
  populationSummedToDay,
  populationWindow,
  settingValue,
  sumByArea,
  TIER_COLUMNS,
  tiersByBuilding,
  tiersOfMonth,
  UNIT_COLUMNS,
  unitsByBuilding,
  unitStats,
  withFoundUnregistered,
  type AreaLevel,
  type AreaRow,
  type AreaSelection,
  type CasePeriod,
  type PointRow,
  type PointSelection,
} from './repository.ts';

/** Cases maps cover the 30 days ending `to` unless told otherwise. */
export const DEFAULT_CASE_DAYS = 30;
export { MAX_POINT_BBOX_SQUARE_DEGREES };

export type HeatmapLevel = AreaLevel | 'hex' | 'square';

export interface HeatmapRequest extends MetricOptions {
  metric: MetricName;
  level: HeatmapLevel;
  resolution: number;
  metres: number;
  bbox?: Bbox;
  asOf?: string;
  from?: string;
  to?: string;
  kind?: 'criminal' | 'public_order';
  caseCategory?: string;
  /** Legend classes fixed over the months from this day's month to today's (area levels only). */
  breaksFrom?: string;
}

export interface HeatmapCell {
  code: string;
  name?: string | null;
  areaKm2: number;
  bounds?: Bbox;
  value?: number | null;
  suppressed?: true;
  figures?: Figures;
}

/** Which moment or period the figures describe. */
export type TimeFrame = { asOf: string } | { from: string; to: string } | { current: true } | { asOf: string; scoringMonth: string | null };

/** Figures of one kind, per grid (maintained) and per point (hex and square), for one request. */
export interface FigureSource {
  columns: readonly string[];
  time: TimeFrame;
  /** The table or method the numbers come from, for the response. */
  computedFrom: { areas: string; points: string };
  /** `reading`: the columns the caller will read (default all), so a source can skip work nobody reads. */
  perGrid(reading?: readonly string[]): RawBuilder<unknown>;
  /** The day whose per-grid figures a MonthEndStore may hold precomputed (population only). */
  keptDay?: string;
  /** The period whose per-grid case figures a MonthEndStore may hold precomputed (cases only). */
  keptPeriod?: CasePeriod;
  points(selection: PointSelection): Promise<PointRow[]>;
}

// ---------------------------------------------------------------- dates

export interface DayContext {
  asOf: string;
  today: string;
  /** The days grid_population_daily holds. */
  firstKeptDay: string;
  lastKeptDay: string;
}

/** asOf defaults to today (Asia/Shanghai, by the database clock); the future is refused. */
export async function resolveAsOf(db: Kysely<DB>, asOf: string | undefined): Promise<DayContext> {
  const window = await populationWindow(db);
  const day = asOf ?? window.today;
  if (day > window.today) throw invalidField('asOf', `must not be after today (${window.today})`, `不能晚于今天（${window.today}）`);
  return { asOf: day, today: window.today, firstKeptDay: window.firstDay, lastKeptDay: window.lastDay };
}

/** Extends the kept days up to today when a new day has begun (a write; done before a cached read). */
export async function keepPopulationWindowCurrent(db: Kysely<DB>): Promise<void> {
  const window = await populationWindow(db);
  if (window.lastDay < window.today) await extendPopulationWindow(db, window.today);
}

/** The kept days and the data version, read once for the requests that ask at the same time. */
const windowReadsOf = perDatabase((db) => sharedRead(() => populationWindowAndVersion(db)));

/**
 * keepPopulationWindowCurrent, and the data version read in the same statement when the window was
 * current (undefined when it had to be extended: that write made a new version). A kept answer's
 * request then costs one statement here instead of two (issue 18: whole-city heatmap p95).
 */
export async function currentWindowVersion(db: Kysely<DB>): Promise<string | undefined> {
  const window = await windowReadsOf(db)(undefined);
  if (window.lastDay >= window.today) return window.version;
  await extendPopulationWindow(db, window.today);
  return undefined;
}

/**
 * Per-grid population today, as SQL another feature may join (collectors' grid counts): the kept
 * window is extended to today first, so the daily table holds the day.
 */
export async function populationTodayPerGrid(db: Kysely<DB>): Promise<RawBuilder<unknown>> {
  await keepPopulationWindowCurrent(db);
  const { today } = await populationWindow(db);
  return populationOnDay(today);
}

/** A query field the schema let through but a rule refuses, in English and Chinese (`zh` without the field's name). */
export function invalidField(field: string, message: string, zh?: string): HttpError {
  const issue = { field, code: 'invalid', message: `${field} ${message}`, ...(zh ? { messageZh: `${field}：${zh}` } : {}) };
  return badRequest('invalid_request', `Invalid query: ${field}: ${message}`, { fields: [issue] });
}

// ---------------------------------------------------------------- figure sources

async function populationSource(db: Kysely<DB>, asOfInput: string | undefined): Promise<FigureSource> {
  const day = await resolveAsOf(db, asOfInput);
  if (day.asOf > day.lastKeptDay) await extendPopulationWindow(db, day.today);
  const kept = day.asOf >= day.firstKeptDay;
  const maintained = () => (kept ? populationOnDay(day.asOf) : populationSummedToDay(day.asOf));
  return {
    columns: [...POPULATION_COLUMNS, FOUND_UNREGISTERED_COLUMN],
    time: { asOf: day.asOf },
    computedFrom: { areas: kept ? 'grid_population_daily' : 'grid_population_changes', points: 'residencies (direct count)' },
    keptDay: day.asOf,
    // The found-unregistered count is computed on the day, not maintained: joined only when read.
    perGrid: (reading = [FOUND_UNREGISTERED_COLUMN]) =>
      reading.includes(FOUND_UNREGISTERED_COLUMN) ? withFoundUnregistered(maintained(), day.asOf) : maintained(),
    points: (selection) => populationByBuilding(db, day.asOf, selection),
  };
}

/** What selects the figures of a source: the day, and for cases the period and filters. */
export type SourceParams = Pick<HeatmapRequest, 'asOf' | 'from' | 'to' | 'kind' | 'caseCategory'>;

export async function casePeriodOf(db: Kysely<DB>, request: SourceParams): Promise<CasePeriod> {
  const to = request.to ?? (await resolveAsOf(db, request.asOf)).asOf;
  const from = request.from ?? addDays(to, 1 - DEFAULT_CASE_DAYS);
  if (from > to) throw invalidField('from', `must not be after to (${to})`, `起始日期不能晚于截止日期（${to}）`);
  return { from, to, kind: request.kind, category: request.caseCategory };
}

async function caseSource(db: Kysely<DB>, request: SourceParams): Promise<FigureSource> {
  const period = await casePeriodOf(db, request);
  return {
    columns: CASE_COLUMNS,
    time: { from: period.from, to: period.to },
    computedFrom: { areas: 'grid_case_daily', points: 'cases (direct count)' },
    keptPeriod: period,
    perGrid: () => casesInPeriod(period),
    points: (selection) => casePoints(db, period, selection),
  };
}

function unitSource(db: Kysely<DB>): FigureSource {
  return {
    columns: UNIT_COLUMNS,
    time: { current: true },
    computedFrom: { areas: 'grid_unit_stats', points: 'units (direct count)' },
    perGrid: unitStats,
    points: (selection) => unitsByBuilding(db, selection),
  };
}

async function tierSource(db: Kysely<DB>, asOfInput: string | undefined): Promise<FigureSource> {
  if (!(await tableExists(db, 'rental_scores'))) {
    throw new HttpError(409, 'not_available', 'Rental tiers are not available: the rental scoring tables (issue 6) are not installed');
  }
  const day = await resolveAsOf(db, asOfInput);
  const month = await latestScoredMonthBy(db, day.asOf);
  const perGridTable = await tableExists(db, 'rental_tier_counts');
  return {
    columns: TIER_COLUMNS,
    time: { asOf: day.asOf, scoringMonth: month },
    computedFrom: { areas: perGridTable ? 'rental_tier_counts' : 'rental_scores', points: 'rental_scores' },
    perGrid: () => (month ? tiersOfMonth(month, perGridTable) : noRows(TIER_COLUMNS)),
    points: async (selection) => (month ? tiersByBuilding(db, month, selection) : []),
  };
}

export function figureSource(db: Kysely<DB>, name: FigureSourceName, request: SourceParams): Promise<FigureSource> {
  switch (name) {
    case 'population':
      return populationSource(db, request.asOf);
    case 'cases':
      return caseSource(db, request);
    case 'units':
      return Promise.resolve(unitSource(db));
    case 'rental_tiers':
      return tierSource(db, request.asOf);
  }
}

// ---------------------------------------------------------------- cells

interface RawCell {
  code: string;
  name?: string | null;
  areaKm2: number;
  bounds?: Bbox;
  sums: Figures;
}

/** Whole-city figures precomputed for this very snapshot (a slider month, or cases of a period), if any. */
async function precomputedColumns(db: Kysely<DB>, source: FigureSource, columns: readonly string[], selection: AreaSelection, months?: MonthEndStore) {
  if (!months || selection.bbox || selection.code) return undefined;
  if (source.keptDay) return months.areaColumns(db, source.keptDay, selection.level, columns);
  if (source.keptPeriod) return months.caseColumns(db, source.keptPeriod, selection.level, columns);
  return undefined;
}

async function areaCells(
  db: Kysely<DB>,
  source: FigureSource,
  columns: readonly string[],
  selection: AreaSelection,
  prefixes: readonly string[] | null,
  months?: MonthEndStore,
): Promise<{ raw: RawCell[]; precomputed: boolean }> {
  // Precomputed for this snapshot, else summed by the database.
  const precomputed = await precomputedColumns(db, source, columns, selection, months);
  const rows = precomputed ? rowsOfColumns(precomputed) : await sumByArea(db, source.perGrid(columns), columns, selection);
  const raw = rows
    .filter((row) => prefixes === null || isWithinJurisdiction(row.code, prefixes))
    .map((row) => ({ code: row.code, name: row.name, areaKm2: row.areaKm2, sums: row.figures }));
  return { raw, precomputed: precomputed !== undefined };
}

function binPoints(points: PointRow[], binner: PointBinner, columns: readonly string[]): RawCell[] {
  const cells = new Map<string, RawCell>();
  for (const point of points) {
    const place = binner(point.lon, point.lat);
    let cell = cells.get(place.code);
    if (!cell) {
      cell = { code: place.code, areaKm2: place.areaKm2, bounds: place.bounds, sums: Object.fromEntries(columns.map((column) => [column, 0])) };
      cells.set(place.code, cell);
    }
    for (const column of columns) cell.sums[column]! += point.figures[column] ?? 0;
  }
  return [...cells.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

function assertPointBbox(bbox: Bbox | undefined): Bbox {
  if (!bbox) throw invalidField('bbox', 'is required for hex and square levels', '六边形和方格层级须给出地图范围');
  const squareDegrees = (bbox[2] - bbox[0]) * (bbox[3] - bbox[1]);
  if (squareDegrees > MAX_POINT_BBOX_SQUARE_DEGREES) {
    throw invalidField(
      'bbox',
      `covers ${squareDegrees.toFixed(4)} square degrees; hex and square levels allow at most ${MAX_POINT_BBOX_SQUARE_DEGREES}`,
      `地图范围太大（${squareDegrees.toFixed(4)} 平方度），六边形和方格层级最多 ${MAX_POINT_BBOX_SQUARE_DEGREES} 平方度，请放大地图`,
    );
  }
  return bbox;
}

async function pointCells(source: FigureSource, request: HeatmapRequest, prefixes: readonly string[] | null): Promise<RawCell[]> {
  const bbox = assertPointBbox(request.bbox);
  const binner = request.level === 'hex' ? h3Binner(request.resolution) : squareBinner(request.metres, bbox);
  return binPoints(await source.points({ bbox, prefixes }), binner, source.columns);
}

// ---------------------------------------------------------------- privacy

/** k for the leader's suppression (and for tiles and OGC): the 'privacy' setting read by privacyKOf. */
/** One area's sums of a figure source (the KPIs' figures): the sums the area heatmap shows for it; undefined for an area with no grids. */
export async function sumOverArea(db: Kysely<DB>, source: FigureSource, level: AreaLevel, code: string): Promise<AreaRow | undefined> {
  const [row] = await sumByArea(db, source.perGrid(), source.columns, { level, code });
  return row;
}

export async function privacyThreshold(db: Kysely<DB>): Promise<number> {
  return privacyKOf(await settingValue(db, 'privacy'));
}

/** Leaders see no figure about fewer than k people. */
export const suppressesSmallCounts = (principal: Principal) => principal.role === 'leader';

// ---------------------------------------------------------------- the heatmap

export interface Heatmap {
  metric: MetricName;
  label: string;
  level: HeatmapLevel;
  resolution?: number;
  metres?: number;
  unit: string;
  definition: string;
  time: TimeFrame;
  filters: Record<string, string>;
  computedFrom: string;
  privacy: { k: number; applied: boolean; suppressedCells: number };
  cells: HeatmapCell[];
  breaks: ClassBreaks;
  /** The months the breaks pool over: fixed over a period, or (null) this map's own values. */
  breaksOver: { from: string; to: string; months: number } | null;
}

function metricFilters(request: HeatmapRequest): Record<string, string> {
  const definition = METRICS[request.metric];
  if (request.metric === 'population') return { category: request.category };
  if (request.metric === 'rental_tiers') return { tier: request.tier };
  if (definition.source !== 'cases') return {};
  return Object.fromEntries(Object.entries({ kind: request.kind, category: request.caseCategory }).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >;
}

/** Whether a cell's figures are withheld from the caller: about fewer than k people, where k applies (null: it does not). */
const withheld = (definition: MetricDefinition, figures: Figures, k: number | null) =>
  k !== null && definition.people !== undefined && definition.people(figures) < k;

// Plain assignments rather than object spreads: this runs for every one of 20,000 grids.
function finishCell(raw: RawCell, definition: MetricDefinition, options: MetricOptions, k: number | null): HeatmapCell {
  const figures = definition.figures(raw.sums, options);
  const cell: HeatmapCell = { code: raw.code, areaKm2: Math.round(raw.areaKm2 * 1e4) / 1e4 };
  if (raw.name !== undefined) cell.name = raw.name;
  if (raw.bounds) cell.bounds = raw.bounds;
  if (withheld(definition, figures, k)) {
    cell.suppressed = true;
  } else {
    cell.value = definition.value(figures, raw.areaKm2, options);
    cell.figures = figures;
  }
  return cell;
}

export interface FinishedCells {
  source: FigureSource;
  cells: HeatmapCell[];
  k: number;
  applied: boolean;
  pointLevel: boolean;
  /** Read from the figures a MonthEndStore keeps for this snapshot rather than summed by the database. */
  precomputed: boolean;
}

/** `months`: the time slider's precomputed month-ends, read when they hold the request's day (same answer, sooner). */
export async function finishedCells(db: Kysely<DB>, principal: Principal, request: HeatmapRequest, months?: MonthEndStore): Promise<FinishedCells> {
  const definition = METRICS[request.metric];
  const source = await figureSource(db, definition.source, request);
  const prefixes = visiblePrefixes(principal);
  const pointLevel = request.level === 'hex' || request.level === 'square';
  const { raw, precomputed } = pointLevel
    ? { raw: await pointCells(source, request, prefixes), precomputed: false }
    : await areaCells(db, source, definition.reads?.(request) ?? source.columns, { level: request.level as AreaLevel, bbox: request.bbox }, prefixes, months);
  const k = await privacyThreshold(db);
  const applied = suppressesSmallCounts(principal) && definition.people !== undefined;
  const cells = raw.map((cell) => finishCell(cell, definition, request, applied ? k : null));
  return { source, cells, k, applied, pointLevel, precomputed };
}

/**
 * An area map's cells column by column: what finishedCells gives for a whole-city area level,
 * without an object per cell (the hot spots' input, issue 21: at 20,000 grids the objects cost
 * more than the statistic).
 */
export interface CellColumns {
  source: FigureSource;
  k: number;
  applied: boolean;
  precomputed: boolean;
  /** Shared by every answer from the same list of areas and jurisdiction: read, never changed. */
  codes: readonly string[];
  names: readonly (string | null)[];
  /** The mapped value; NaN where it is undefined for the cell (null in a map) or withheld. */
  values: Float64Array;
  /** 1 where the cell is withheld from the caller (fewer than k people). */
  suppressed: Uint8Array;
}

export async function cellColumns(
  db: Kysely<DB>,
  principal: Principal,
  request: HeatmapRequest & { level: AreaLevel },
  months?: MonthEndStore,
): Promise<CellColumns> {
  const definition = METRICS[request.metric];
  const source = await figureSource(db, definition.source, request);
  const columns = definition.reads?.(request) ?? source.columns;
  const selection = { level: request.level };
  const kept = await precomputedColumns(db, source, columns, selection, months);
  const table = kept ?? columnsOfRows(await sumByArea(db, source.perGrid(columns), columns, selection), columns);
  const k = await privacyThreshold(db);
  const applied = suppressesSmallCounts(principal) && definition.people !== undefined;
  const visible = visibleCells(table.rows, visiblePrefixes(principal));
  const count = visible.positions.length;
  const values = new Float64Array(count);
  const suppressed = new Uint8Array(count);
  const sums: Figures = {};
  const threshold = applied ? k : null;
  // Plain loops: this runs for every one of 20,000 grids, per request.
  for (let index = 0; index < count; index += 1) {
    const position = visible.positions[index]!;
    for (let c = 0; c < columns.length; c += 1) sums[columns[c]!] = table.sums[c]![position]!;
    const figures = definition.figures(sums, request);
    suppressed[index] = withheld(definition, figures, threshold) ? 1 : 0;
    values[index] = suppressed[index] ? Number.NaN : (definition.value(figures, visible.areas[index]!, request) ?? Number.NaN);
  }
  return { source, k, applied, precomputed: kept !== undefined, codes: visible.codes, names: visible.names, values, suppressed };
}

/** The cells of one list of areas a caller may see: their positions in the list, codes, names and areas. */
interface VisibleCells {
  positions: Int32Array;
  codes: readonly string[];
  names: readonly (string | null)[];
  areas: Float64Array;
}

/**
 * The month-ends keep one list of areas per level and data version, read by every slider answer:
 * which of them a jurisdiction sees is worked out once per list (20,000 prefix checks and three
 * arrays an answer otherwise), and the same codes array then names the same cell order at once.
 */
const visibleCellsOf = new WeakMap<readonly AreaHead[], Map<string, VisibleCells>>();
type AreaHead = AreaColumns['rows'][number];

function visibleCells(rows: readonly AreaHead[], prefixes: readonly string[] | null): VisibleCells {
  let byJurisdiction = visibleCellsOf.get(rows);
  if (!byJurisdiction) {
    byJurisdiction = new Map<string, VisibleCells>();
    visibleCellsOf.set(rows, byJurisdiction);
  }
  const key = JSON.stringify(prefixes);
  const known = byJurisdiction.get(key);
  if (known) return known;
  const positions: number[] = [];
  rows.forEach((row, position) => {
    if (prefixes === null || isWithinJurisdiction(row.code, prefixes)) positions.push(position);
  });
  const cells = {
    positions: Int32Array.from(positions),
    codes: positions.map((position) => rows[position]!.code),
    names: positions.map((position) => rows[position]!.name),
    areas: Float64Array.from(positions, (position) => rows[position]!.areaKm2),
  };
  byJurisdiction.set(key, cells);
  return cells;
}

function columnsOfRows(rows: AreaRow[], columns: readonly string[]): AreaColumns {
  return { rows, columns, sums: columns.map((column) => Float64Array.from(rows, (row) => row.figures[column] ?? 0)) };
}

function shownValues(cells: HeatmapCell[]): number[] {
  const shown: number[] = [];
  for (const cell of cells) if (typeof cell.value === 'number') shown.push(cell.value);
  return shown;
}

/** The period's months, checked: area levels only, at most MAX_PERIOD_MONTHS, ending today. */
async function breakPeriod(db: Kysely<DB>, request: HeatmapRequest, from: string) {
  if (request.level === 'hex' || request.level === 'square')
    throw invalidField('breaksFrom', 'applies to area levels (district, street, community, grid) only', '只适用于区、街道、社区和网格层级');
  const { today } = await resolveAsOf(db, undefined);
  const windows = monthWindows(from, today);
  if (windows.length === 0) throw invalidField('breaksFrom', `must not be after today (${today})`, `不能晚于今天（${today}）`);
  if (windows.length > MAX_PERIOD_MONTHS)
    throw invalidField(
      'breaksFrom',
      `covers ${windows.length} months; at most ${MAX_PERIOD_MONTHS}`,
      `跨 ${windows.length} 个月，最多 ${MAX_PERIOD_MONTHS} 个月`,
    );
  // Unit figures keep no history: every month would give the same values.
  return METRICS[request.metric].source === 'units' ? windows.slice(-1) : windows;
}

/**
 * Breaks of the values of every month of the period (population and tiers as of each month's
 * last day, cases within each calendar month), computed as each month's map is: the same
 * cells, the same suppression. Kept per data version with the month-ends (`months`): the slider
 * asks for the same period's breaks at every month, and computing them reads every month's map.
 */
async function breaksOverPeriod(db: Kysely<DB>, principal: Principal, request: HeatmapRequest, from: string, months?: MonthEndStore) {
  const windows = await breakPeriod(db, request, from);
  const compute = () => periodLegend(db, principal, request, from, windows, months);
  if (!months) return compute();
  // The month shown (asOf, or a cases period) does not change the period's breaks.
  const { asOf: _asOf, from: _from, to: _to, ...map } = request;
  const key = keyOfRequest([map, from, windows.at(-1)!.to, visiblePrefixes(principal), suppressesSmallCounts(principal)]);
  return months.keptBreaks(db, key, compute);
}

async function periodLegend(db: Kysely<DB>, principal: Principal, request: HeatmapRequest, from: string, windows: MonthWindow[], months?: MonthEndStore) {
  const valuesByMonth: ArrayLike<number>[] = [];
  // One after the other: the embedded engine has a single connection.
  for (const window of windows) {
    const month = { ...request, asOf: window.to, from: window.from, to: window.to, breaksFrom: undefined };
    valuesByMonth.push(await shownValuesOfMonth(db, principal, month, months));
  }
  const period = monthWindows(from, windows.at(-1)!.to);
  return { breaks: fixedBreaks(valuesByMonth), breaksOver: { from: period[0]!.from, to: period.at(-1)!.to, months: period.length } };
}

/** The values one month's map shows: column by column for a whole level (no object per cell), else its cells. */
async function shownValuesOfMonth(db: Kysely<DB>, principal: Principal, month: HeatmapRequest, months?: MonthEndStore): Promise<ArrayLike<number>> {
  if (month.bbox || month.level === 'hex' || month.level === 'square') return shownValues((await finishedCells(db, principal, month, months)).cells);
  return definedValues((await cellColumns(db, principal, { ...month, level: month.level }, months)).values);
}

export async function buildHeatmap(db: Kysely<DB>, principal: Principal, request: HeatmapRequest, months?: MonthEndStore): Promise<Heatmap> {
  const { source, cells, k, applied, pointLevel } = await finishedCells(db, principal, request, months);
  const legend = request.breaksFrom
    ? await breaksOverPeriod(db, principal, request, request.breaksFrom, months)
    : { breaks: classBreaks(shownValues(cells)), breaksOver: null };
  const suppressedCells = cells.filter((cell) => cell.suppressed).length;
  return { ...heatmapHead(request, source, { k, applied, suppressedCells }, pointLevel, legend), cells };
}

/**
 * A whole-city area heatmap with its cells column by column (the compact answer of issue 18):
 * the same head as buildHeatmap's, and its cells' values without an object per cell.
 */
export async function buildHeatmapColumns(
  db: Kysely<DB>,
  principal: Principal,
  request: HeatmapRequest & { level: AreaLevel },
  months?: MonthEndStore,
): Promise<{ head: Omit<Heatmap, 'cells'>; columns: CellColumns }> {
  const columns = await cellColumns(db, principal, request, months);
  const legend = request.breaksFrom
    ? await breaksOverPeriod(db, principal, request, request.breaksFrom, months)
    : { breaks: classBreaks(definedValues(columns.values)), breaksOver: null };
  const suppressedCells = columns.suppressed.reduce((count, withheldCell) => count + withheldCell, 0);
  return { head: heatmapHead(request, columns.source, { k: columns.k, applied: columns.applied, suppressedCells }, false, legend), columns };
}

/** The values that are not NaN, as a typed array (the legend copies and sorts it as a block). */
function definedValues(values: Float64Array): Float64Array {
  let count = 0;
  for (let index = 0; index < values.length; index += 1) if (!Number.isNaN(values[index])) count += 1;
  const defined = new Float64Array(count);
  let next = 0;
  for (let index = 0; index < values.length; index += 1) if (!Number.isNaN(values[index])) defined[next++] = values[index]!;
  return defined;
}

function heatmapHead(
  request: HeatmapRequest,
  source: FigureSource,
  privacy: Heatmap['privacy'],
  pointLevel: boolean,
  legend: Pick<Heatmap, 'breaks' | 'breaksOver'>,
): Omit<Heatmap, 'cells'> {
  const definition = METRICS[request.metric];
  return {
    metric: request.metric,
    label: definition.label,
    level: request.level,
    ...(request.level === 'hex' && { resolution: request.resolution }),
    ...(request.level === 'square' && { metres: request.metres }),
    unit: definition.unit,
    definition: definition.definition,
    time: source.time,
    filters: metricFilters(request),
    computedFrom: pointLevel ? source.computedFrom.points : source.computedFrom.areas,
    privacy,
    ...legend,
  };
}
