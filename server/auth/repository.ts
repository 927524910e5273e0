import type { Insertable, Kysely } from 'kysely';
import type { DB, User, UsersTable } from '../db/schema.ts';

export async function findUserByUsername(db: Kysely<DB>, username: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function findSessionUser(db: Kysely<DB>, tokenHash: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'users.id',
      'users.username',
      'users.display_name',
      'users.role',
      'users.jurisdiction',
      'users.collector_id',
      'users.disabled',
      'users.must_change_password',
      'users.awaiting_approval',
      'sessions.csrf_token',
      'sessions.expires_at',
    ])
    .where('sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/**
 * A new session, and its creation as the user's last login, in one statement: every successful
 * login opens exactly one session. (A trigger on sessions did the second part until sql/0040: on
 * Citus a trigger runs on the table's shards and cannot write another table, docs/citus.md step 1.)
 */
export async function insertSession(db: Kysely<DB>, session: { tokenHash: string; userId: number; csrfToken: string; expiresAt: Date }) {
  await db
    .with('opened', (opening) =>
      opening
        .insertInto('sessions')
        .values({ token_hash: session.tokenHash, user_id: session.userId, csrf_token: session.csrfToken, expires_at: session.expiresAt })
        .returning(['user_id', 'created_at']),
    )
    .updateTable('users')
    .from('opened')
    .set((eb) => ({ last_login_at: eb.ref('opened.created_at') }))
    .whereRef('users.id', '=', 'opened.user_id')
    .execute();
}

export async function deleteSession(db: Kysely<DB>, tokenHash: string) {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

export async function passwordHashOf(db: Kysely<DB>, userId: number): Promise<string> {
  const user = await db.selectFrom('users').select(['password_hash']).where('id', '=', userId).executeTakeFirstOrThrow();
  return user.password_hash;
}

/** The user's own new password: no longer a demo account, no change pending. */
export async function setOwnPassword(db: Kysely<DB>, userId: number, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash, is_demo: false, must_change_password: false }).where('id', '=', userId).execute();
}

/** Ends every session of the user except the one kept (the caller's own). */
export async function deleteOtherSessions(db: Kysely<DB>, userId: number, keepSessionHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).where('token_hash', '<>', keepSessionHash).execute();
}

/** The demo's collector user: the collector with the lowest id among those assigned now (demo-users.ts). */
export async function firstAssignedCollector(db: Kysely<DB>) {
  return db.selectFrom('collector_assignments').select(['collector_id']).where('ended_on', 'is', null).orderBy('collector_id').executeTakeFirst();
}

/** The grids a collector is assigned to now. */
export async function currentGridsOf(db: Kysely<DB>, collectorId: number): Promise<string[]> {
  const rows = await db.selectFrom('collector_assignments').select('grid_code').where('collector_id', '=', collectorId).where('ended_on', 'is', null).execute();
  return rows.map((row) => row.grid_code);
}

/** A demo user, unless a user of that name exists already (that one is left as it is). */
export async function insertDemoUserIfNew(db: Kysely<DB>, user: Insertable<UsersTable>): Promise<void> {
  await db
    .insertInto('users')
    .values(user)
    .onConflict((conflict) => conflict.column('username').doNothing())
    .execute();
}
