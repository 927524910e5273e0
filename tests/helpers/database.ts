import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { auditSessionSettings } from '../../server/audit/key.ts';
import { openDatabase, type DatabaseHandle } from '../../server/db/connection.ts';
import { migrateToLatest, SQL_DIR } from '../../server/db/migrator.ts';

/**
 * Each test file gets its own fresh, migrated database: a copy of a template that global
 * setup migrates once. PGlite by default; real PostgreSQL+PostGIS when TEST_DATABASE_URL is set.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const ENGINE_UNDER_TEST = TEST_DATABASE_URL ? 'postgres' : 'pglite';
const TEMPLATE_ROOT = path.resolve('data/test-template');
/** The audit chain's key in tests: test databases' sessions hold it, startTestApp's config names it. */
export const TEST_AUDIT_HMAC_KEY = 'renwu-test-audit-key-0123456789abcdef';
const AUDIT_SESSION = auditSessionSettings(Buffer.from(TEST_AUDIT_HMAC_KEY, 'utf8'));
// One template per test run (global setup names it before the workers start), so that two runs
// on one PostgreSQL server never drop each other's template.
const TEMPLATE_DB = process.env.RENWU_TEST_TEMPLATE_DB ?? 'renwu_test_template';

/** The migrations, as the migrator picks them (sql/snapshots/ holds the hot paths' SQL, not migrations). */
const isMigrationFile = (name: string) => /^\d{4}_.+\.sql$/.test(name);

function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const name of fs.readdirSync(SQL_DIR).filter(isMigrationFile).sort()) hash.update(name).update(fs.readFileSync(path.join(SQL_DIR, name)));
  return hash.digest('hex').slice(0, 16);
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function adminQuery(statements: string[]): Promise<void> {
  await queryAt(TEST_DATABASE_URL!, statements);
}

/**
 * pg's pool.end() resolves before its sockets are closed, so a forced DROP at once would kill
 * backends still saying goodbye and their clients would raise "terminating connection due to
 * administrator command" as unhandled errors. Wait (briefly) for them to leave first.
 */
async function dropWhenDisconnected(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const { rows } = await client.query('SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = $1', [name]);
      if (rows[0].open === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

interface CitusNode {
  host: string;
  port: number;
  isCoordinator: boolean;
}

/**
 * The nodes of the Citus cluster TEST_DATABASE_URL's database belongs to; undefined on plain
 * PostgreSQL. A Citus database cannot be copied from a template (its metadata names shards that
 * live in the workers' databases of the template's name), so on Citus each test file gets a new
 * database (created on every node by CREATE DATABASE propagation), joined to the same nodes and
 * migrated, which distributes its tables (sql/0027_citus.sql).
 */
async function citusNodes(): Promise<CitusNode[] | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows: extension } = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
    if (extension.length === 0) return undefined;
    const { rows } = await client.query('SELECT nodename, nodeport, groupid FROM pg_dist_node ORDER BY groupid');
    return rows.map((row) => ({ host: row.nodename, port: row.nodeport, isCoordinator: row.groupid === 0 }));
  } finally {
    await client.end();
  }
}

let citusCluster: Promise<CitusNode[] | undefined> | undefined;
export const onCitus = (): Promise<CitusNode[] | undefined> => (citusCluster ??= TEST_DATABASE_URL ? citusNodes() : Promise.resolve(undefined));

