/**
 * Generates the synthetic demo city into an empty database.
 *
 *   npx tsx scripts/generate-city.ts --seed 42 --scale tiny|small|demo|shenzhen|<factor> [--today YYYY-MM-DD]
 *                                    [--data-dir DIR] [--copy] [--no-checks] [--workers N]
 *
 * Uses DATABASE_URL when set, otherwise the embedded PGlite database in --data-dir (default:
 * $DATA_DIR/db, i.e. ./data/db). Migrates first. Refuses to write into a database that already
 * has buildings.
 *
 * Small cities are written in one transaction (either engine). `--scale shenzhen` (about 670,000
 * buildings, 8.9 million units, 14 million people) and `--copy` stream the rows into PostgreSQL
 * with COPY instead and build indexes and statistics afterwards (server/demo/city/postgres-copy.ts):
 * that needs DATABASE_URL, and a database of its own (a failed load is not rolled back).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../server/db/connection.ts';
import { migrateToLatest } from '../server/db/migrator.ts';
import { generateCity, parseScale, type CitySummary } from '../server/demo/city/index.ts';
import { loadCityWithCopy } from '../server/demo/city/postgres-copy.ts';
import { renderProgress } from '../server/progress.ts';

const USAGE =
  'usage: npx tsx scripts/generate-city.ts [--seed N] [--scale tiny|small|demo|shenzhen|<factor>] [--today YYYY-MM-DD] [--data-dir DIR] [--copy] [--no-checks] [--workers N]';

interface Arguments {
  seed: number;
  scale: ReturnType<typeof parseScale>;
  today: string | undefined;
  dataDir: string;
  copy: boolean;
  checks: boolean;
  workers: number;
}

function readArguments(): Arguments {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      scale: { type: 'string' },
      today: { type: 'string' },
      'data-dir': { type: 'string' },
      copy: { type: 'boolean' },
      'no-checks': { type: 'boolean' },
      workers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const seedText = values.seed ?? process.env.DEMO_SEED ?? '20261123';
  const seed = Number(seedText);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got "${seedText}"`);
  const workers = Number(values.workers ?? '2');
  if (!Number.isInteger(workers) || workers < 1 || workers > 16) throw new Error(`--workers must be 1 to 16, got "${values.workers}"`);
  const dataDir = values['data-dir'] ?? path.join(process.env.DATA_DIR ?? 'data', 'db');
  const scale = parseScale(values.scale ?? process.env.DEMO_SCALE ?? 'demo');
  return {
    seed,
    scale,
    today: values.today,
    dataDir: path.resolve(dataDir),
    copy: Boolean(values.copy) || scale === 'shenzhen',
    checks: !values['no-checks'],
    workers,
  };
}

/** The progress bar, redrawn at most five times a second (the generator reports every grid). */
function throttledProgress(): (step: string, done: number, total: number) => void {
  let lastDrawn = 0;
  return (step, done, total) => {
    const now = Date.now();
    if (done < total && now - lastDrawn < 200) return;
    lastDrawn = now;
    renderProgress(step, done, total);
  };
}

async function generateInOneTransaction(args: Arguments, databaseUrl: string | undefined): Promise<CitySummary> {
  process.stderr.write(databaseUrl ? 'opening PostgreSQL (DATABASE_URL)\n' : `opening PGlite in ${args.dataDir}\n`);
  const handle = await openDatabase({ databaseUrl, pgliteDir: args.dataDir, statementTimeoutMs: 600_000, poolSize: 2 });
  try {
    await migrateToLatest(handle.db);
    return await generateCity(handle, { seed: args.seed, scale: args.scale, today: args.today, onProgress: throttledProgress() });
  } finally {
    await handle.close();
  }
}

/**
 * The generator makes tens of millions of short-lived objects; with V8's default 16 MB semi-spaces
 * a quarter of its time goes to collecting them. A city-scale load runs again with larger ones.
 */
const YOUNG_GENERATION = '--max-semi-space-size=64';

function rerunWithLargerYoungGeneration(): boolean {
  if (process.execArgv.includes(YOUNG_GENERATION) || (process.env.NODE_OPTIONS ?? '').includes('--max-semi-space-size')) return false;
  const run = spawnSync(process.execPath, [...process.execArgv, YOUNG_GENERATION, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
  return true;
}

async function main(): Promise<void> {
  const args = readArguments();
  if (args.copy && rerunWithLargerYoungGeneration()) return;
  const started = Date.now();
  const databaseUrl = process.env.DATABASE_URL || undefined;
  let summary: CitySummary;
  if (args.copy) {
    if (!databaseUrl) throw new Error('--copy and --scale shenzhen load PostgreSQL with COPY: set DATABASE_URL');
    process.stderr.write('loading PostgreSQL (DATABASE_URL) with COPY\n');
    const loaded = await loadCityWithCopy({
      databaseUrl,
      seed: args.seed,
      scale: args.scale,
      today: args.today,
      workers: args.workers,
      validate: args.checks,
      onProgress: throttledProgress(),
      onPhase: (phase, seconds) => process.stderr.write(`  ${phase}: ${seconds.toFixed(1)} s\n`),
    });
    summary = loaded.summary;
  } else {
    summary = await generateInOneTransaction(args, databaseUrl);
  }
  console.log(JSON.stringify(summary, null, 2));
  process.stderr.write(`generated ${args.scale} city (seed ${args.seed}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`\ngenerate-city: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
