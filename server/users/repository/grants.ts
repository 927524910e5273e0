import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, Role } from '../../db/schema.ts';
import type { GrantListQuery } from '../schemas.ts';
import type { GrantStatus } from '../tables.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** A two-person grant as the admin and the auditor see it: who asked, who decided, when, what. */
export interface GrantRecord {
  id: number;
  kind: 'create' | 'change';
  userId: number;
  username: string;
  role: Role;
  jurisdiction: string[];
  collectorId: number | null;
  previousRole: Role | null;
  previousJurisdiction: string[] | null;
  requestedBy: string;
  requestedAt: Date;
  status: GrantStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
}

export interface NewGrant {
  userId: number;
  kind: 'create' | 'change';
  role: Role;
  jurisdiction: string[];
  collectorId: number | null;
  previousRole: Role | null;
  previousJurisdiction: string[] | null;
  requestedBy: number;
}

function selectGrants(db: Db) {
  return db
    .selectFrom('role_grants as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .innerJoin('users as requester', 'requester.id', 'g.requested_by')
    .leftJoin('users as decider', 'decider.id', 'g.decided_by')
    .select([
      'g.id',
      'g.kind',
      'g.user_id as userId',
      'u.username',
      'g.role',
      'g.jurisdiction',
      'g.collector_id as collectorId',
      'g.previous_role as previousRole',
      'g.previous_jurisdiction as previousJurisdiction',
      'requester.username as requestedBy',
      'g.requested_at as requestedAt',
      'g.status',
      'decider.username as decidedBy',
      'g.decided_at as decidedAt',
    ]);
}

export async function listGrants(db: Db, filter: GrantListQuery): Promise<{ total: number; grants: GrantRecord[] }> {
  let query = selectGrants(db);
  if (filter.status) query = query.where('g.status', '=', filter.status);
  const { total } = await query
    .clearSelect()
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  const grants = await query.orderBy('g.requested_at', 'desc').orderBy('g.id', 'desc').limit(filter.limit).offset(filter.offset).execute();
  return { total: Number(total), grants };
}

export async function findGrant(db: Db, id: number, options: { lock?: boolean } = {}): Promise<GrantRecord | undefined> {
  const query = selectGrants(db).where('g.id', '=', id);
  // FOR UPDATE OF g: a second approval of the same grant waits for the first and then sees it decided.
  return (options.lock ? query.forUpdate(['g']) : query).executeTakeFirst();
}

export async function insertGrant(db: Db, grant: NewGrant): Promise<number> {
  const { id } = await db
    .insertInto('role_grants')
    .values({
      user_id: grant.userId,
      kind: grant.kind,
      role: grant.role,
      jurisdiction: grant.jurisdiction,
      collector_id: grant.collectorId,
      previous_role: grant.previousRole,
      previous_jurisdiction: grant.previousJurisdiction,
      requested_by: grant.requestedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function decideGrant(db: Db, id: number, status: Exclude<GrantStatus, 'pending'>, decidedBy: number): Promise<void> {
  await db.updateTable('role_grants').set({ status, decided_by: decidedBy, decided_at: sql`now()` }).where('id', '=', id).execute();
}

/** A later change of the account replaces whatever was still waiting; returns the superseded grant's id. */
export async function supersedePendingGrant(db: Db, userId: number, decidedBy: number): Promise<number | undefined> {
  const row = await db
    .updateTable('role_grants')
    .set({ status: 'superseded', decided_by: decidedBy, decided_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}
