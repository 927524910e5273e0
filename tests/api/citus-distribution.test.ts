import { execFileSync } from 'node:child_process';
import { CompiledQuery, sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISTRIBUTED_BY_GRID, distributedTables } from '../../server/db/citus.ts';
import { envelopeOf } from '../../server/db/feature-sql.ts';
import { cityGridStatistics, gridStatisticsOfCodesInSnapshot, gridStatisticsRows } from '../../server/tiles/repository/layer-rows.ts';
import type { TestApp } from '../helpers/app.ts';
import { onCitus } from '../helpers/database.ts';
import { QueryRecorder } from '../helpers/hot-paths.ts';
import { FIXTURE } from '../helpers/fixture-city.ts';
import {
  bornYearsAgo,
  countRows,
  daysAgo,
  floatingAdult,
  idCard,
  REGISTRATION,
  signedIn,
  startRegistrationApp,
  today,
} from '../helpers/registration-fixture.ts';

/**
 * Issue #20 on a real Citus cluster (a coordinator and two workers, scripts/citus/cluster.sh): the
 * migrator distributes the grid statistics by grid code (server/db/citus.ts); a registration
 * writes its grid's counts on the grid's shard (that one only) and the heatmap reads them back; a
 * grid's read is a router query on one shard; the statistics reads give the workers the day (one
 * daily row per grid comes back); a police drill-down touches no shard; and with the worker of a grid stopped, that grid's reads and writes
 * answer 503 data_node_unavailable and change nothing while a police drill-down still answers, and work again once the worker is back,
 * without a restart. Skipped (with the reason) unless TEST_DATABASE_URL is a Citus coordinator;
 * REQUIRE_CITUS=1 (.ci/run's Citus step) makes that skip a failure.
 */
const nodes = await onCitus();
if (!nodes && process.env.REQUIRE_CITUS === '1') throw new Error('REQUIRE_CITUS=1 but TEST_DATABASE_URL is not a Citus coordinator');
if (!nodes) console.log('[renwu tests] citus-distribution: skipped, TEST_DATABASE_URL is not a Citus coordinator (docs/citus.md)');

let t: TestApp;
const db = () => t.handle.db;

const recorder = new QueryRecorder();
beforeAll(async () => {
  if (nodes) t = await startRegistrationApp({ plugins: [recorder] });
}, 300_000);
afterAll(async () => t?.close());

/** The port of the worker that holds the shard of `grid` in the statistics' colocation group. */
async function workerPortOf(grid: string): Promise<number> {
  const { rows } = await sql<{ port: number }>`
    SELECT n.nodeport AS port FROM pg_dist_placement AS p JOIN pg_dist_node AS n ON n.groupid = p.groupid
    WHERE p.shardid = get_shard_id_for_distribution_column('grid_population_changes', ${grid}::text)`.execute(db());
  return rows[0]!.port;
}

/** scripts/citus/cluster.sh numbers the workers 1, 2 in port order. */
function cluster(action: 'stop-worker' | 'start-worker', port: number): void {
  const workers = nodes!
    .filter((node) => !node.isCoordinator)
    .map((node) => node.port)
    .sort((a, b) => a - b);
  execFileSync('bash', ['scripts/citus/cluster.sh', action, String(workers.indexOf(port) + 1)], { stdio: 'inherit' });
}

let sequence = 0;
function moveIn(unitCode: string, username: string, movedIn = today()) {
  sequence += 1;
  const person = floatingAdult(idCard(bornYearsAgo(30), 700 + sequence), `分布${sequence}`);
  return signedIn(t, username).then((agent) => agent.post('/api/registrations/move-in', { unitCode, movedIn, person }));
}

async function floatingToday(grid: string): Promise<number> {
  const planner = await signedIn(t, 'planner');
  const response = await planner.get(`/api/heatmaps/floating_density?level=grid&asOf=${today()}`).expect(200);
  const cell = (response.body.cells as { code: string; figures?: { floating?: number } }[]).find((entry) => entry.code === grid);
  return cell?.figures?.floating ?? 0;
}

