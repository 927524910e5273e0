import type { ColumnType, Generated } from 'kysely';
import type { ImportFormat, ImportKind, ImportStatus, TextEncoding } from '../domain/word-lists.ts';

/** Kysely types of the tables this feature owns (sql/0006_imports.sql); their word lists are in domain/word-lists.ts. Composed into DB in server/db/schema.ts. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ImportJobsTable {
  id: Generated<number>;
  kind: ImportKind;
  format: ImportFormat;
  crs: 'wgs84' | 'gcj02' | 'bd09';
  encoding: TextEncoding | null;
  file_name: string | null;
  file_bytes: number;
  status: Generated<ImportStatus>;
  rows_processed: Generated<number>;
  rows_total: number | null;
  rows_imported: Generated<number>;
  error_count: Generated<number>;
  message: string | null;
  created_by: number;
  runner: string;
  heartbeat_at: Timestamp;
  created_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface ImportJobErrorsTable {
  job_id: number;
  seq: number;
  row_number: number;
  field: string;
  reason: string;
}

export interface ImportJobKeysTable {
  job_id: number;
  key_hash: string;
  row_number: number;
}

export interface ImportTables {
  import_jobs: ImportJobsTable;
  import_job_errors: ImportJobErrorsTable;
  import_job_keys: ImportJobKeysTable;
}
