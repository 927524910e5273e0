/**
 * renwu on a Citus cluster (issue #20, docs/citus.md). When the database has the citus extension,
 * the migrator distributes what can be distributed today: the grid statistics, by grid code, in
 * one colocation group, so that a grid's population, case and unit counts lie on one worker and a
 * heatmap's reads are spread over all of them. Everything else stays on the coordinator until the
 * next steps of docs/citus.md (the source tables' triggers) are done.
 *
 * On PGlite and plain PostgreSQL this does nothing.
 */
import { sql, type Kysely } from 'kysely';

/** The grid statistics (sql/0003, sql/0014, sql/0028), all keyed by grid_code; the first leads the colocation group. */
export const DISTRIBUTED_BY_GRID = ['grid_population_changes', 'grid_population_daily', 'grid_case_daily', 'grid_unit_stats'] as const;

export async function hasCitus<Schema>(database: Kysely<Schema>): Promise<boolean> {
  const db = database as unknown as Kysely<unknown>;
  const { rows } = await sql<{ present: boolean }>`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS present`.execute(db);
  return rows[0]?.present ?? false;
}

/** The tables of this database that Citus distributes now. */
export async function distributedTables<Schema>(database: Kysely<Schema>): Promise<string[]> {
  const db = database as unknown as Kysely<unknown>;
  const { rows } = await sql<{ name: string }>`
    SELECT logicalrelid::regclass::text AS name FROM pg_dist_partition WHERE partmethod = 'h' ORDER BY 1`.execute(db);
  return rows.map((row) => row.name);
}

/**
 * Distributes the grid statistics that are not distributed yet (their rows move to the workers'
 * shards); answers the tables it distributed. Idempotent: the migrator calls it on every start.
 */
export async function distributeOnCitus<Schema>(database: Kysely<Schema>): Promise<string[]> {
  // Only catalogue functions and the named tables: the schema type does not matter.
  const db = database as unknown as Kysely<unknown>;
  if (!(await hasCitus(db))) return [];
  const already = new Set(await distributedTables(db));
  const [leader] = DISTRIBUTED_BY_GRID;
  const distributed: string[] = [];
  for (const table of DISTRIBUTED_BY_GRID) {
    if (already.has(table)) continue;
    const colocateWith = table === leader ? 'none' : leader;
    await sql`SELECT create_distributed_table(${table}::regclass, 'grid_code', colocate_with => ${colocateWith})`.execute(db);
    distributed.push(table);
  }
  return distributed;
}