async function queryAt(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

function onNode(node: CitusNode, name: string): string {
  const parsed = new URL(withDatabase(TEST_DATABASE_URL!, name));
  parsed.hostname = node.host;
  parsed.port = String(node.port);
  return parsed.toString();
}

/**
 * Makes a new database on every node of the cluster and registers the nodes in it. CREATE
 * DATABASE reaches the workers (citus.enable_create_database_propagation), their citus extension
 * does not: each worker gets it before it is added (postgis then follows from the coordinator).
 */
async function createCitusDatabase(name: string, nodes: CitusNode[]): Promise<void> {
  await adminQuery([`CREATE DATABASE ${name}`]);
  for (const worker of nodes.filter((node) => !node.isCoordinator)) await queryAt(onNode(worker, name), ['CREATE EXTENSION citus']);
  const client = new pg.Client({ connectionString: withDatabase(TEST_DATABASE_URL!, name) });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION citus');
    await client.query('CREATE EXTENSION postgis');
    for (const node of nodes) {
      if (node.isCoordinator) await client.query('SELECT citus_set_coordinator_host($1, $2)', [node.host, node.port]);
      else await client.query('SELECT citus_add_node($1, $2)', [node.host, node.port]);
    }
  } finally {
    await client.end();
  }
}

/** Builds the template once per run (PGlite: reused across runs while sql/ is unchanged). */
export async function prepareTemplate(): Promise<void> {
  if (TEST_DATABASE_URL && (await onCitus())) return; // no template on Citus: see citusNodes
  if (TEST_DATABASE_URL) {
    await adminQuery([`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`, `CREATE DATABASE ${TEMPLATE_DB}`]);
    const handle = await openDatabase({ databaseUrl: withDatabase(TEST_DATABASE_URL, TEMPLATE_DB), sessionSettings: AUDIT_SESSION });
    await migrateToLatest(handle.db);
    await handle.close();
    return;
  }
  const directory = path.join(TEMPLATE_ROOT, migrationsFingerprint());
  if (fs.existsSync(path.join(directory, 'ready'))) return;
  // Built aside and renamed into place, so a concurrent run never copies a half-built template.
  const building = `${directory}.building-${process.pid}`;
  fs.rmSync(building, { recursive: true, force: true });
  fs.mkdirSync(building, { recursive: true });
  const handle = await openDatabase({ pgliteDir: path.join(building, 'db'), sessionSettings: AUDIT_SESSION });
  await migrateToLatest(handle.db);
  await handle.close();
  fs.writeFileSync(path.join(building, 'ready'), new Date().toISOString());
  try {
    fs.renameSync(building, directory);
  } catch {
    fs.rmSync(building, { recursive: true, force: true }); // another run got there first
  }
}

/** Drops this run's PostgreSQL template (global teardown). */
export async function dropTemplate(): Promise<void> {
  if (TEST_DATABASE_URL && !(await onCitus())) await dropWhenDisconnected(TEMPLATE_DB);
}

/**
 * A fresh empty database on TEST_DATABASE_URL's server for a whole real server (the browser
 * journeys boot and migrate it as `npm start` does): its address, and drop() to remove it.
 */
export async function createScratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `renwu_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  const citus = await onCitus();
  if (citus) await createCitusDatabase(name, citus);
  else await adminQuery([`CREATE DATABASE ${name}`]);
  return { url: withDatabase(TEST_DATABASE_URL!, name), drop: () => dropWhenDisconnected(name) };
}

/** A fresh migrated database for one test file; close() removes it. */
export async function openTestDatabase(): Promise<DatabaseHandle> {
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  if (TEST_DATABASE_URL) {
    const name = `renwu_test_${suffix}`;
    const citus = await onCitus();
    if (citus) await createCitusDatabase(name, citus);
    else await adminQuery([`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`]);
    const handle = await openDatabase({ databaseUrl: withDatabase(TEST_DATABASE_URL, name), poolSize: 8, sessionSettings: AUDIT_SESSION });
    if (citus) await migrateToLatest(handle.db);
    return {
      ...handle,
      close: async () => {
        await handle.close();
        await dropWhenDisconnected(name);
      },
    };
  }
  const copy = path.join(os.tmpdir(), `renwu-test-${suffix}`);
  fs.cpSync(path.join(TEMPLATE_ROOT, migrationsFingerprint(), 'db'), copy, { recursive: true });
  const handle = await openDatabase({ pgliteDir: copy, sessionSettings: AUDIT_SESSION });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      fs.rmSync(copy, { recursive: true, force: true });
    },
  };
}
