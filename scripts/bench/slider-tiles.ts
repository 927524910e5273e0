/**
 * Just the time slider and the vector tiles (issue 18), against a loaded city, without the rest of
 * the bench (no writes besides the two bench users):
 *
 *   DATABASE_URL=postgres://…/renwu_sz npx tsx scripts/bench/slider-tiles.ts [--tiles-per-zoom 40] [--settle 60]
 *
 * The slider: the 35 past month-ends, 8 in flight, right after the server starts ("cold": nothing
 * precomputed nor kept), then after `--settle` seconds (the background precomputation's time) for
 * another metric (months precomputed, answers not yet kept: what the first slide after a write
 * meets) and for the first metric again (answers kept). Tiles: every layer at z11–z16, sampled evenly over the city, once
 * cold and once again (the same tiles: the per-version cache). Prints p50/p95 per figure and the load.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { chinaToday } from '../../server/domain/calendar.ts';
import { ApiSession, percentiles, underLoad, unexpectedStatuses, type Timed } from './client.ts';
import { pastMonthEnds } from './heatmaps.ts';
import { startApp } from './server.ts';
import { ensureBenchUsers, query } from './target.ts';
import { sampleTiles } from './tiles.ts';

const CITY_HEATMAP = '/api/heatmaps/floating_density?level=grid';
const LAYERS = ['grids', 'statistics', 'buildings'] as const;
const ZOOMS = [11, 12, 13, 14, 15, 16] as const;
const CONCURRENCY = 8;

const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const line = (label: string, results: readonly Timed[]) => {
  const stats = percentiles(results.map((result) => result.ms));
  const failed = unexpectedStatuses(results, [200, 204]);
  return `${label.padEnd(34)} n=${String(stats.n).padStart(4)} p50=${String(stats.p50).padStart(7)} ms  p95=${String(stats.p95).padStart(7)} ms  max=${String(stats.max).padStart(7)} ms${Object.keys(failed).length ? `  FAILED ${JSON.stringify(failed)}` : ''}`;
};

async function slider(session: ApiSession, label: string, shape: string | undefined, map = CITY_HEATMAP): Promise<void> {
  const months = pastMonthEnds(chinaToday(), 35);
  const base = shape ? `${map}&shape=${shape}` : map;
  const run = await underLoad(140, CONCURRENCY, (index) => session.get(`${base}&asOf=${months[index % months.length]}`));
  console.log(line(`slider ${label}${shape ? ` shape=${shape}` : ''}`, run.results));
}

async function tiles(session: ApiSession, databaseUrl: string, perZoom: number, label: string): Promise<void> {
  const [extent] = await query<{ west: number; south: number; east: number; north: number }>(
    databaseUrl,
    'SELECT ST_XMin(e) AS west, ST_YMin(e) AS south, ST_XMax(e) AS east, ST_YMax(e) AS north FROM (SELECT ST_Extent(geom) AS e FROM grids) AS x',
  );
  const requests = LAYERS.flatMap((layer) =>
    ZOOMS.flatMap((z) => sampleTiles(extent!, z, perZoom).map(([x, y]) => ({ layer, z, path: `/tiles/${layer}/${z}/${x}/${y}.mvt` }))),
  );
  const run = await underLoad(requests.length, CONCURRENCY, (index) => session.get(requests[index]!.path));
  console.log(line(`tiles ${label} all`, run.results));
  for (const layer of LAYERS) {
    for (const z of ZOOMS) {
      console.log(
        line(
          `  ${layer} z${z}`,
          run.results.filter((_, index) => requests[index]!.layer === layer && requests[index]!.z === z),
        ),
      );
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'tiles-per-zoom': { type: 'string' }, settle: { type: 'string' }, only: { type: 'string' }, shape: { type: 'string' } },
  });
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL must name a loaded city');
  const only = (values.only ?? 'slider,tiles').split(',');
  const perZoom = Number(values['tiles-per-zoom'] ?? 40);
  const settleSeconds = Number(values.settle ?? 60);
  const users = await ensureBenchUsers(databaseUrl);
  console.log(`load average at start ${load()} (${os.cpus().length} cores, shared with other jobs)`);
  const app = await startApp(databaseUrl);
  try {
    const leader = await ApiSession.logIn(app.url, users.leader.username, users.leader.password);
    if (only.includes('slider')) await slider(leader, 'cold (server just started)', values.shape);
    if (only.includes('tiles')) await tiles(leader, databaseUrl, perZoom, 'cold');
    console.log(`settling ${settleSeconds} s (background precomputation); load ${load()}`);
    await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000));
    // Another metric of the same months: the months are precomputed, no answer is kept yet (as after a write).
    if (only.includes('slider')) await slider(leader, 'months kept, answers not (permit_rate)', values.shape, '/api/heatmaps/permit_rate?level=grid');
    if (only.includes('slider')) await slider(leader, 'answers kept', values.shape);
    if (only.includes('tiles')) await tiles(leader, databaseUrl, perZoom, 'again');
  } finally {
    await app.stop();
  }
  console.log(`load average at end ${load()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
