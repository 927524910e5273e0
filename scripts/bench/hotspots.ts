/**
 * Hot spots (issue 21) over the whole city through the real API: Gi* of one map, emerging hot
 * spots over 12–36 months, and "what changed". Every request differs from the others (another day,
 * another period), so each is computed, not read from the per-data-version response cache: these
 * are the costs of a first look at a map (its figures read from those kept per data version once
 * the background has read them). Sequential, one at a time: the cost of one computation. Beside
 * them, the plain SQL that reads all the months' counts the emerging analysis starts from.
 */
import { performance } from 'node:perf_hooks';
import { addDays } from '../../server/domain/calendar.ts';
import { percentiles, unexpectedStatuses, type ApiSession, type Timed } from './client.ts';
import { latencyFigure, type Figure } from './figures.ts';
import { pastMonthEnds } from './heatmaps.ts';
import { query } from './target.ts';

/** Cases per grid and month over 36 months: the one query behind emerging hot spots of cases. */
const MONTHLY_CASES_BY_GRID = `
  SELECT grid_code, date_trunc('month', day) AS month, sum(cases)::int AS cases
  FROM grid_case_daily WHERE day BETWEEN $1::date AND $2::date GROUP BY 1, 2`;

async function sequential(count: number, request: (index: number) => Promise<Timed>): Promise<Timed[]> {
  const results: Timed[] = [];
  for (let index = 0; index < count; index += 1) results.push(await request(index));
  return results;
}

function checked(name: string, results: Timed[]): Timed[] {
  const failures = unexpectedStatuses(results, [200]);
  if (Object.keys(failures).length > 0) throw new Error(`${name} requests failed: ${JSON.stringify(failures)}`);
  return results;
}

const KEPT = 'kept per data version';
const KEPT_WAIT_MS = 300_000;

/**
 * The first hot-spot request starts the background reading of the figures kept per data version
 * (server/heatmaps/month-ends.ts: the slider's month-ends and the cases per day). The bench
 * measures the steady state, as a user meets it after the first minute: it asks for maps of
 * other days (never the measured ones) until one says it was read from the kept figures, and
 * reports how long that took.
 */
async function waitForKeptFigures(leader: ApiSession, today: string): Promise<{ seconds: number; ready: boolean }> {
  const started = performance.now();
  for (let back = 400; performance.now() - started < KEPT_WAIT_MS; back += 1) {
    const probe = await leader.get(`/api/hotspots?metric=cases&to=${addDays(today, -back)}`, true);
    if ((probe.body as { method?: { figures?: string } } | undefined)?.method?.figures === KEPT) {
      return { seconds: Math.round((performance.now() - started) / 100) / 10, ready: true };
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return { seconds: KEPT_WAIT_MS / 1000, ready: false };
}

export async function measureHotspots(leader: ApiSession, databaseUrl: string, today: string, requests: number): Promise<Figure[]> {
  // Distinct days and periods: each request is a cache miss.
  const days = Array.from({ length: requests }, (_, index) => addDays(today, -1 - index));
  const first = await leader.get(`/api/hotspots?metric=floating_density&asOf=${today}`, true);
  if (first.status !== 200) throw new Error(`GET /api/hotspots answered ${first.status}`);
  const cells = (first.body as { cells: unknown[] }).cells.length;
  const kept = await waitForKeptFigures(leader, today);
  const giStar = checked('Gi*', await sequential(requests, (index) => leader.get(`/api/hotspots?metric=cases&to=${days[index]}`)));
  const emerging = checked(
    'emerging',
    await sequential(requests, (index) => leader.get(`/api/hotspots/emerging?metric=cases&months=${36 - (index % 25)}&fdr=${index < 25 ? 'true' : 'false'}`)),
  );
  const changes = checked(
    'changes',
    await sequential(requests, (index) => leader.get(`/api/hotspots/changes?metric=floating&asOf=${days[index]}&against=last_month`)),
  );

  const monthEnds = pastMonthEnds(today, 36);
  const sqlTimings: number[] = [];
  for (let run = 0; run < Math.min(requests, 5); run += 1) {
    const started = performance.now();
    await query(databaseUrl, MONTHLY_CASES_BY_GRID, [addDays(monthEnds.at(-1)!, -30), monthEnds[0]]);
    sqlTimings.push(performance.now() - started);
  }
  const stats = (results: Timed[]) => percentiles(results.map((result) => result.ms));
  const detail = { cells, sequential: true, cached: false, keptFiguresReadyAfterSeconds: kept.ready ? kept.seconds : null };
  return [
    latencyFigure('hotspots.city', `Gi* hot spots, whole city (${cells} grids), each request computed`, stats(giStar), 200, detail),
    latencyFigure('hotspots.emerging', 'emerging hot spots, whole city, 12–36 months, each request computed', stats(emerging), 2000, detail),
    latencyFigure('hotspots.emerging.sql', 'plain SQL: cases per grid and month over 36 months', percentiles(sqlTimings)),
    latencyFigure('hotspots.changes', 'what changed (floating, against last month), whole city, each request computed', stats(changes), undefined, detail),
  ];
}
