import { auditKeyFor, auditSessionSettings } from './audit/key.ts';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { detectCapabilities } from './db/capabilities.ts';
import { openDatabase, type DatabaseHandle } from './db/connection.ts';
import { migrateToLatest } from './db/migrator.ts';
import { grantServerRole, roleOfUrl, warnIfServerOwnsAuditLog } from './db/roles.ts';
import { logger } from './logger.ts';

export interface BootedDatabase {
  /** The server's connection (DATABASE_URL's role, or PGlite). */
  handle: DatabaseHandle;
  context: AppContext;
  /**
   * Only with MIGRATION_DATABASE_URL: the owner's connection, still open for work that needs
   * ownership (generating the demo city disables triggers); the caller closes it.
   */
  owner?: { handle: DatabaseHandle; context: AppContext };
}

/** Opens the configured database, brings its schema up to date and reports what it can do. */
export async function bootDatabase(config: Config): Promise<BootedDatabase> {
  // Every session carries the audit key's pads: the chain trigger refuses to append without them.
  const sessionSettings = auditSessionSettings(auditKeyFor(config));
  const open = (databaseUrl: string | undefined) =>
    openDatabase({ databaseUrl, pgliteDir: config.pgliteDir, statementTimeoutMs: config.statementTimeoutMs, sessionSettings });
  const owner = config.migrationDatabaseUrl ? await open(config.migrationDatabaseUrl) : undefined;
  let handle: DatabaseHandle | undefined;
  try {
    const applied = await migrateToLatest((owner ?? (handle = await open(config.databaseUrl))).db);
    if (applied.length > 0) logger.info('migrations applied', { applied });
    if (owner) await grantServerRole(owner.db, roleOfUrl(config.databaseUrl!));
    handle ??= await open(config.databaseUrl);
    if (handle.engine === 'postgres') await warnIfServerOwnsAuditLog(handle.db);
    const capabilities = await detectCapabilities(handle.db);
    logger.info('database ready', { engine: handle.engine, ...capabilities });
    const context: AppContext = { db: handle.db, engine: handle.engine, capabilities, config };
    return { handle, context, owner: owner && { handle: owner, context: { ...context, db: owner.db } } };
  } catch (error) {
    await owner?.close();
    await handle?.close();
    throw error;
  }
}
