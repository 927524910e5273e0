import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { postgis } from '@electric-sql/pglite-postgis';
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
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
  /**
   * Opens every connection of the pool now (PostgreSQL; nothing to do for the embedded engine), so
   * that the first requests after a start meet warm backends, not ones still starting up.
   */
  openConnections(): Promise<void>;
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

/**
 * Run once on every new connection: a backend's first coordinate transform starts PROJ (~45 ms, and
 * more with other work on the cores), which would land on whichever request first drew a map tile
 * on that connection (issue 18: statistics tiles planned in 100 ms). Skipped before PostGIS exists
 * (the migrator's first connection): PL/pgSQL compiles the PERFORM only when it runs.
 */
const WARM_UP_POSTGIS =
  "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis') THEN PERFORM ST_Transform(ST_SetSRID(ST_MakePoint(114, 22.5), 4326), 3857); END IF; END $$";

function openPostgres(databaseUrl: string, options: OpenOptions): DatabaseHandle {
  pg.types.setTypeParser(OID.int8, Number);
  pg.types.setTypeParser(OID.numeric, Number);
  pg.types.setTypeParser(OID.date, keepDateText);
  const poolSize = options.poolSize ?? 10;
  const setup = sessionSettingsQuery(options.sessionSettings);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    // A connection, once opened and warmed, is kept (pg closes idle ones after 10 s by default):
    // after a quiet minute the next requests would each start a backend again.
    min: poolSize,
    statement_timeout: options.statementTimeoutMs ?? 15000,
    // The pool's own hook, not Kysely's onCreateConnection: when it fails, pg-pool ends the client
    // and fails the checkout. Kysely's hook runs on a checked-out client and leaves it checked out
    // when it throws, so closing the pool then waited forever (a start-up hung with no error).
    onConnect: async (client) => {
      if (setup) await client.query(setup.sql, [...setup.parameters]);
      await client.query(WARM_UP_POSTGIS);
    },
  });
  // An idle pooled connection can be ended by the server (restart, pg_terminate_backend); the
  // pool drops it and opens another, so this must not become an uncaught exception.
  pool.on('error', (error) => logger.warn('idle database connection closed by the server', { reason: error.message }));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  // Holding every connection at once makes the pool open (and warm) all of them.
  const openConnections = async () => {
    await Promise.all(
      Array.from({ length: poolSize }, () => db.connection().execute((connection) => connection.executeQuery(CompiledQuery.raw('SELECT pg_sleep(0.01)')))),
    );
  };
  return { db, engine: 'postgres', openConnections, close: () => db.destroy() };
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
  return { db, engine: 'pglite', pglite, openConnections: async () => undefined, close: () => db.destroy() };
}
