import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { postgis } from '@electric-sql/pglite-postgis';
import { CompiledQuery, Kysely, PostgresDialect, type DatabaseConnection } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';
import { logger } from '../logger.ts';
import type { DB } from './schema.ts';

export type Engine = 'pglite' | 'postgres';

export interface DatabaseHandle {
  readonly db: Kysely<DB>;
  readonly engine: Engine;
  /** Only for the embedded engine: bulk loads use its COPY-from-blob path. */
  readonly pglite?: PGlite;
  close(): Promise<void>;
}

// Postgres type OIDs whose default JS mapping we change so both engines return the same shapes.
const OID = { int8: 20, numeric: 1700, date: 1082 } as const;

/** Dates stay 'YYYY-MM-DD' strings: a calendar date has no time zone to shift it. */
const keepDateText = (value: string) => value;

export interface OpenOptions {
  databaseUrl?: string;
  /** PGlite data directory, or 'memory://' for a throwaway database. */
  pgliteDir?: string;
  statementTimeoutMs?: number;
  poolSize?: number;
  /**
   * Custom settings (name → value) every session gets before its first query, e.g. the audit
   * chain's HMAC pads. Sent as bind parameters, so values never appear in SQL text or pg_stat_activity.
   */
  sessionSettings?: Record<string, string>;
}

/** One parameterised set_config per setting, or undefined when there are none. */
function sessionSettingsQuery(settings: Record<string, string> | undefined): CompiledQuery | undefined {
  const entries = Object.entries(settings ?? {});
  if (entries.length === 0) return undefined;
  const calls = entries.map((_, index) => `set_config($${2 * index + 1}, $${2 * index + 2}, false)`);
  return CompiledQuery.raw(`SELECT ${calls.join(', ')}`, entries.flat());
}

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openPglite(options.pgliteDir ?? 'memory://', sessionSettingsQuery(options.sessionSettings));
}

function openPostgres(databaseUrl: string, options: OpenOptions): DatabaseHandle {
  pg.types.setTypeParser(OID.int8, Number);
  pg.types.setTypeParser(OID.numeric, Number);
  pg.types.setTypeParser(OID.date, keepDateText);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 15000,
  });
  // An idle pooled connection can be ended by the server (restart, pg_terminate_backend); the
  // pool drops it and opens another, so this must not become an uncaught exception.
  pool.on('error', (error) => logger.warn('idle database connection closed by the server', { reason: error.message }));
  const setup = sessionSettingsQuery(options.sessionSettings);
  const onCreateConnection = setup ? async (connection: DatabaseConnection) => void (await connection.executeQuery(setup)) : undefined;
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool, onCreateConnection }) });
  return { db, engine: 'postgres', close: () => db.destroy() };
}

async function openPglite(dataDir: string, setup: CompiledQuery | undefined): Promise<DatabaseHandle> {
  if (!dataDir.startsWith('memory://')) {
    // PGlite creates only the last folder of its path.
    fs.mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  }
  const pglite = await PGlite.create(dataDir, {
    extensions: { postgis, pg_trgm },
    parsers: { [OID.int8]: Number, [OID.numeric]: Number, [OID.date]: keepDateText },
  });
  // PGlite is one session: its settings are made once, here.
  if (setup) await pglite.query(setup.sql, [...setup.parameters]);
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return { db, engine: 'pglite', pglite, close: () => db.destroy() };
}
