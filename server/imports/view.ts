import type { Engine } from '../db/connection.ts';
import { liveJobs, RUNNER_ID } from './live.ts';
import type { ImportJobRow } from './repository.ts';
import type { CoordinateSystem } from '../domain/coordinates.ts';
import { jobOptions } from './previews.ts';
import type { ImportFormat, ImportKind, ImportMode, ImportStatus, TextEncoding } from './tables.ts';

/** A job as the API shows it (web/src/lib/imports reads this type): the stored row, with live progress when this process runs it. */
export interface ImportJobView {
  id: number;
  kind: ImportKind;
  format: ImportFormat;
  crs: CoordinateSystem;
  encoding: TextEncoding | null;
  fileName: string | null;
  fileBytes: number;
  status: ImportStatus;
  rowsProcessed: number;
  /** Known once validation has read the whole file. */
  rowsTotal: number | null;
  rowsImported: number;
  errorCount: number;
  message: string | null;
  /** 0…1 for a progress bar: validation is the first half, the import the second; null when unknown. */
  progress: number | null;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
  reportUrl: string;
  /** add or upsert, and whether the job only previews (issue 16.9); known for the jobs this process ran recently. */
  mode: ImportMode;
  preview: boolean;
}

const ACTIVE: ReadonlySet<ImportStatus> = new Set(['queued', 'validating', 'importing']);
/** A job whose process has said nothing for this long has died with it. */
const SILENT_FOR_MS = 5 * 60 * 1000;

/**
 * A job left active by a process that is gone: its transaction died with it, so nothing was
 * imported. The embedded database has one process, so there any other runner is gone.
 */
function wasInterrupted(job: ImportJobRow, engine: Engine, now: number): boolean {
  if (!ACTIVE.has(job.status) || job.runner === RUNNER_ID) return false;
  return engine === 'pglite' || now - new Date(job.heartbeat_at).getTime() > SILENT_FOR_MS;
}

function progressOf(status: ImportStatus, fileBytes: number, rowsProcessed: number, rowsTotal: number | null, bytesRead: number | undefined): number | null {
  if (status === 'queued') return 0;
  if (status === 'done') return 1;
  if (status === 'validating') return bytesRead === undefined ? null : 0.5 * Math.min(1, bytesRead / fileBytes);
  if (status === 'importing') return rowsTotal ? 0.5 + 0.5 * Math.min(1, rowsProcessed / rowsTotal) : 0.5;
  return null;
}

export function jobView(job: ImportJobRow, engine: Engine, now = Date.now()): ImportJobView {
  const live = liveJobs.get(job.id);
  const interrupted = !live && wasInterrupted(job, engine, now);
  const status: ImportStatus = interrupted ? 'failed' : (live?.status ?? job.status);
  const rowsProcessed = live?.rowsProcessed ?? job.rows_processed;
  const rowsTotal = live?.rowsTotal ?? job.rows_total;
  return {
    id: job.id,
    kind: job.kind,
    format: job.format,
    crs: job.crs,
    encoding: job.encoding,
    fileName: job.file_name,
    fileBytes: job.file_bytes,
    status,
    rowsProcessed,
    rowsTotal,
    rowsImported: job.rows_imported,
    errorCount: job.error_count,
    message: interrupted ? 'the server stopped before the job finished; nothing was imported' : job.message,
    progress: progressOf(status, job.file_bytes, rowsProcessed, rowsTotal, live?.bytesRead()),
    createdBy: job.created_by_username,
    createdAt: new Date(job.created_at).toISOString(),
    finishedAt: job.finished_at ? new Date(job.finished_at).toISOString() : null,
    reportUrl: `/api/imports/${job.id}/report.csv`,
    ...(jobOptions.get(job.id) ?? { mode: 'add', preview: false }),
  };
}
