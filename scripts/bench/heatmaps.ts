/**
 * The whole-city heatmap (grid level) and the time slider through the real API under concurrent
 * load, next to the naive query a system without maintained statistics would run: a GROUP BY
 * over residencies, persons, units and buildings, on the same data.
 */
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { addDays } from '../../server/domain/calendar.ts';
import { percentiles, underLoad, unexpectedStatuses, type ApiSession, type Percentiles } from './client.ts';
import { latencyFigure, ratioFigure, type Figure } from './figures.ts';
import { query } from './target.ts';

/** The leader's first map: floating-population density per base grid (one object per cell, with figures). */
const CITY_HEATMAP = '/api/heatmaps/floating_density?level=grid';
/** The same map as the dashboard reads it: values only, in the cell order of /api/heatmaps/cells (issue 18). */
const CITY_VALUES = `${CITY_HEATMAP}&shape=values`;

/**
 * People living in each grid on $1, by category, and floating people registered by then: what the
 * maintained grid_population_daily holds, counted from the base tables (permits left out, which
 * only makes the naive side cheaper).
 */
export const NAIVE_POPULATION_BY_GRID = `
  SELECT b.grid_code,
         count(*) FILTER (WHERE p.category = 'registered') AS registered,
         count(*) FILTER (WHERE p.category = 'lodging') AS lodging,
         count(*) FILTER (WHERE p.category = 'floating') AS floating,
         count(*) FILTER (WHERE p.category = 'overseas') AS overseas,
         count(*) FILTER (WHERE p.category = 'floating' AND r.registered_at <= $1::date) AS floating_registered
  FROM residencies AS r
  JOIN persons AS p ON p.id = r.person_id
  JOIN units AS u ON u.code = r.unit_code
  JOIN buildings AS b ON b.code = u.building_code
  WHERE r.moved_in <= $1::date AND (r.moved_out IS NULL OR r.moved_out > $1::date)
  GROUP BY b.grid_code`;

export interface HeatmapSizes {
  requests: number;
  sliderRequests: number;
  concurrency: number;
  naiveRuns: number;
}

interface HeatmapCell {
  code: string;
  suppressed?: true;
  figures?: Record<string, number>;
}

export async function measureHeatmaps(
  leader: ApiSession,
  databaseUrl: string,
  today: string,
  sizes: HeatmapSizes,
): Promise<{ figures: Figure[]; agreement: Record<string, unknown> }> {
  // First call: extends the kept days to today if the calendar moved on, and warms the server.
  const first = await leader.get(CITY_HEATMAP, true);
  if (first.status !== 200) throw new Error(`GET ${CITY_HEATMAP} answered ${first.status}`);
  const cells = (first.body as { cells: HeatmapCell[] }).cells;
  const fullCity = await underLoad(sizes.requests, sizes.concurrency, () => leader.get(CITY_HEATMAP));
  const compact = await leader.get(CITY_VALUES, true);
  const order = await leader.get('/api/heatmaps/cells?level=grid', true);
  const compactAgreement = compareCompact(cells, compact.body as CompactAnswer, order.body as { codes: string[] });
  const city = await underLoad(sizes.requests, sizes.concurrency, () => leader.get(CITY_VALUES));
  const months = pastMonthEnds(today, 35);
  await leader.get(`${CITY_VALUES}&asOf=${months[0]}`);
  const slider = await underLoad(sizes.sliderRequests, sizes.concurrency, (index) => leader.get(`${CITY_VALUES}&asOf=${months[index % months.length]}`));
  const failures = { ...unexpectedStatuses(fullCity.results, [200]), ...unexpectedStatuses(city.results, [200]), ...unexpectedStatuses(slider.results, [200]) };
  if (Object.keys(failures).length > 0) throw new Error(`heatmap requests failed: ${JSON.stringify(failures)}`);

  const naiveToday = await naiveRuns(databaseUrl, [today], sizes.naiveRuns);
  const naivePast = await naiveRuns(databaseUrl, months, sizes.naiveRuns);
  const naiveAgreement = compareWithNaive(cells, naiveToday.rows);
  const apiCity = percentiles(city.results.map((result) => result.ms));
  const apiSlider = percentiles(slider.results.map((result) => result.ms));
  // wireBytes: the body gzipped as the server sends it (the timed client reads it unzipped: `bytes`).
  const detail = (load: typeof city, body?: unknown) => ({
    concurrency: sizes.concurrency,
    requestsPerSecond: round(load.results.length / load.seconds),
    bytes: load.results[0]?.bytes,
    ...(body !== undefined && { wireBytes: gzippedBytes(body) }),
    cells: cells.length,
  });
  return {
    figures: [
      latencyFigure(
        'heatmap.city',
        `heatmap API, whole city (${cells.length} grids, values only: shape=values), ${sizes.concurrency} concurrent`,
        apiCity,
        50,
        detail(city, compact.body),
      ),
      latencyFigure(
        'heatmap.city.cells',
        `heatmap API, whole city, one object per cell (shape=cells), ${sizes.concurrency} concurrent`,
        percentiles(fullCity.results.map((result) => result.ms)),
        undefined,
        detail(fullCity, first.body),
      ),
      latencyFigure('heatmap.city.naive', 'naive GROUP BY, whole city, today', naiveToday.stats),
      ratioFigure('heatmap.city.ratio', 'naive p50 ÷ API p95 (values only), whole city', naiveToday.stats, apiCity, 200),
      latencyFigure('slider', `time slider: heatmap (values only) as of a past month end, ${sizes.concurrency} concurrent`, apiSlider, 100, {
        ...detail(slider),
        months: months.length,
      }),
      latencyFigure('slider.naive', 'naive GROUP BY as of a past month end', naivePast.stats),
      ratioFigure('slider.ratio', 'naive p50 ÷ API p95, time slider', naivePast.stats, apiSlider),
    ],
    agreement: { ...naiveAgreement, compact: compactAgreement, passed: naiveAgreement.passed && compactAgreement.passed },
  };
}

