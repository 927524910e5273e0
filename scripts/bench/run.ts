/**
 * City-scale benchmark of the real application over HTTP against real PostGIS, in one run:
 *
 *   DATABASE_URL=postgres://…/renwu_scale npm run bench            # a loaded city (npm run generate -- --scale shenzhen)
 *   TEST_DATABASE_URL=postgres://…/postgres npm run bench -- --scale demo   # loads a city into a scratch database first
 *
 * Options: --scale S (when loading; default demo), --smoke (few requests: the test suite's run),
 * --out-dir DIR (default bench/results), --keep (keep the scratch database), --no-browser,
 * --only heatmaps,firstPaint (some of BENCH_SECTIONS).
 * Prints a table and saves the figures, the machine and its load as JSON. Exits non-zero when
 * a measurement fails or an acknowledged registration is missing afterwards; targets missed
 * are reported, not failed.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chinaToday } from '../../server/domain/calendar.ts';
import { parseScale, type Scale } from '../../server/demo/city/index.ts';
import { renderProgress } from '../../server/progress.ts';
import { ApiSession } from './client.ts';
import { measureDrilldown } from './drilldown.ts';
import { guarded, printTable, saveReport, skippedFigure, type Figure } from './figures.ts';
import { measureFirstPaint } from './first-paint.ts';
import { measureHealth } from './health.ts';
import { measureHeatmaps } from './heatmaps.ts';
import { measureHotspots } from './hotspots.ts';
import { describeMachine, noteEnd, type Machine } from './machine.ts';
import { measureRegistrations, type WriteCheck } from './registrations.ts';
import { startApp } from './server.ts';
import { ensureBenchUsers, openTarget, query } from './target.ts';
import { measureTiles } from './tiles.ts';

export const BENCH_SECTIONS = ['heatmaps', 'hotspots', 'drilldown', 'registrations', 'tiles', 'health', 'firstPaint'] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

export interface BenchSizes {
  heatmapRequests: number;
  sliderRequests: number;
  concurrency: number;
  naiveRuns: number;
  drilldownRequests: number;
  writes: number;
  writeConcurrency: number;
  tilesPerZoom: number;
  paintRuns: number;
  hotspotRequests: number;
}

export const FULL_SIZES: BenchSizes = {
  heatmapRequests: 200,
  sliderRequests: 140,
  concurrency: 8,
  naiveRuns: 3,
  drilldownRequests: 400,
  writes: 4000,
  writeConcurrency: 32,
  tilesPerZoom: 40,
  paintRuns: 3,
  hotspotRequests: 30,
};
export const SMOKE_SIZES: BenchSizes = {
  heatmapRequests: 16,
  sliderRequests: 12,
  concurrency: 4,
  naiveRuns: 1,
  drilldownRequests: 16,
  writes: 40,
  writeConcurrency: 8,
  tilesPerZoom: 3,
  paintRuns: 1,
  hotspotRequests: 3,
};

/** What the report says when the registrations could not be measured at all. */
const NOT_CHECKED: WriteCheck = {
  passed: false,
  acknowledged: 0,
  refused: {},
  persons: 0,
  currentResidenciesInTheirUnits: 0,
  auditRows: 0,
  gridCountsRaisedBy: 0,
  gridsChecked: 0,
  gridMismatches: [],
};

