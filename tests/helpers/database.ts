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

function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const name of fs.readdirSync(SQL_DIR).sort()) hash.update(name).update(fs.readFileSync(path.join(SQL_DIR, name)));
  return hash.digest('hex').slice(0, 16);
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function adminQuery(statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
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

/** Builds the template once per run (PGlite: reused across runs while sql/ is unchanged). */
export async function prepareTemplate(): Promise<void> {
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
  if (TEST_DATABASE_URL) await dropWhenDisconnected(TEMPLATE_DB);
}

/** A fresh migrated database for one test file; close() removes it. */
export async function openTestDatabase(): Promise<DatabaseHandle> {
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  if (TEST_DATABASE_URL) {
    const name = `renwu_test_${suffix}`;
    await adminQuery([`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`]);
    const handle = await openDatabase({ databaseUrl: withDatabase(TEST_DATABASE_URL, name), poolSize: 8, sessionSettings: AUDIT_SESSION });
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
