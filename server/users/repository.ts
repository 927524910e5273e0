import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, Role } from '../db/schema.ts';
import type { UserListQuery } from './schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** A role or jurisdiction change that waits for a second administrator (sql/0013). */
export interface PendingGrant {
  id: number;
  role: Role;
  jurisdiction: string[];
  collectorId: number | null;
  requestedBy: string;
  requestedAt: Date;
}

/** A user account as the admin sees it: never the password hash. */
export interface UserRecord {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  jurisdiction: string[];
  collectorId: number | null;
  /** The linked collector's name (public in their area, DOMAIN.md), or null. */
  collectorName: string | null;
  disabled: boolean;
  isDemo: boolean;
  /** The password was set by an administrator and has not been changed by the user yet. */
  mustChangePassword: boolean;
  /** Created with a role that waits for approval: cannot log in yet. */
  awaitingApproval: boolean;
  /** The change waiting for a second administrator, or null. */
  pendingGrant: PendingGrant | null;
  lastLoginAt: Date | null;
  createdAt: Date;
}

function selectUsers(db: Db) {
  return (
    db
      .selectFrom('users as u')
      .leftJoin('collectors as c', 'c.id', 'u.collector_id')
      // At most one pending grant per user (unique index role_grants_one_pending).
      .leftJoin('role_grants as g', (join) => join.onRef('g.user_id', '=', 'u.id').on('g.status', '=', 'pending'))
      .leftJoin('users as requester', 'requester.id', 'g.requested_by')
      .select([
        'u.id',
        'u.username',
        'u.display_name as displayName',
        'u.role',
        'u.jurisdiction',
        'u.collector_id as collectorId',
        'c.name as collectorName',
        'u.disabled',
        'u.is_demo as isDemo',
        'u.must_change_password as mustChangePassword',
        'u.awaiting_approval as awaitingApproval',
        'u.last_login_at as lastLoginAt',
        'u.created_at as createdAt',
        'g.id as grantId',
        'g.role as grantRole',
        'g.jurisdiction as grantJurisdiction',
        'g.collector_id as grantCollectorId',
        'requester.username as grantRequestedBy',
        'g.requested_at as grantRequestedAt',
      ])
  );
}

type UserRow = Awaited<ReturnType<ReturnType<typeof selectUsers>['executeTakeFirstOrThrow']>>;

function toRecord(row: UserRow): UserRecord {
  const { grantId, grantRole, grantJurisdiction, grantCollectorId, grantRequestedBy, grantRequestedAt, ...user } = row;
  const pendingGrant =
    grantId === null
      ? null
      : {
          id: grantId,
          role: grantRole!,
          jurisdiction: grantJurisdiction!,
          collectorId: grantCollectorId,
          requestedBy: grantRequestedBy!,
          requestedAt: grantRequestedAt!,
        };
  return { ...user, pendingGrant };
}

export async function listUsers(db: Db, filter: UserListQuery): Promise<{ total: number; users: UserRecord[] }> {
  let query = selectUsers(db);
  if (filter.role) query = query.where('u.role', '=', filter.role);
  if (filter.status) query = query.where('u.disabled', '=', filter.status === 'disabled');
  if (filter.q) query = query.where(sql<boolean>`strpos(u.username, ${filter.q.toLowerCase()}) > 0`);
  const { total } = await query
    .clearSelect()
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  const rows = await query.orderBy('u.username').limit(filter.limit).offset(filter.offset).execute();
  return { total: Number(total), users: rows.map(toRecord) };
}

export async function findUser(db: Db, id: number, options: { lock?: boolean } = {}): Promise<UserRecord | undefined> {
  const query = selectUsers(db).where('u.id', '=', id);
  // FOR UPDATE OF u: the left-joined rows may be null, which cannot be locked.
  const row = await (options.lock ? query.forUpdate(['u']) : query).executeTakeFirst();
  return row && toRecord(row);
}

export async function usernameTaken(db: Db, username: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()) !== undefined;
}

export interface NewUserRow {
  username: string;
  displayName: string;
  role: Role;
  jurisdiction: string[];
  collectorId: number | null;
  passwordHash: string;
  awaitingApproval: boolean;
}

/** A new account: its password was chosen by the admin, so it must be changed at first login. */
export async function insertUser(db: Db, user: NewUserRow): Promise<number> {
  const { id } = await db
    .insertInto('users')
    .values({
      username: user.username,
      display_name: user.displayName,
      role: user.role,
      jurisdiction: user.jurisdiction,
      collector_id: user.collectorId,
      password_hash: user.passwordHash,
      must_change_password: true,
      awaiting_approval: user.awaitingApproval,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export interface UserChanges {
  displayName?: string;
  role?: Role;
  jurisdiction?: string[];
  collectorId?: number | null;
  disabled?: boolean;
  /** Cleared when a second administrator approves the account's first grant. */
  awaitingApproval?: boolean;
}

export async function updateUser(db: Db, id: number, changes: UserChanges): Promise<void> {
  // A change that only asked for a grant leaves the row as it is.
  if (Object.values(changes).every((value) => value === undefined)) return;
  await db
    .updateTable('users')
    .set({
      display_name: changes.displayName,
      role: changes.role,
      jurisdiction: changes.jurisdiction,
      collector_id: changes.collectorId,
      disabled: changes.disabled,
      awaiting_approval: changes.awaitingApproval,
    })
    .where('id', '=', id)
    .execute();
}

/** A new password chosen by the admin: the demo pattern is gone, and the user must replace it at next login. */
export async function setTemporaryPassword(db: Db, id: number, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash, is_demo: false, must_change_password: true }).where('id', '=', id).execute();
}

/** Ends every session of the user; returns how many there were. */
export async function revokeSessions(db: Db, userId: number): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Which of `codes` name an existing area (admin_areas) or grid. */
export async function existingAreaCodes(db: Db, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await db
    .selectFrom('admin_areas')
    .select('code')
    .where('code', 'in', codes)
    .unionAll(db.selectFrom('grids').select('code').where('code', 'in', codes))
    .execute();
  return new Set(rows.map((row) => row.code));
}

export async function activeCollectorExists(db: Db, id: number): Promise<boolean> {
  return (await db.selectFrom('collectors').select('id').where('id', '=', id).where('active', '=', true).executeTakeFirst()) !== undefined;
}
