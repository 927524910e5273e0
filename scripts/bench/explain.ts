/**
 * Query plans of the hot paths, as checked-in text (bench/plans/*.txt): a change that loses an
 * index shows up in review as a changed plan.
 *
 *   DATABASE_URL=postgres://…/renwu_scale npx tsx scripts/bench/explain.ts [--out-dir bench/plans]
 *
 * The application's own code runs each path once (heatmap, time slider, drill-down, tiles) with a
 * Kysely that records every statement it sends; each recorded read is then run again under
 * EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) inside a transaction that is rolled back.
 * Without costs and timings the text depends only on the data and the plan (row counts are kept:
 * they show what each step reads).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Principal } from '../../server/auth/session.ts';
import { readConfig } from '../../server/config.ts';
import type { AppContext } from '../../server/context.ts';
import { detectCapabilities } from '../../server/db/capabilities.ts';
import { openDatabase } from '../../server/db/connection.ts';
import type { DB } from '../../server/db/schema.ts';
import { chinaToday } from '../../server/domain/calendar.ts';
import { buildHeatmap } from '../../server/heatmaps/service.ts';
import { buildingFloorPlan } from '../../server/buildings/service.ts';
import { TILE_LAYERS, type TileLayerName } from '../../server/tiles/layers.ts';
import { renderTile } from '../../server/tiles/service.ts';
import { NAIVE_POPULATION_BY_GRID, pastMonthEnds } from './heatmaps.ts';
import { ensureBenchUsers, query } from './target.ts';
import { sampleTiles } from './tiles.ts';

interface Recorded {
  sql: string;
  parameters: readonly unknown[];
}

interface HotPath {
  name: string;
  description: string;
  run(context: AppContext): Promise<unknown>;
}

async function hotPaths(databaseUrl: string): Promise<HotPath[]> {
  const today = chinaToday();
  const users = await ensureBenchUsers(databaseUrl);
  const ids = await query<{ username: string; id: string; jurisdiction: string[] }>(
    databaseUrl,
    'SELECT username, id, jurisdiction FROM users WHERE username = ANY ($1)',
    [[users.leader.username, users.police.username]],
  );
  const principal = (username: string, role: Principal['role']): Principal => {
    const row = ids.find((candidate) => candidate.username === username)!;
    return { userId: Number(row.id), username, displayName: username, role, jurisdiction: row.jurisdiction, collectorId: null };
  };
  const leader = principal(users.leader.username, 'leader');
  const police = principal(users.police.username, 'police');
  // The building with the most current residents: the heaviest drill-down there is.
  const [building] = await query<{ code: string }>(
    databaseUrl,
    `
    SELECT left(unit_code, 19) AS code FROM residencies WHERE moved_out IS NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
  );
  const [extent] = await query<{ west: number; south: number; east: number; north: number }>(
    databaseUrl,
    'SELECT ST_XMin(e) AS west, ST_YMin(e) AS south, ST_XMax(e) AS east, ST_YMax(e) AS north FROM (SELECT ST_Extent(geom) AS e FROM grids) AS x',
  );
  const middleTile = (z: number) => {
    const tiles = sampleTiles(extent!, z, Number.MAX_SAFE_INTEGER);
    return tiles[Math.floor(tiles.length / 2)]!;
  };
  const tile = (layer: TileLayerName, z: number): HotPath => ({
    name: `tile-${layer}-z${z}`,
    description: `GET /tiles/${layer}/${z}/… (a tile in the middle of the city)`,
    run: (context) => renderTile(context, TILE_LAYERS[layer], { z, x: middleTile(z)[0], y: middleTile(z)[1] }),
  });
  const heatmap = { metric: 'floating_density', level: 'grid', resolution: 8, metres: 500, category: 'all', tier: 'red' } as const;
  return [
    {
      name: 'heatmap-city',
      description: 'GET /api/heatmaps/floating_density?level=grid (leader, whole city, today)',
      run: (context) => buildHeatmap(context.db, leader, heatmap),
    },
    {
      name: 'heatmap-past-month',
      description: 'GET /api/heatmaps/floating_density?level=grid&asOf=<last month end> (time slider)',
      run: (context) => buildHeatmap(context.db, leader, { ...heatmap, asOf: pastMonthEnds(today, 1)[0] }),
    },
    {
      name: 'drilldown-building',
      description: `GET /api/drilldown/buildings/<code> (police; the building with the most residents)`,
      run: (context) => buildingFloorPlan(context.db, police, building!.code, '查询计划'),
    },
    tile('grids', 12),
    tile('statistics', 13),
    tile('buildings', 15),
  ];
}

async function recordPath(databaseUrl: string, path: HotPath, capabilities: AppContext['capabilities']): Promise<Recorded[]> {
  const recorded: Recorded[] = [];
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 1 }) }),
    log: (event) => {
      if (event.level === 'query') recorded.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  try {
    await path.run({ db, engine: 'postgres', capabilities, config: readConfig({ DATABASE_URL: databaseUrl }) });
  } finally {
    await db.destroy();
  }
  return recorded;
}

/** Reads are explained (in a transaction rolled back after); writes (the audit row) are listed only. */
async function explain(client: pg.Client, statement: Recorded): Promise<string> {
  if (!/^\s*(select|with)\b/i.test(statement.sql)) return '(a write: not explained)';
  await client.query('BEGIN');
  try {
    const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) ${statement.sql}`, [
      ...statement.parameters,
    ]);
    return result.rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query('ROLLBACK');
  }
}

/** Long parameter lists (the person ids an audit row lists) cut to one readable line. */
function abridged(text: string): string {
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

function render(path: Pick<HotPath, 'name' | 'description'>, header: string, statements: { statement: Recorded; plan: string }[]): string {
  const parts = statements.map(({ statement, plan }, index) =>
    [
      `-- statement ${index + 1} of ${statements.length}`,
      statement.sql.trim().replace(/\s+\n/g, '\n'),
      `-- parameters: ${abridged(JSON.stringify(statement.parameters))}`,
      plan,
    ].join('\n'),
  );
  return [`-- ${path.description}`, header, '', parts.join('\n\n'), ''].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('set DATABASE_URL to a database holding a city (explain plans depend on the data)');
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const outDir = path.resolve(values['out-dir'] ?? path.join(root, 'bench/plans'));
  fs.mkdirSync(outDir, { recursive: true });
  const handle = await openDatabase({ databaseUrl });
  const capabilities = await detectCapabilities(handle.db).finally(() => handle.close());
  const [counts] = await query<{ scale: string | null; grids: string; persons: string }>(
    databaseUrl,
    `SELECT (SELECT value ->> 'scale' FROM settings WHERE key = 'demo_city') AS scale, (SELECT count(*) FROM grids) AS grids, (SELECT count(*) FROM persons) AS persons`,
  );
  const header = `-- ${counts!.scale ?? 'unknown'} city: ${counts!.grids} grids, ${counts!.persons} persons; PostgreSQL ${(await query<{ v: string }>(databaseUrl, "SELECT current_setting('server_version') AS v"))[0]!.v}; EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF)`;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const paths = await hotPaths(databaseUrl);
    const naive: HotPath = {
      name: 'naive-population-by-grid',
      description: 'The naive whole-city heatmap the bench compares with (GROUP BY over the base tables)',
      run: async () => {},
    };
    for (const hot of [...paths, naive]) {
      const recorded = hot === naive ? [{ sql: NAIVE_POPULATION_BY_GRID, parameters: [chinaToday()] }] : await recordPath(databaseUrl, hot, capabilities);
      const statements = [];
      for (const statement of recorded) statements.push({ statement, plan: await explain(client, statement) });
      fs.writeFileSync(path.join(outDir, `${hot.name}.txt`), render(hot, header, statements));
      process.stderr.write(`  ${hot.name}: ${statements.length} statements\n`);
    }
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\nexplain: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
