import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** One audit row as written: who (copied, so a renamed or deleted user's rows still say who), what, to what. */
export interface AuditRowValues {
  user_id: number | null;
  username: string | null;
  role: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  purpose: string | null;
  details: string;
}

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
