import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { detectCapabilities } from './db/capabilities.ts';
import { openDatabase, type DatabaseHandle } from './db/connection.ts';
import { migrateToLatest } from './db/migrator.ts';
import { logger } from './logger.ts';

/** Opens the configured database, brings its schema up to date and reports what it can do. */
export async function bootDatabase(config: Config): Promise<{ handle: DatabaseHandle; context: AppContext }> {
  const handle = await openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDir: config.pgliteDir,
    statementTimeoutMs: config.statementTimeoutMs,
  });
  const applied = await migrateToLatest(handle.db);
  if (applied.length > 0) logger.info('migrations applied', { applied });
  const capabilities = await detectCapabilities(handle.db);
  logger.info('database ready', { engine: handle.engine, ...capabilities });
  return { handle, context: { db: handle.db, engine: handle.engine, capabilities, config } };
}
