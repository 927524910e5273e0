import { sql, type Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';

export interface AuditEntry {
  /** What was done: 'read', 'search', 'create', 'update', 'move_in', 'export', … */
  action: string;
  /** What it was done to: 'person', 'unit', 'building', 'permit', … */
  targetType: string;
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

/** Recomputes every hash in chain order; an edited, inserted or deleted row shows as a break. */
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
