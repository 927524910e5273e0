import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type Kysely } from 'kysely';
import type { AuditLogTable, DB } from '../db/schema.ts';

/** One audit row as written: who (copied, so a renamed or deleted user's rows still say who), what, to what; the chain columns are the sequencer's. */
export type AuditRowValues = Required<
  Pick<Insertable<AuditLogTable>, 'user_id' | 'username' | 'role' | 'action' | 'target_type' | 'target_id' | 'purpose' | 'details'>
>;

/** Appends rows unlinked; the sequencer links them to the chain (sequencer.ts). */
export async function insertAuditRows(db: Kysely<DB>, rows: AuditRowValues[]): Promise<void> {
  await db.insertInto('audit_log').values(rows).execute();
}

/** What the auditor filters the log by; `before` is a seq (keyset paging, newest first). */
export interface AuditFilter {
  limit: number;
  before?: number | undefined;
  username?: string | undefined;
  action?: string | undefined;
  targetType?: string | undefined;
  /** Instants: the first city day's start and the day after the last day's start. */
  from?: Date | undefined;
  until?: Date | undefined;
}

export function auditPage(db: Kysely<DB>, filter: AuditFilter) {
  let query = db
    .selectFrom('audit_log')
    .select(['id as seq', 'chain_seq', 'at', 'username', 'role', 'action', 'target_type', 'target_id', 'purpose', 'details', 'hash'])
    .orderBy('id', 'desc')
    .limit(filter.limit);
  if (filter.before) query = query.where('id', '<', filter.before);
  if (filter.username) query = query.where('username', '=', filter.username);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.targetType) query = query.where('target_type', '=', filter.targetType);
  if (filter.from) query = query.where('at', '>=', filter.from);
  if (filter.until) query = query.where('at', '<', filter.until);
  return query.execute();
}

/** The chain's newest linked row (seq 0 / 'genesis' when none); rows the sequencer has not linked are not in it yet. */
export async function chainHead(db: Kysely<DB>): Promise<{ seq: number; head: string }> {
  const row = await db
    .selectFrom('audit_log')
    .select(['chain_seq', 'hash'])
    .where('chain_seq', 'is not', null)
    .orderBy('chain_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return { seq: Number(row?.chain_seq ?? 0), head: row?.hash ?? 'genesis' };
}

/** The stored hash of each of these rows (absent rows left out). */
export async function hashesAt(db: Kysely<DB>, seqs: number[]): Promise<Map<number, string>> {
  if (seqs.length === 0) return new Map();
  const rows = await sql<{ seq: number; hash: string | null }>`
    SELECT a.chain_seq AS seq, a.hash FROM audit_log a
    WHERE a.chain_seq IN (SELECT value::bigint FROM jsonb_array_elements_text(${JSON.stringify(seqs)}::jsonb))`.execute(db);
  return new Map(rows.rows.map((row) => [Number(row.seq), row.hash ?? '']));
}

// ---------------------------------------------------------------- verification and the sequencer (issue 19)

/** The lowest (1 at most) and highest chain_seq of the linked rows; an empty chain is 1..0. */
export async function linkedSeqBounds(db: Kysely<DB>): Promise<{ low: number; high: number }> {
  const bounds = await sql<{ low: number | null; high: number | null }>`
    SELECT least(min(chain_seq), 1)::bigint AS low, max(chain_seq)::bigint AS high FROM audit_log WHERE chain_seq IS NOT NULL`.execute(db);
  return { low: Number(bounds.rows[0]?.low ?? 1), high: Number(bounds.rows[0]?.high ?? 0) };
}

/**
 * Checks rows first..last (and their links to the row before); the first range starts at genesis.
 * Each row's keyed hash is recomputed set-based with the session's HMAC pads (audit_hmac_pads).
 */
export async function verifyChainRange(
  db: Kysely<DB>,
  first: number,
  last: number,
  fromGenesis: boolean,
): Promise<{ rows: number; firstBroken: number | null }> {
  const result = await sql<{ rows: number; first_broken: string | null }>`
    WITH ordered AS (
      SELECT a.chain_seq, a.hash, a.prev_hash,
             lag(a.hash) OVER chain AS parent_hash,
             lag(a.chain_seq) OVER chain AS parent_seq,
             encode(sha256(p.outer_pad || sha256(p.inner_pad || convert_to(audit_row_message(a.prev_hash, a), 'UTF8'))), 'hex') AS recomputed
      FROM audit_log a CROSS JOIN audit_hmac_pads() p
      WHERE a.chain_seq BETWEEN ${fromGenesis ? first : first - 1} AND ${last}
      WINDOW chain AS (ORDER BY a.chain_seq))
    SELECT count(*)::int AS rows,
           min(chain_seq) FILTER (WHERE hash IS DISTINCT FROM recomputed
              OR prev_hash IS DISTINCT FROM coalesce(parent_hash, 'genesis')
              OR chain_seq IS DISTINCT FROM coalesce(parent_seq, 0) + 1) AS first_broken
    FROM ordered WHERE chain_seq >= ${first}`.execute(db);
  const row = result.rows[0];
  return { rows: row?.rows ?? 0, firstBroken: row?.first_broken == null ? null : Number(row.first_broken) };
}

/** How many rows wait for the sequencer, the oldest's time and its age in seconds. */
export async function unlinkedRows(db: Kysely<DB>): Promise<{ rows: number; oldest_at: Date | null; age: number | null } | undefined> {
  const result = await sql<{ rows: number; oldest_at: Date | null; age: number | null }>`
    SELECT count(*)::int AS rows, min(at) AS oldest_at,
           round(extract(epoch FROM clock_timestamp() - min(at))::numeric, 3)::float8 AS age
    FROM audit_log WHERE chain_seq IS NULL`.execute(db);
  return result.rows[0];
}

/** One sequencer batch (sql/0027): the rows linked, or −1 when another sequencer holds the lock. */
export async function linkPendingBatch(db: Kysely<DB>, maxRows: number): Promise<number> {
  const result = await sql<{ linked: number }>`SELECT audit_link_pending(${maxRows}) AS linked`.execute(db);
  return Number(result.rows[0]?.linked ?? 0);
}

/** The settings row that names this database to the checkpoints kept outside it (checkpoints.ts). */
const DATABASE_ID_SETTING = 'audit_database_id';

/** This database's identity for the audit checkpoints, undefined until its first checkpoint made one. */
export async function readAuditDatabaseId(db: Kysely<DB>): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', DATABASE_ID_SETTING).executeTakeFirst();
  return typeof row?.value === 'string' ? row.value : undefined;
}

/**
 * The identity, made on first use: a random id kept in the database itself, made by its first
 * checkpoint, so every database (a copy of a never-checkpointed template too) gets its own.
 */
export async function ensureAuditDatabaseId(db: Kysely<DB>): Promise<string> {
  const found = await readAuditDatabaseId(db);
  if (found) return found;
  // Two servers starting on one database at once: the first insert wins, both read it back.
  await db
    .insertInto('settings')
    .values({ key: DATABASE_ID_SETTING, value: JSON.stringify(randomUUID()) })
    .onConflict((conflict) => conflict.column('key').doNothing())
    .execute();
  const made = await readAuditDatabaseId(db);
  if (!made) throw new Error(`the setting ${DATABASE_ID_SETTING} could not be made`);
  return made;
}