interface CompactAnswer {
  values: (number | null)[];
  suppressed: number[];
}

/** The compact answer joined to the cell order must carry the full answer's values, grid by grid. */
function compareCompact(cells: readonly (HeatmapCell & { value?: number | null })[], compact: CompactAnswer, order: { codes: string[] }) {
  const suppressed = new Set(compact.suppressed);
  const mismatches = cells
    .filter(
      (cell, index) => order.codes[index] !== cell.code || Boolean(cell.suppressed) !== suppressed.has(index) || (cell.value ?? null) !== compact.values[index],
    )
    .map((cell) => cell.code);
  return {
    comparedCells: cells.length,
    mismatches: mismatches.length,
    firstMismatches: mismatches.slice(0, 5),
    passed: cells.length === compact.values.length && mismatches.length === 0,
  };
}

/** What the server sends a client that takes gzip: level 1, as server/http/kept-answers.ts. */
function gzippedBytes(body: unknown): number {
  return gzipSync(Buffer.from(JSON.stringify(body)), { level: 1 }).length;
}

/** The last day of each of the `count` months before today's month, newest first. */
export function pastMonthEnds(today: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => {
    const firstOfMonth = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 1 - index, 1)).toISOString().slice(0, 10);
    return addDays(firstOfMonth, -1);
  });
}

type NaiveRow = { grid_code: string } & Record<string, string>;

async function naiveRuns(databaseUrl: string, days: readonly string[], runs: number): Promise<{ stats: Percentiles; rows: NaiveRow[] }> {
  const timings: number[] = [];
  let rows: NaiveRow[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    rows = await query<NaiveRow>(databaseUrl, NAIVE_POPULATION_BY_GRID, [days[run % days.length]]);
    timings.push(performance.now() - started);
  }
  return { stats: percentiles(timings), rows };
}

/**
 * The API's floating people against the naive count for today, grid by grid (cells a leader may not see,
 * under k people, carry no figures and are skipped): a fast heatmap must also be a right one.
 */
function compareWithNaive(cells: readonly HeatmapCell[], naive: readonly NaiveRow[]): Record<string, unknown> {
  const byGrid = new Map(naive.map((row) => [row.grid_code, row]));
  let compared = 0;
  const mismatches: string[] = [];
  for (const cell of cells) {
    if (!cell.figures) continue;
    compared += 1;
    if (cell.figures.floating !== Number(byGrid.get(cell.code)?.floating ?? 0)) mismatches.push(cell.code);
  }
  return {
    comparedCells: compared,
    suppressedCells: cells.length - compared,
    mismatches: mismatches.length,
    firstMismatches: mismatches.slice(0, 5),
    passed: compared > 0 && mismatches.length === 0,
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
