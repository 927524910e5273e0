import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../server/db/connection.ts';
import { migrateToLatest } from '../../server/db/migrator.ts';
import { generateCity } from '../../server/demo/city/index.ts';
import { loadCityWithCopy } from '../../server/demo/city/postgres-copy.ts';
import { refreshGridStats } from '../../server/demo/city/store.ts';
import { TEST_DATABASE_URL } from '../helpers/database.ts';

/**
 * The city-scale loader (COPY, indexes and constraints set aside, statistics rebuilt on several
 * connections) must leave exactly what the one-transaction generator leaves: the same rows, the
 * same schema with every constraint validated, and the statistics refresh_grid_stats() computes.
 */
const unavailable = TEST_DATABASE_URL ? undefined : 'TEST_DATABASE_URL is not set: the COPY loader needs a real PostgreSQL';
if (unavailable) process.stdout.write(`[renwu tests] skipping the COPY loader test: ${unavailable}\n`);

const OPTIONS = { seed: 7, scale: 'tiny', today: '2026-11-01' } as const;
const TABLES: [string, string][] = [
  ['admin_areas', 'code'],
  ['grids', 'code'],
  ['buildings', 'code'],
  ['units', 'code'],
  ['persons', 'id'],
  ['residencies', 'id'],
  ['permits', 'id'],
  ['cases', 'id'],
  ['collectors', 'id'],
  ['collector_assignments', 'id'],
];
const STATISTICS: [string, string][] = [
  ['grid_population_window', 'singleton'],
  ['grid_population_changes', 'grid_code, day'],
  ['grid_population_daily', 'day, grid_code'],
  ['grid_case_daily', 'day, grid_code, kind, category'],
  ['grid_unit_stats', 'grid_code'],
];

/** A digest of every row of each table (creation times left out). */
async function digests(handle: DatabaseHandle, tables: [string, string][]): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const [table, order] of tables) {
    const rows = await sql<{ digest: string }>`SELECT md5(coalesce(string_agg((to_jsonb(t) - 'created_at')::text, ',' ORDER BY ${sql.raw(
      order
        .split(', ')
        .map((column) => `t.${column}`)
        .join(', '),
    )}), '')) AS digest
      FROM ${sql.table(table)} AS t`.execute(handle.db);
    result[table] = rows.rows[0]!.digest;
  }
  return result;
}

/** Indexes and constraints as the catalogue prints them, with whether each constraint is validated. */
async function schema(handle: DatabaseHandle): Promise<string[]> {
  const rows = await sql<{ line: string }>`
    SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' validated=' || convalidated
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    ORDER BY 1`.execute(handle.db);
  return rows.rows.map((row) => row.line);
}

describe.skipIf(unavailable)('the COPY loader (PostgreSQL)', () => {
  const names = [`renwu_bulk_tx_${process.pid}`, `renwu_bulk_copy_${process.pid}`];
  const url = (name: string) => Object.assign(new URL(TEST_DATABASE_URL!), { pathname: `/${name}` }).toString();
  const handles: DatabaseHandle[] = [];
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };

  beforeAll(async () => {
    for (const name of names) await admin(`CREATE DATABASE ${name}`);
    const inTransaction = await openDatabase({ databaseUrl: url(names[0]!) });
    handles.push(inTransaction);
    await migrateToLatest(inTransaction.db);
    await generateCity(inTransaction, OPTIONS);
    await loadCityWithCopy({ databaseUrl: url(names[1]!), ...OPTIONS });
    handles.push(await openDatabase({ databaseUrl: url(names[1]!) }));
  });
  afterAll(async () => {
    for (const handle of handles) await handle.close();
    for (const name of names) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('writes the same rows as the one-transaction generator', async () => {
    expect(await digests(handles[1]!, TABLES)).toEqual(await digests(handles[0]!, TABLES));
  });

  it('leaves the same indexes and constraints, all validated, and the triggers on', async () => {
    const loaded = await schema(handles[1]!);
    expect(loaded).toEqual(await schema(handles[0]!));
    expect(loaded.filter((line) => line.endsWith('validated=false'))).toEqual([]);
    const disabled = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'`.execute(handles[1]!.db);
    expect(disabled.rows[0]!.n).toBe(0);
  });

  it('rebuilds the grid statistics exactly as refresh_grid_stats() does', async () => {
    const rebuilt = await digests(handles[1]!, STATISTICS);
    expect(rebuilt).toEqual(await digests(handles[0]!, STATISTICS));
    await handles[1]!.db.transaction().execute((trx) => refreshGridStats(trx, OPTIONS.today));
    expect(await digests(handles[1]!, STATISTICS)).toEqual(rebuilt);
  });
});
