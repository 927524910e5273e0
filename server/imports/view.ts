import type { Engine } from '../db/connection.ts';
import { liveJobs, RUNNER_ID } from './live.ts';
import type { ImportJobRow } from './repository.ts';
import { jobOptions } from './previews.ts';
import type { ImportStatus } from '../domain/word-lists.ts';
import type { ImportJobView } from './contract.ts';

/** A job as the API shows it (the contract's importJob, which the web reads too). */
export type { ImportJobView };

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