export interface BenchOptions {
  /** A database holding a city; otherwise one is created on `serverUrl` and loaded at `scale`. */
  databaseUrl?: string;
  serverUrl?: string;
  scale: Scale;
  sizes: BenchSizes;
  outDir: string;
  keep?: boolean;
  browser?: boolean;
  /** Only these measurements (BENCH_SECTIONS); all when absent. */
  only?: readonly BenchSection[];
  /** Rebuild a dashboard older than web/ before timing it (the smoke test skips the figure instead). */
  rebuildDashboard?: boolean;
  log?: (line: string) => void;
  /** Progress of loading a scratch city (default: the progress bar on stderr). */
  progress?: (step: string, done: number, total: number) => void;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  scale: string;
  database: string;
  machine: Machine;
  city: Record<string, number>;
  /** Seconds of each load phase, when the bench loaded the city itself. */
  loadSeconds?: Record<string, number>;
  sizes: BenchSizes;
  figures: Figure[];
  checks: { noLostWrites: WriteCheck; heatmapMatchesNaive: Record<string, unknown> };
  file?: string;
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const startedAt = new Date().toISOString();
  const target = await openTarget({
    databaseUrl: options.databaseUrl,
    serverUrl: options.serverUrl,
    scale: options.scale,
    keep: options.keep ?? false,
    report: options.progress ?? renderProgress,
  });
  try {
    const machine = await withClient(target.databaseUrl, describeMachine);
    const database = new URL(target.databaseUrl).pathname.slice(1);
    log(`bench on ${target.scale} city (${database}); ${machine.uptime.before}`);
    const city = await cityCounts(target.databaseUrl);
    const users = await ensureBenchUsers(target.databaseUrl);
    const app = await startApp(target.databaseUrl);
    try {
      const sessions = {
        leader: await ApiSession.logIn(app.url, users.leader.username, users.leader.password),
        police: await ApiSession.logIn(app.url, users.police.username, users.police.password),
      };
      const measured = await measureAll(sessions, target.databaseUrl, target.scale, options, log);
      noteEnd(machine);
      const report: BenchReport = {
        startedAt,
        finishedAt: new Date().toISOString(),
        scale: target.scale,
        database,
        machine,
        city,
        ...(target.loadSeconds && { loadSeconds: target.loadSeconds }),
        sizes: options.sizes,
        ...measured,
      };
      report.file = saveReport(options.outDir, target.scale, report);
      return report;
    } finally {
      await app.stop();
    }
  } finally {
    await target.drop();
  }
}

/** Issue 18's first-paint targets: 3 s at Shenzhen scale (or any city larger than the demo), 1.5 s on the demo city and smaller. */
const firstPaintTargetMs = (scale: string) => (['tiny', 'small', 'demo'].includes(scale) ? 1500 : 3000);

