import { randomUUID } from 'node:crypto';
import type { ImportStatus } from '../domain/word-lists.ts';

/**
 * Progress of the jobs this process is running, for the status endpoint. The table has it too,
 * saved per batch, but the import pass holds its transaction (on the embedded database, the
 * only connection) until the end: between batches only this process can tell how far it got.
 */
export interface LiveProgress {
  status: ImportStatus;
  rowsProcessed: number;
  rowsTotal: number | null;
  /** Bytes of the file read so far by the current pass. */
  bytesRead: () => number;
}

class LiveJobs {
  private readonly jobs = new Map<number, LiveProgress>();

  start(id: number): void {
    this.jobs.set(id, { status: 'queued', rowsProcessed: 0, rowsTotal: null, bytesRead: () => 0 });
  }

  update(id: number, changes: Partial<LiveProgress>): void {
    const job = this.jobs.get(id);
    if (job) Object.assign(job, changes);
  }

  finish(id: number): void {
    this.jobs.delete(id);
  }

  get(id: number): LiveProgress | undefined {
    return this.jobs.get(id);
  }

  /** Whether any job is queued or running here (tests wait for this before closing the database). */
  get busy(): boolean {
    return this.jobs.size > 0;
  }
}

export const liveJobs = new LiveJobs();

/** This process, as written on the jobs it accepts (import_jobs.runner). */
export const RUNNER_ID = randomUUID();
