import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { DB } from '../db/schema.ts';
import { logger } from '../logger.ts';
import { linkPendingBatch } from './repository.ts';

/**
 * The audit chain's sequencer (issue #19, docs/audit.md). Requests insert their audit rows
 * unlinked and take no lock; this links the committed ones to the keyed chain in batches, in the
 * database (audit_link_pending, sql/0022_audit_sequencer.sql), one sequencer at a time across
 * all server processes.
 */

/** Rows linked per transaction: long enough to be cheap, short enough to keep a batch under a second. */
const BATCH_ROWS = 20_000;

export interface LinkOutcome {
  /** Rows linked by this call. */
  linked: number;
  /** True when another process's sequencer held the lock, so this one linked nothing. */
  busy: boolean;
}

/** Links every committed unlinked row (several batches when the backlog is long). */
export async function linkPending(db: Kysely<DB>): Promise<LinkOutcome> {
  let linked = 0;
  for (;;) {
    const batch = await linkPendingBatch(db, BATCH_ROWS);
    if (batch < 0) return { linked, busy: true };
    linked += batch;
    if (batch < BATCH_ROWS) return { linked, busy: false };
  }
}

export interface AuditSequencer {
  /** Stops the timer and links what is left (at shutdown). */
  stop(): Promise<void>;
}

/** Links every AUDIT_LINK_INTERVAL_MS; runs never overlap inside this process. */
export function startAuditSequencer(db: Kysely<DB>, config: Config): AuditSequencer {
  let running: Promise<unknown> = Promise.resolve();
  const link = () => {
    running = running
      .then(() => linkPending(db))
      .catch((error: unknown) => logger.error('audit sequencer failed', { error: error instanceof Error ? error.message : String(error) }));
    return running;
  };
  void link();
  const timer = setInterval(() => void link(), config.auditLinkIntervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await link();
    },
  };
}