/** Every measurement in turn; one that fails is reported as failed and the others still run. */
async function measureAll(
  { leader, police }: { leader: ApiSession; police: ApiSession },
  databaseUrl: string,
  scale: string,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<Pick<BenchReport, 'figures' | 'checks'>> {
  const { sizes } = options;
  const today = chinaToday();
  // A section left out by --only gives no figures; its check says it was not measured.
  const ifWanted = async (section: BenchSection, measure: () => Promise<Figure[]>) => (!options.only || options.only.includes(section) ? measure() : []);
  log('heatmaps…');
  let agreement: Record<string, unknown> = { passed: false, reason: 'not measured' };
  const heatmaps = await ifWanted('heatmaps', () =>
    guarded('heatmap.city', 'heatmap API, whole city', 'ms', async () => {
      const measured = await measureHeatmaps(leader, databaseUrl, today, {
        requests: sizes.heatmapRequests,
        sliderRequests: sizes.sliderRequests,
        concurrency: sizes.concurrency,
        naiveRuns: sizes.naiveRuns,
      });
      agreement = measured.agreement;
      return measured.figures;
    }),
  );
  log('hot spots…');
  const hotspots = await ifWanted('hotspots', () =>
    guarded('hotspots.city', 'Gi* hot spots, whole city', 'ms', () => measureHotspots(leader, databaseUrl, today, sizes.hotspotRequests)),
  );
  log('drill-down…');
  const drilldown = await ifWanted('drilldown', () =>
    guarded('drilldown', 'drill-down of one building', 'ms', async () => [
      await measureDrilldown(police, databaseUrl, sizes.drilldownRequests, sizes.concurrency),
    ]),
  );
  log('registrations…');
  let noLostWrites: WriteCheck = { ...NOT_CHECKED };
  const writes = await ifWanted('registrations', () =>
    guarded('writes', 'registrations (move-in)', 'writes/s', async () => {
      const measured = await measureRegistrations(police, databaseUrl, today, sizes.writes, sizes.writeConcurrency);
      noLostWrites = measured.check;
      return measured.figures;
    }),
  );
  log('tiles…');
  const tiles = await ifWanted('tiles', () =>
    guarded('tiles', 'vector tiles', 'ms', () => measureTiles(leader, databaseUrl, sizes.tilesPerZoom, sizes.concurrency)),
  );
  log('health…');
  const health = await ifWanted('health', () =>
    guarded('health', 'GET /api/health', 'ms', async () => [await measureHealth(leader, sizes.heatmapRequests, sizes.concurrency)]),
  );
  log('first paint…');
  const paintLabel = 'first painted heatmap in headless Chromium';
  const paint =
    options.browser === false
      ? [skippedFigure('firstPaint', paintLabel, 'ms', '--no-browser')]
      : await ifWanted('firstPaint', () =>
          guarded('firstPaint', paintLabel, 'ms', async () => [
            await measureFirstPaint(leader, sizes.paintRuns, options.rebuildDashboard ?? true, firstPaintTargetMs(scale)),
          ]),
        );
  return {
    figures: [...heatmaps, ...hotspots, ...drilldown, ...writes, ...tiles, ...health, ...paint],
    checks: { noLostWrites, heatmapMatchesNaive: agreement },
  };
}

async function withClient<T>(databaseUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function cityCounts(databaseUrl: string): Promise<Record<string, number>> {
  const tables = ['grids', 'buildings', 'units', 'persons', 'residencies', 'permits', 'cases'];
  const [row] = await query<Record<string, string>>(databaseUrl, `SELECT ${tables.map((table) => `(SELECT count(*) FROM ${table}) AS ${table}`).join(', ')}`);
  return Object.fromEntries(tables.map((table) => [table, Number(row![table])]));
}

function summaryLines(report: BenchReport): string[] {
  const { machine, checks } = report;
  return [
    '',
    `renwu bench — ${report.scale} city: ${Object.entries(report.city)
      .map(([table, count]) => `${count.toLocaleString('en')} ${table}`)
      .join(', ')}`,
    `machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; PostgreSQL ${machine.postgres}, PostGIS ${machine.postgis}; Node ${machine.node}`,
    `load average before ${machine.loadAverage.before.join(' ')}, after ${machine.loadAverage.after?.join(' ')} (other jobs share the cores)`,
    '',
    printTable(report.figures),
    '',
    `no write lost: ${checks.noLostWrites.passed ? 'yes' : report.figures.some((figure) => figure.key === 'writes') ? 'NO' : 'not measured'} (${checks.noLostWrites.acknowledged} acknowledged, ${checks.noLostWrites.persons} stored, ${checks.noLostWrites.auditRows} audited, grid counts +${checks.noLostWrites.gridCountsRaisedBy})`,
    checks.heatmapMatchesNaive.reason === 'not measured'
      ? 'heatmap equals the naive count: not measured (heatmaps left out)'
      : `heatmap equals the naive count: ${checks.heatmapMatchesNaive.passed ? 'yes' : 'NO'} (${checks.heatmapMatchesNaive.comparedCells} grids compared)`,
    `saved ${report.file}`,
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string' },
      smoke: { type: 'boolean' },
      'out-dir': { type: 'string' },
      keep: { type: 'boolean' },
      'no-browser': { type: 'boolean' },
      only: { type: 'string' },
    },
  });
  const only = values.only?.split(',').map((section) => section.trim());
  const unknown = only?.filter((section) => !(BENCH_SECTIONS as readonly string[]).includes(section)) ?? [];
  if (unknown.length > 0) throw new Error(`--only: unknown ${unknown.join(', ')}; choose from ${BENCH_SECTIONS.join(', ')}`);
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const report = await runBench({
    databaseUrl: process.env.DATABASE_URL || undefined,
    serverUrl: process.env.TEST_DATABASE_URL || undefined,
    scale: parseScale(values.scale ?? 'demo'),
    sizes: values.smoke ? SMOKE_SIZES : FULL_SIZES,
    outDir: path.resolve(values['out-dir'] ?? path.join(root, 'bench/results')),
    keep: values.keep,
    browser: !values['no-browser'],
    only: only as BenchSection[] | undefined,
  });
  process.stdout.write(`${summaryLines(report).join('\n')}\n`);
  const writesChecked = !only || only.includes('registrations');
  if ((writesChecked && !report.checks.noLostWrites.passed) || report.figures.some((figure) => figure.failed)) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`\nbench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
