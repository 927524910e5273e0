/**
 * Hot spots (issue 21) over the whole city through the real API: Gi* of one map, emerging hot
 * spots over 12–36 months, and "what changed". Every request differs from the others (another day,
 * another period), so each is computed, not read from the per-data-version response cache: these
 * are the costs of a first look. Sequential, one at a time: the cost of one computation. Beside
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

export async function measureHotspots(leader: ApiSession, databaseUrl: string, today: string, requests: number): Promise<Figure[]> {
  // Distinct days and periods: each request is a cache miss.
  const days = Array.from({ length: requests }, (_, index) => addDays(today, -1 - index));
  const first = await leader.get(`/api/hotspots?metric=floating_density&asOf=${today}`, true);
  if (first.status !== 200) throw new Error(`GET /api/hotspots answered ${first.status}`);
  const cells = (first.body as { cells: unknown[] }).cells.length;
  const giStar = checked('Gi*', await sequential(requests, (index) => leader.get(`/api/hotspots?metric=cases&to=${days[index]}`)));
  const emerging = checked('emerging', await sequential(requests, (index) =>
    leader.get(`/api/hotspots/emerging?metric=cases&months=${36 - (index % 25)}&fdr=${index < 25 ? 'true' : 'false'}`)));
  const changes = checked('changes', await sequential(requests, (index) => leader.get(`/api/hotspots/changes?metric=floating&asOf=${days[index]}&against=last_month`)));

  const monthEnds = pastMonthEnds(today, 36);
  const sqlTimings: number[] = [];
  for (let run = 0; run < Math.min(requests, 5); run += 1) {
    const started = performance.now();
    await query(databaseUrl, MONTHLY_CASES_BY_GRID, [addDays(monthEnds.at(-1)!, -30), monthEnds[0]]);
    sqlTimings.push(performance.now() - started);
  }
  const stats = (results: Timed[]) => percentiles(results.map((result) => result.ms));
  const detail = { cells, sequential: true, cached: false };
  return [
    latencyFigure('hotspots.city', `Gi* hot spots, whole city (${cells} grids), each request computed`, stats(giStar), 200, detail),
    latencyFigure('hotspots.emerging', 'emerging hot spots, whole city, 12–36 months, each request computed', stats(emerging), 2000, detail),
    latencyFigure('hotspots.emerging.sql', 'plain SQL: cases per grid and month over 36 months', percentiles(sqlTimings)),
    latencyFigure('hotspots.changes', 'what changed (floating, against last month), whole city, each request computed', stats(changes), undefined, detail),
  ];
}
