import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import type { Capabilities } from './db/capabilities.ts';
import type { Engine } from './db/connection.ts';
import type { DB } from './db/schema.ts';

/** An import job's progress, just saved after one batch of its validation pass. */
export interface ImportBatchSaved {
  jobId: number;
  rowsProcessed: number;
}

/** What every feature gets: the database, what it can do, and the configuration. */
export interface AppContext {
  db: Kysely<DB>;
  engine: Engine;
  capabilities: Capabilities;
  config: Config;
  /**
   * Tests only (ImportGate in tests/helpers/import-files.ts): awaited after each validation batch
   * of an import is saved, so a test can hold a job part-way for certain. The server leaves it unset.
   */
  afterImportBatch?: (saved: ImportBatchSaved) => Promise<void>;
}
