import fs from 'node:fs';
import path from 'node:path';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../../server/db/schema.ts';
import { ENGINE_UNDER_TEST, onCitus } from '../helpers/database.ts';
import { runHotPaths, SNAPSHOT_DIR, type HotPathRun, type RecordedQuery } from '../helpers/hot-paths.ts';

/**
 * The plans of the hot paths use the indexes sql/snapshots/indexes.json names (issue 17 item 2):
 * a change that loses one (a dropped index, a predicate no index serves any more) fails here, not
 * only in review. PostgreSQL only: PGlite's planner is the same code, but CI's PostgreSQL is what
 * production runs.
 *
 * Why `enable_seqscan = off`: the fixture city fits in a page per table, so the planner rightly
 * reads every table sequentially and no plan would show an index. With sequential scans priced
 * out, it takes an index wherever one can serve the statement's conditions and falls back to a
 * sequential scan only where none can: what is checked is that the index exists and matches the
 * query, deterministically, in seconds (a Shenzhen-sized city would let the planner choose by
 * itself, but takes minutes to generate). ANALYZE first, so that the choice between two
 * usable indexes does not depend on when autovacuum last ran.
 */
const unavailable = ENGINE_UNDER_TEST === 'postgres' ? undefined : 'TEST_DATABASE_URL is not set: the plans are checked on PostgreSQL';
if (unavailable) {
  if (process.env.REQUIRE_POSTGIS === '1') throw new Error(`REQUIRE_POSTGIS=1 but ${unavailable}`);
  process.stdout.write(`[renwu tests] skipping the hot-path plan check: ${unavailable}\n`);
}
// On Citus the coordinator's plans are distributed plans over shards: they are checked on plain PostgreSQL.
const onCitusCluster = !unavailable && Boolean(await onCitus());
if (onCitusCluster)
  process.stdout.write('[renwu tests] skipping the hot-path plan check on Citus: its plans are distributed plans, checked on plain PostgreSQL\n');

interface IndexList {
  /** Path name → the indexes its plans must use, and why (for the reader of the file). */
  paths: Record<string, { indexes: string[]; why: string }>;
  /** An index no constraint owns (it can be dropped alone), required by one path: the self-check drops it. */
  selfCheck: string;
}
const INDEXES: IndexList = JSON.parse(fs.readFileSync(path.join(SNAPSHOT_DIR, 'indexes.json'), 'utf8'));

/** Every index any node of an EXPLAIN (FORMAT JSON) plan reads. */
function indexNames(plan: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(plan)) for (const item of plan) indexNames(item, into);
  else if (plan && typeof plan === 'object') {
    for (const [key, value] of Object.entries(plan)) {
      if (key === 'Index Name' && typeof value === 'string') into.add(value);
      else indexNames(value, into);
    }
  }
  return into;
}

/**
 * The indexes the plans of `statements` use, planned in one transaction that is rolled back
 * (`before` runs first in it: the self-check drops an index there). A statement that cannot be
 * planned on its own (one reading a temporary table an earlier statement made) is passed over.
 */
async function indexesUsed(db: Kysely<DB>, statements: readonly RecordedQuery[], before?: (trx: Kysely<DB>) => Promise<void>): Promise<Set<string>> {
  const used = new Set<string>();
  const trx = await db.startTransaction().execute();
  try {
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    await before?.(trx);
    for (const statement of statements) {
      await sql`SAVEPOINT plan`.execute(trx);
      try {
        const result = await trx.executeQuery<{ 'QUERY PLAN': unknown }>(
          CompiledQuery.raw(`EXPLAIN (FORMAT JSON) ${statement.sql}`, [...statement.parameters]),
        );
        indexNames(result.rows[0]?.['QUERY PLAN'], used);
        await sql`RELEASE SAVEPOINT plan`.execute(trx);
      } catch {
        await sql`ROLLBACK TO SAVEPOINT plan`.execute(trx);
      }
    }
  } finally {
    await trx.rollback().execute();
  }
  return used;
}

let run: HotPathRun | undefined;

beforeAll(async () => {
  if (unavailable || onCitusCluster) return;
  run = await runHotPaths();
  await sql`ANALYZE`.execute(run.app.handle.db);
}, 120_000);
afterAll(async () => run?.app.close());

const statementsOf = (name: string) => run!.paths.find((hot) => hot.name === name)?.statements ?? [];
const missingIndexes = (name: string, used: Set<string>) => (INDEXES.paths[name]?.indexes ?? []).filter((index) => !used.has(index));

describe.skipIf(Boolean(unavailable) || onCitusCluster)('query plans of the hot paths (PostgreSQL)', () => {
  it('lists every hot path, and only those', () => {
    expect(Object.keys(INDEXES.paths).sort()).toEqual(run!.paths.map((hot) => hot.name).sort());
  });

  it.for(Object.keys(INDEXES.paths))('%s uses its indexes', async (name) => {
    const used = await indexesUsed(run!.app.handle.db, statementsOf(name));
    expect(
      missingIndexes(name, used),
      `${name} no longer uses what sql/snapshots/indexes.json requires; its plans use ${[...used].sort().join(', ') || 'no index'}`,
    ).toEqual([]);
  });

  it('notices a lost index: with one dropped (in a transaction rolled back), its path misses it', async () => {
    const name = Object.keys(INDEXES.paths).find((candidate) => INDEXES.paths[candidate]!.indexes.includes(INDEXES.selfCheck))!;
    const dropIt = async (trx: Kysely<DB>) => void (await sql`DROP INDEX ${sql.id(INDEXES.selfCheck)}`.execute(trx));
    expect(missingIndexes(name, await indexesUsed(run!.app.handle.db, statementsOf(name), dropIt))).toEqual([INDEXES.selfCheck]);
  });
});
