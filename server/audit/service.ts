import type { Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { Config } from '../config.ts';
import type { DB } from '../db/schema.ts';
import type { AuditAction, AuditTargetType } from '../domain/audit-vocabulary.ts';
import { checkpointsOfDatabase, latestCheckpoint, readCheckpoints, type Checkpoint } from './checkpoints.ts';
import { chainHead, hashesAt, insertAuditRows, linkedSeqBounds, readAuditDatabaseId, unlinkedRows, verifyChainRange } from './repository.ts';

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

/**
 * Appends audit rows, unlinked and without any lock, inside the write's transaction (so no audited
 * write or read exists without its row); the sequencer links them to the keyed chain (sequencer.ts).
 */
export async function recordAudit(db: Kysely<DB>, principal: Principal | undefined, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  await insertAuditRows(
    db,
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
  );
}

export interface ChainVerification {
  ok: boolean;
  /** Linked rows checked (the chain; rows not yet linked are counted in `unlinked`). */
  rows: number;
  /** chain_seq of the first row whose stored hash or parent link does not match. */
  firstBrokenSeq: number | null;
  /** Committed rows the sequencer has not linked yet (normally under a second old). */
  unlinked: UnlinkedTail;
}

export interface UnlinkedTail {
  rows: number;
  /** When the oldest of them was written (ISO 8601), null when none. */
  oldestAt: string | null;
  /** Its age in seconds when verified: above AUDIT_LINK_INTERVAL_MS means the sequencer is behind or stopped. */
  oldestAgeSeconds: number | null;
}

/** Ranges of chain_seq verified at once, on separate connections where the engine has several. */
const VERIFY_PARTS = 4;
/**
 * At most this many rows per query (≈ 5 µs of CPU a row), so that each query stays well inside
 * the statement timeout (15 s) on a loaded machine however long the log grows.
 */
const ROWS_PER_QUERY = 250_000;

/**
 * Recomputes every linked row's keyed hash in chain order; an edited, inserted or deleted row
 * shows as a break, and so does a row re-chained by anyone without the key. Rows not yet linked
 * by the sequencer are reported apart. Needs a session holding the key. The chain is checked in
 * ranges of chain_seq of at most ROWS_PER_QUERY rows, VERIFY_PARTS at once, each also reading the
 * row before it for its first link.
 */
export async function verifyAuditChain(db: Kysely<DB>): Promise<ChainVerification> {
  const { bounds, unlinked } = await chainExtent(db);
  const { low, high } = bounds;
  const ranges = splitRange(low, Math.max(low, high));
  const parts = await inParallel(
    ranges.map(
      ([first, last]) =>
        () =>
          verifyChainRange(db, first, last, first === low),
    ),
    VERIFY_PARTS,
  );
  const broken = parts.map((part) => part.firstBroken).filter((seq): seq is number => seq !== null);
  const firstBrokenSeq = broken.length ? Math.min(...broken) : null;
  return { ok: firstBrokenSeq === null, rows: parts.reduce((sum, part) => sum + part.rows, 0), firstBrokenSeq, unlinked };
}

/**
 * The linked rows' range and the unlinked tail, read in one snapshot: a row the sequencer links
 * while the chain is checked counts once, in the one or the other (read one after the other, a
 * batch linked in between counted in neither: Citus CI, 64 rows checked and none unlinked of 80).
 * Rows up to `high` never change once linked, so the ranges may be checked outside this snapshot.
 */
async function chainExtent(db: Kysely<DB>): Promise<{ bounds: { low: number; high: number }; unlinked: UnlinkedTail }> {
  const read = async (reader: Kysely<DB>) => ({ bounds: await linkedSeqBounds(reader), unlinked: await unlinkedTail(reader) });
  // Inside a caller's transaction (tests that tamper and roll back), that transaction is the view.
  if (db.isTransaction) return read(db);
  return db.transaction().setIsolationLevel('repeatable read').execute(read);
}

/** first..last in VERIFY_PARTS consecutive ranges, more when one would exceed ROWS_PER_QUERY. */
function splitRange(first: number, last: number): Array<[number, number]> {
  const count = Math.max(VERIFY_PARTS, Math.ceil((last - first + 1) / ROWS_PER_QUERY));
  const size = Math.max(1, Math.ceil((last - first + 1) / count));
  const ranges: Array<[number, number]> = [];
  for (let start = first; start <= last; start += size) ranges.push([start, Math.min(last, start + size - 1)]);
  return ranges;
}

/** Runs the tasks, at most `limit` at a time; their results in order. */
async function inParallel<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

async function unlinkedTail(db: Kysely<DB>): Promise<UnlinkedTail> {
  const row = await unlinkedRows(db);
  return {
    rows: row?.rows ?? 0,
    oldestAt: row?.oldest_at ? new Date(row.oldest_at).toISOString() : null,
    oldestAgeSeconds: row?.age ?? null,
  };
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
  /** The newest linked chain_seq (0 when none). */
  headSeq: number;
  missingTail: MissingTail | null;
  checkpoints: {
    /** Lines of the checkpoint file whose mac verifies, of this database (or of none named). */
    valid: number;
    /** Lines that are not a checkpoint made with the key (edited, forged or torn). */
    invalid: number;
    /** Lines whose mac verifies but that name another database (served once from the same DATA_DIR): not compared. */
    otherDatabases: number;
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
  const { own, otherDatabases } = checkpointsOfDatabase(valid, await readAuditDatabaseId(db));
  const head = await chainHead(db);
  const missingTail = await findMissingTail(db, own, head.seq);
  const latest = latestCheckpoint(own);
  return {
    ...chain,
    ok: chain.ok && missingTail === null,
    headSeq: head.seq,
    missingTail,
    checkpoints: { valid: own.length, invalid, otherDatabases, latest: latest ? { at: latest.at, seq: latest.seq } : null },
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
