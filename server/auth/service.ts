import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { DB, User } from '../db/schema.ts';
import { HttpError } from '../http/errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { deleteSession, findUserByUsername, insertSession, recordLoginResult } from './repository.ts';
import { recordAudit } from '../audit/service.ts';
import { hashToken, newToken, type Principal } from './session.ts';

const MAX_FAILURES = 5;
const LOCK_MINUTES = 15;
const invalidCredentials = () => new HttpError(401, 'invalid_credentials', 'Wrong username or password');

// Verifying against a fixed hash when the user is unknown keeps the response time the same,
// so timing does not reveal which usernames exist.
let unknownUserHash: Promise<string> | undefined;

export interface LoginResult {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  user: User;
}

export async function logIn(db: Kysely<DB>, config: Config, username: string, password: string): Promise<LoginResult> {
  const user = await findUserByUsername(db, username);
  if (!user) {
    unknownUserHash ??= hashPassword(newToken());
    await verifyPassword(await unknownUserHash, password);
    throw invalidCredentials();
  }
  if (user.disabled) throw invalidCredentials();
  if (user.is_demo && config.production) {
    throw new HttpError(403, 'demo_account_disabled', 'Demo accounts cannot log in when NODE_ENV=production');
  }
  if (user.locked_until && new Date(user.locked_until) > new Date()) {
    throw new HttpError(429, 'account_locked', `Too many failed logins; try again after ${new Date(user.locked_until).toISOString()}`);
  }
  if (!(await verifyPassword(user.password_hash, password))) {
    const lockUntil = user.failed_logins + 1 >= MAX_FAILURES ? new Date(Date.now() + LOCK_MINUTES * 60_000) : undefined;
    await recordLoginResult(db, user.id, { failed: true, lockUntil });
    throw invalidCredentials();
  }
  await recordLoginResult(db, user.id, { failed: false });
  const token = newToken();
  const csrfToken = newToken();
  const expiresAt = new Date(Date.now() + config.sessionHours * 3_600_000);
  await insertSession(db, { tokenHash: hashToken(token), userId: user.id, csrfToken, expiresAt });
  return { token, csrfToken, expiresAt, user };
}

export async function logOut(db: Kysely<DB>, token: string): Promise<void> {
  await deleteSession(db, hashToken(token));
}

export async function changePassword(
  db: Kysely<DB>,
  principal: Principal,
  currentPassword: string,
  newPassword: string,
  keepSessionHash: string,
): Promise<void> {
  const user = await db.selectFrom('users').select(['password_hash']).where('id', '=', principal.userId).executeTakeFirstOrThrow();
  if (!(await verifyPassword(user.password_hash, currentPassword))) {
    throw new HttpError(400, 'invalid_request', 'currentPassword is wrong', { fields: [{ field: 'currentPassword', message: 'wrong password' }] });
  }
  const passwordHash = await hashPassword(newPassword);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: passwordHash, is_demo: false }).where('id', '=', principal.userId).execute();
    // Someone who learnt the old password loses the sessions they opened with it.
    await trx.deleteFrom('sessions').where('user_id', '=', principal.userId).where('token_hash', '<>', keepSessionHash).execute();
    await recordAudit(trx, principal, { action: 'change_password', targetType: 'user', targetId: principal.userId });
  });
}
