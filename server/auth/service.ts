import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { DB, User } from '../db/schema.ts';
import { HttpError } from '../http/errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { deleteOtherSessions, deleteSession, findUserByUsername, insertSession, passwordHashOf, setOwnPassword } from './repository.ts';
import { recordAudit } from '../audit/service.ts';
import { hashToken, newToken, type Principal } from './session.ts';

const invalidCredentials = () => new HttpError(401, 'invalid_credentials', 'Wrong username or password');
/** One body for every throttled attempt, known username or not; the wait is in the Retry-After header. */
export const loginThrottled = () => new HttpError(429, 'login_throttled', 'Too many failed logins from this address; wait before trying again');

/** The same rule as the users.username CHECK: anything else typed into the box is not kept in the audit log. */
const USERNAME_PATTERN = /^[a-z0-9_.-]{3,40}$/;

// Verifying against a fixed hash when the user is unknown keeps the response time the same,
// so timing does not reveal which usernames exist.
let unknownUserHash: Promise<string> | undefined;

export interface LoginAttempt {
  username: string;
  password: string;
  /** The client address (request.ip): the throttle's key and the audit row's. */
  address: string;
}

export interface LoginResult {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  user: User;
}

export type LoginOutcome = { session: LoginResult } | { retryAfterSeconds: number };

type FailureReason = 'throttled' | 'unknown_user' | 'wrong_password' | 'disabled' | 'demo_account_in_production' | 'awaiting_approval';

/**
 * Checks the password and opens a session. Wrong passwords slow further attempts of that
 * username from that address (never the account everywhere: see login-throttle.ts); every
 * attempt leaves an audit row with the address, never the password.
 */
export async function logIn(db: Kysely<DB>, config: Config, throttle: LoginThrottle, attempt: LoginAttempt): Promise<LoginOutcome> {
  const user = await findUserByUsername(db, attempt.username);
  const wait = throttle.waitSeconds(attempt.username, attempt.address);
  if (wait > 0) {
    await auditFailure(db, attempt, user, 'throttled');
    return { retryAfterSeconds: wait };
  }
  unknownUserHash ??= hashPassword(newToken());
  // The hash is verified before anything else is looked at, so a disabled or unknown account takes as long as a wrong password.
  const passwordMatches = await verifyPassword(user?.password_hash ?? (await unknownUserHash), attempt.password);
  const refusal: FailureReason | undefined = !user ? 'unknown_user' : !passwordMatches ? 'wrong_password' : user.disabled ? 'disabled' : undefined;
  if (refusal || !user) {
    throttle.failed(attempt.username, attempt.address);
    await auditFailure(db, attempt, user, refusal ?? 'unknown_user');
    throw invalidCredentials();
  }
  // Only someone holding the right password learns these.
  if (user.is_demo && config.production) {
    await auditFailure(db, attempt, user, 'demo_account_in_production');
    throw new HttpError(403, 'demo_account_disabled', 'Demo accounts cannot log in when NODE_ENV=production');
  }
  if (user.awaiting_approval) {
    await auditFailure(db, attempt, user, 'awaiting_approval');
    throw new HttpError(403, 'account_awaiting_approval', 'This account waits for a second administrator to approve its role');
  }
  throttle.succeeded(attempt.username, attempt.address);
  return { session: await openSession(db, config, user, attempt.address) };
}

async function openSession(db: Kysely<DB>, config: Config, user: User, address: string): Promise<LoginResult> {
  const token = newToken();
  const csrfToken = newToken();
  const expiresAt = new Date(Date.now() + config.sessionHours * 3_600_000);
  await db.transaction().execute(async (trx) => {
    await insertSession(trx, { tokenHash: hashToken(token), userId: user.id, csrfToken, expiresAt });
    await recordAudit(trx, principalOfUser(user), {
      action: 'login',
      targetType: 'user',
      targetId: user.id,
      details: { address, mustChangePassword: user.must_change_password },
    });
  });
  return { token, csrfToken, expiresAt, user };
}

/**
 * A refused login: nobody is logged in, so the row has no actor; the account tried (when it
 * exists) is the target, and the username as typed is kept only when it could be one.
 */
async function auditFailure(db: Kysely<DB>, attempt: LoginAttempt, user: User | undefined, reason: FailureReason): Promise<void> {
  const typed = USERNAME_PATTERN.test(attempt.username) ? { username: attempt.username } : { usernameMalformed: true };
  await recordAudit(db, undefined, {
    action: 'login_failed',
    targetType: 'user',
    targetId: user?.id ?? null,
    details: { ...typed, address: attempt.address, reason },
  });
}

const principalOfUser = (user: User): Principal => ({
  userId: user.id,
  username: user.username,
  displayName: user.display_name,
  role: user.role,
  jurisdiction: user.jurisdiction,
  collectorId: user.collector_id,
});

export async function logOut(db: Kysely<DB>, principal: Principal, token: string, address: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await deleteSession(trx, hashToken(token));
    await recordAudit(trx, principal, { action: 'logout', targetType: 'user', targetId: principal.userId, details: { address } });
  });
}

export async function changePassword(
  db: Kysely<DB>,
  principal: Principal,
  currentPassword: string,
  newPassword: string,
  keepSessionHash: string,
): Promise<void> {
  if (!(await verifyPassword(await passwordHashOf(db, principal.userId), currentPassword))) {
    throw new HttpError(400, 'invalid_request', 'currentPassword is wrong', {
      fields: [{ field: 'currentPassword', code: 'invalid', message: 'currentPassword is wrong', messageZh: 'currentPassword：当前密码不正确' }],
    });
  }
  // A temporary password kept as it is would stay known to the administrator who set it.
  if (newPassword === currentPassword) {
    throw new HttpError(400, 'invalid_request', 'newPassword must differ from the current password', {
      fields: [
        {
          field: 'newPassword',
          code: 'invalid',
          message: 'newPassword must differ from the current password',
          messageZh: 'newPassword：新密码不能与当前密码相同',
        },
      ],
    });
  }
  const passwordHash = await hashPassword(newPassword);
  await db.transaction().execute(async (trx) => {
    await setOwnPassword(trx, principal.userId, passwordHash);
    // Someone who learnt the old password loses the sessions they opened with it.
    await deleteOtherSessions(trx, principal.userId, keepSessionHash);
    await recordAudit(trx, principal, { action: 'change_password', targetType: 'user', targetId: principal.userId });
  });
}
