/**
 * Generates the synthetic demo city into an empty database.
 *
 *   npx tsx scripts/generate-city.ts --seed 42 --scale demo|small|tiny|<factor> [--today YYYY-MM-DD] [--data-dir DIR]
 *
 * Uses DATABASE_URL when set, otherwise the embedded PGlite database in --data-dir (default:
 * $DATA_DIR/db, i.e. ./data/db). Migrates first. Refuses to write into a database that already
 * has buildings.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../server/db/connection.ts';
import { migrateToLatest } from '../server/db/migrator.ts';
import { generateCity, parseScale } from './city/index.ts';
import { renderProgress } from './progress.ts';

const USAGE = 'usage: npx tsx scripts/generate-city.ts [--seed N] [--scale tiny|small|demo|<factor>] [--today YYYY-MM-DD] [--data-dir DIR]';

interface Arguments {
  seed: number;
  scale: ReturnType<typeof parseScale>;
  today: string | undefined;
  dataDir: string;
}

function readArguments(): Arguments {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      scale: { type: 'string' },
      today: { type: 'string' },
      'data-dir': { type: 'string' },
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
  const dataDir = values['data-dir'] ?? path.join(process.env.DATA_DIR ?? 'data', 'db');
  return { seed, scale: parseScale(values.scale ?? process.env.DEMO_SCALE ?? 'demo'), today: values.today, dataDir: path.resolve(dataDir) };
}

async function main(): Promise<void> {
  const args = readArguments();
  const started = Date.now();
  const databaseUrl = process.env.DATABASE_URL || undefined;
  process.stderr.write(databaseUrl ? 'opening PostgreSQL (DATABASE_URL)\n' : `opening PGlite in ${args.dataDir}\n`);
  const handle = await openDatabase({ databaseUrl, pgliteDir: args.dataDir, statementTimeoutMs: 600_000, poolSize: 2 });
  try {
    await migrateToLatest(handle.db);
    process.stderr.write(`database ready after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const summary = await generateCity(handle, { seed: args.seed, scale: args.scale, today: args.today, onProgress: renderProgress });
    console.log(JSON.stringify(summary, null, 2));
    process.stderr.write(`generated ${args.scale} city (seed ${args.seed}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\ngenerate-city: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
