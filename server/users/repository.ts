import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, Role } from '../db/schema.ts';
import type { UserListQuery } from './schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

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
  /** Locked after repeated failed logins until this time, or null. */
  lockedUntil: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
}

function selectUsers(db: Db) {
  return db
    .selectFrom('users as u')
    .leftJoin('collectors as c', 'c.id', 'u.collector_id')
    .select([
      'u.id', 'u.username', 'u.display_name as displayName', 'u.role', 'u.jurisdiction', 'u.collector_id as collectorId',
      'c.name as collectorName', 'u.disabled', 'u.is_demo as isDemo', 'u.locked_until as lockedUntil', 'u.last_login_at as lastLoginAt',
      'u.created_at as createdAt',
    ]);
}

export async function listUsers(db: Db, filter: UserListQuery): Promise<{ total: number; users: UserRecord[] }> {
  let query = selectUsers(db);
  if (filter.role) query = query.where('u.role', '=', filter.role);
  if (filter.status) query = query.where('u.disabled', '=', filter.status === 'disabled');
  if (filter.q) query = query.where(sql<boolean>`strpos(u.username, ${filter.q.toLowerCase()}) > 0`);
  const { total } = await query.clearSelect().select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const users = await query.orderBy('u.username').limit(filter.limit).offset(filter.offset).execute();
  return { total: Number(total), users };
}

export async function findUser(db: Db, id: number, options: { lock?: boolean } = {}): Promise<UserRecord | undefined> {
  const query = selectUsers(db).where('u.id', '=', id);
  // FOR UPDATE OF u: the left-joined collector row may be null, which cannot be locked.
  return (options.lock ? query.forUpdate(['u']) : query).executeTakeFirst();
}

export async function usernameTaken(db: Db, username: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()) !== undefined;
}

export interface UserRow {
  username: string;
  displayName: string;
  role: Role;
  jurisdiction: string[];
  collectorId: number | null;
  passwordHash: string;
}

export async function insertUser(db: Db, user: UserRow): Promise<number> {
  const { id } = await db
    .insertInto('users')
    .values({
      username: user.username,
      display_name: user.displayName,
      role: user.role,
      jurisdiction: user.jurisdiction,
      collector_id: user.collectorId,
      password_hash: user.passwordHash,
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
}

export async function updateUser(db: Db, id: number, changes: UserChanges): Promise<void> {
  await db
    .updateTable('users')
    .set({
      display_name: changes.displayName,
      role: changes.role,
      jurisdiction: changes.jurisdiction,
      collector_id: changes.collectorId,
      disabled: changes.disabled,
      // Enabling an account also lifts a lockout left from before it was disabled.
      ...(changes.disabled === false ? { failed_logins: 0, locked_until: null } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** A new password chosen by the admin: the demo pattern is gone and any lockout lifted. */
export async function setPassword(db: Db, id: number, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash, is_demo: false, failed_logins: 0, locked_until: null }).where('id', '=', id).execute();
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
