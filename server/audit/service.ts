import { sql, type Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { Config } from '../config.ts';
import type { DB } from '../db/schema.ts';
import type { AuditAction, AuditTargetType } from '../domain/audit-vocabulary.ts';
import { chainHead, hashesAt, readCheckpoints, type Checkpoint } from './checkpoints.ts';

export interface AuditEntry {
  /** What was done: 'read', 'search', 'create', 'update', 'move_in', 'export', … (server/domain/audit-vocabulary.ts) */
  action: AuditAction;
  /** What it was done to: 'person', 'unit', 'building', … (server/domain/audit-vocabulary.ts) */
  targetType: AuditTargetType;
  /** The row's key (a person's numeric id, never an ID number). */
  targetId?: string | number | null;
  purpose?: string | null;
  /** Extra context; must not hold ID numbers, names or phone numbers. */
  details?: Record<string, unknown>;
}

/** Appends audit rows; the database trigger chains their hashes. Use inside the write's transaction. */
export async function recordAudit(db: Kysely<DB>, principal: Principal | undefined, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  await db
    .insertInto('audit_log')
    .values(
      list.map((entry) => ({
        user_id: principal?.userId ?? null,
        username: principal?.username ?? null,
        role: principal?.role ?? null,
        action: entry.action,
        target_type: entry.targetType,
        target_id: entry.targetId == null ? null : String(entry.targetId),
        purpose: entry.purpose ?? null,
        details: JSON.stringify(entry.details ?? {}),
      })),
    )
    .execute();
}

export interface ChainVerification {
  ok: boolean;
  rows: number;
  /** chain_seq of the first row whose stored hash or parent link does not match. */
  firstBrokenSeq: number | null;
}

/**
 * Recomputes every keyed hash in chain order; an edited, inserted or deleted row shows as a
 * break, and so does a row re-chained by anyone without the key. Needs a session holding the key.
 */
export async function verifyAuditChain(db: Kysely<DB>): Promise<ChainVerification> {
  const result = await sql<{ rows: number; first_broken: number | null }>`
    WITH ordered AS (
      SELECT a.chain_seq, a.hash, a.prev_hash,
             lag(a.hash) OVER (ORDER BY a.chain_seq) AS parent_hash,
             lag(a.chain_seq) OVER (ORDER BY a.chain_seq) AS parent_seq,
             audit_row_digest(a.prev_hash, a) AS recomputed
      FROM audit_log a)
    SELECT count(*)::int AS rows,
           min(chain_seq) FILTER (WHERE hash IS DISTINCT FROM recomputed
              OR prev_hash IS DISTINCT FROM coalesce(parent_hash, 'genesis')
              OR chain_seq IS DISTINCT FROM coalesce(parent_seq, 0) + 1) AS first_broken
    FROM ordered`.execute(db);
  const row = result.rows[0] ?? { rows: 0, first_broken: null };
  return { ok: row.first_broken === null, rows: row.rows, firstBrokenSeq: row.first_broken };
}

/** Rows the checkpoints outside the database recorded but the database no longer holds as recorded. */
export interface MissingTail {
  /** 'missing': the log ends before the checkpoint's row; 'replaced': that row exists with another hash. */
  kind: 'missing' | 'replaced';
  /** The rows after this chain_seq are gone or rewritten (the last row still agreeing with the checkpoints). */
  afterSeq: number;
  /** The checkpoint that shows it: when it was taken and the chain_seq it recorded. */
  checkpointAt: string;
  checkpointSeq: number;
}

export interface TrailVerification extends ChainVerification {
  /** The database's newest chain_seq (0 when empty). */
  headSeq: number;
  missingTail: MissingTail | null;
  checkpoints: {
    /** Lines of the checkpoint file whose mac verifies. */
    valid: number;
    /** Lines that are not a checkpoint made with the key (edited, forged or torn). */
    invalid: number;
    latest: { at: string; seq: number } | null;
  };
}

/**
 * What the auditor's "verify" answers: the keyed chain, and the chain against the keyed
 * checkpoints kept outside the database, so truncation and deleted newest rows are caught too.
 */
export async function verifyAuditTrail(db: Kysely<DB>, config: Config): Promise<TrailVerification> {
  const chain = await verifyAuditChain(db);
  const { valid, invalid } = readCheckpoints(config);
  const head = await chainHead(db);
  const missingTail = await findMissingTail(db, valid, head.seq);
  const latest = valid.reduce<Checkpoint | undefined>((found, point) => (!found || point.seq >= found.seq ? point : found), undefined);
  return {
    ...chain,
    ok: chain.ok && missingTail === null,
    headSeq: head.seq,
    missingTail,
    checkpoints: { valid: valid.length, invalid, latest: latest ? { at: latest.at, seq: latest.seq } : null },
  };
}

async function findMissingTail(db: Kysely<DB>, checkpoints: Checkpoint[], headSeq: number): Promise<MissingTail | null> {
  const recorded = [...checkpoints].filter((point) => point.seq > 0).sort((a, b) => a.seq - b.seq);
  const stored = await hashesAt(db, [...new Set(recorded.map((point) => point.seq))]);
  let lastAgreeing = 0;
  for (const point of recorded) {
    const hash = stored.get(point.seq);
    if (hash === point.head) {
      lastAgreeing = point.seq;
    } else if (hash === undefined && point.seq > headSeq) {
      // Report against the newest checkpoint: it says how far the log reached.
      const newest = recorded.at(-1)!;
      return { kind: 'missing', afterSeq: headSeq, checkpointAt: newest.at, checkpointSeq: newest.seq };
    } else {
      return { kind: hash === undefined ? 'missing' : 'replaced', afterSeq: lastAgreeing, checkpointAt: point.at, checkpointSeq: point.seq };
    }
  }
  return null;
}