/**
 * The transaction id of the last write in each shard of the grid statistics (shard id → the
 * largest xmin of its rows, on its worker): a shard whose value moves was written.
 */
async function lastWritesPerShard(): Promise<Map<string, string>> {
  const shards = new Map<string, string>();
  for (const table of DISTRIBUTED_BY_GRID) {
    const { rows } = await sql<{ shard: string; xid: string }>`
      SELECT shardid::text AS shard, result AS xid
      FROM run_command_on_shards(${table}::text, 'SELECT coalesce(max(xmin::text::bigint), 0) FROM %s')`.execute(db());
    for (const row of rows) shards.set(row.shard, row.xid);
  }
  return shards;
}

/**
 * The rows of grid_population_daily that `statement` brings to the coordinator (EXPLAIN ANALYZE):
 * those of each distributed scan whose tasks query a shard of it.
 */
async function dailyRowsToCoordinator(statement: RawBuilder<unknown>): Promise<number> {
  const compiled = statement.compile(db());
  const { rows } = await db().executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN (ANALYZE, VERBOSE) ${compiled.sql}`, [...compiled.parameters]));
  let scanned = 0;
  let scans = 0;
  let lastScanRows = Number.NaN;
  for (const { 'QUERY PLAN': line } of rows) {
    const scan = /Custom Scan \(Citus Adaptive\).*\(actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/.exec(line);
    if (scan) lastScanRows = Number(scan[1]);
    if (/Query: SELECT .* FROM public\.grid_population_daily_\d+ /.test(line)) {
      scanned += lastScanRows;
      scans += 1;
    }
  }
  expect(scans, 'a distributed scan of the daily rows').toBeGreaterThan(0);
  return scanned;
}

describe.skipIf(!nodes)('renwu on Citus (issue #20)', () => {
  it('has the grid statistics distributed by grid code in one colocation group, with shards on both workers', async () => {
    expect(await distributedTables(db())).toEqual([...DISTRIBUTED_BY_GRID].sort());
    const { rows } = await sql<{ groups: number; workers: number }>`
      SELECT count(DISTINCT p.colocationid)::int AS groups, count(DISTINCT s.nodeport)::int AS workers
      FROM pg_dist_partition AS p JOIN citus_shards AS s ON s.table_name = p.logicalrelid
      WHERE p.logicalrelid::text = ANY (${[...DISTRIBUTED_BY_GRID]}::text[])`.execute(db());
    expect(rows[0]).toEqual({ groups: 1, workers: 2 });
  });

  it('counts a registration in its grid on the grid’s shard, and the heatmap reads it back', async () => {
    const before = await floatingToday(FIXTURE.gridWest);
    expect((await moveIn(REGISTRATION.westUnit(1, 1), 'collector_west')).status).toBe(201);
    expect(await floatingToday(FIXTURE.gridWest)).toBe(before + 1);
  });

  it('reads one grid’s counts with a router query on one shard', async () => {
    const { rows } = await sql<{ 'QUERY PLAN': string }>`
      EXPLAIN SELECT * FROM grid_population_daily WHERE grid_code = ${FIXTURE.gridWest} AND day = current_date`.execute(db());
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toContain('Task Count: 1');
  });

  it('writes a registration’s grid counts on one shard of each table, its grid’s; the person and the stay stay on the coordinator', async () => {
    const before = await lastWritesPerShard();
    expect((await moveIn(REGISTRATION.westUnit(3, 1), 'collector_west')).status).toBe(201);
    const after = await lastWritesPerShard();
    const touched = [...after].filter(([shard, xid]) => before.get(shard) !== xid).map(([shard]) => shard);
    const { rows } = await sql<{ shard: string }>`
      SELECT get_shard_id_for_distribution_column(t, ${FIXTURE.gridWest}::text)::text AS shard
      FROM unnest(${[...DISTRIBUTED_BY_GRID]}::text[]) AS t`.execute(db());
    const gridShards = rows.map((row) => row.shard);
    expect(touched.length).toBeGreaterThan(0);
    expect(touched.filter((shard) => !gridShards.includes(shard))).toEqual([]);
    const onCoordinator = ['persons', 'residencies', 'audit_log'];
    expect((await distributedTables(db())).filter((table) => onCoordinator.includes(table))).toEqual([]);
  });

  it('answers a police drill-down from the coordinator alone: none of its statements plans a distributed scan', async () => {
    const police = await signedIn(t, 'police');
    const statements = await recorder.record(() =>
      police.get(`/api/drilldown/buildings/${FIXTURE.westHouse}?purpose=${encodeURIComponent('治安检查')}`).expect(200),
    );
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const { rows } = await db().executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN ${statement.sql}`, [...statement.parameters]));
      expect(rows.map((row) => row['QUERY PLAN']).join('\n'), statement.sql).not.toContain('Citus');
    }
  });

  // With the window's day in the condition of the join with the coordinator's grids, every daily row
  // came to the coordinator (≈ 15 s a statistics tile at Shenzhen scale, docs/citus.md).
  it('gives the workers the population window’s day: the grid statistics’ reads (city, a tile’s grids, a rendered tile) bring one daily row per grid to the coordinator', async () => {
    // Someone who moved in a fortnight ago: their grid has a daily row for each day since.
    expect((await moveIn(REGISTRATION.westUnit(1, 2), 'collector_west', daysAgo(14))).status).toBe(201);
    const grids = (await sql<{ codes: string[] }>`SELECT array_agg(code ORDER BY code) AS codes FROM grids`.execute(db())).rows[0]!.codes;
    const everywhere = envelopeOf([-180, -90, 180, 90]);
    // Each with the most daily rows it needs: one per grid of the city or the box; a tile's grids'
    // own (the east grid alone here, the move-in above being in the west one).
    const eastRows = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM grid_population_daily
      WHERE grid_code = ${FIXTURE.gridEast} AND day = (SELECT last_day FROM grid_population_window)`.execute(db());
    const reads: [RawBuilder<unknown>, number][] = [
      [cityGridStatistics(5), grids.length],
      [gridStatisticsOfCodesInSnapshot(5, [FIXTURE.gridEast]), eastRows.rows[0]!.n],
      [gridStatisticsRows(everywhere, null, 5), grids.length],
    ];
    for (const [statement, most] of reads) expect(await dailyRowsToCoordinator(statement)).toBeLessThanOrEqual(most);
  });

  it('answers 503 data_node_unavailable for a grid whose worker is stopped, changes nothing, and recovers without a restart', async () => {
    const grid = FIXTURE.gridWest;
    const port = await workerPortOf(grid);
    const before = await countRows(t);
    const planner = await signedIn(t, 'planner');
    const notAskedDay = `${daysAgo(40).slice(0, 8)}15`;
    cluster('stop-worker', port);
    try {
      // A day nobody asked for (kept answers of the data version are served as they are).
      const read = await planner.get(`/api/heatmaps/floating_density?level=grid&asOf=${notAskedDay}`);
      expect(read.status).toBe(503);
      expect(read.body.error.code).toBe('data_node_unavailable');
      // Twice: the first write may find the coordinator's connection to the worker closed under it
      // (Citus: "failure on connection marked as essential", no SQLSTATE), the second a refused connect.
      for (const attempt of [1, 2]) {
        const write = await moveIn(REGISTRATION.westUnit(2, 1), 'collector_west');
        expect(write.status, `write ${attempt}`).toBe(503);
        expect(write.body.error).toMatchObject({ code: 'data_node_unavailable', message: expect.stringContaining('nothing was changed') });
      }
      expect(await countRows(t)).toEqual(before);
      // What lies on the coordinator alone still answers: a police drill-down (and its audit row).
      const police = await signedIn(t, 'police');
      await police.get(`/api/buildings/${FIXTURE.westHouse}`).expect(200);
    } finally {
      cluster('start-worker', port);
    }
    await planner.get(`/api/heatmaps/floating_density?level=grid&asOf=${notAskedDay}`).expect(200);
    const counted = await floatingToday(grid);
    expect((await moveIn(REGISTRATION.westUnit(2, 1), 'collector_west')).status).toBe(201);
    expect(await floatingToday(grid)).toBe(counted + 1);
  });
});
