import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/service.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Principal } from '../auth/session.ts';
import type { DB, Role } from '../db/schema.ts';
import type { RuleProblem } from '../domain/registration-rules.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { ruleViolation, throwIfAny } from '../http/problems.ts';
import { decideGrant, findGrant, insertGrant, supersedePendingGrant, type GrantRecord } from './repository/grants.ts';
import {
  activeCollectorExists,
  existingAreaCodes,
  findUser,
  insertUser,
  revokeSessions,
  setTemporaryPassword,
  updateUser,
  usernameTaken,
  type UserChanges,
  type UserRecord,
} from './repository.ts';
import type { NewUser, UserPatch } from './schemas.ts';

/**
 * User administration (三权分立: the admin manages accounts, roles and jurisdictions, but reads no
 * person data and no audit log). Every change is audited without passwords or display names; a
 * disabled account and an account whose password was reset lose their sessions at once. Role and
 * jurisdiction changes need no revocation: every request reads them from the users row.
 *
 * Two people (等保 三员分立): giving an account a role that reads person data, or widening such an
 * account's jurisdiction, is only requested here; it takes effect when a second administrator
 * approves it (approveGrant). Otherwise one administrator could make themselves an officer: create
 * an account with a password of their choosing, log in as it and read people. The admin role is
 * guarded the same way, or that administrator could first create the second administrator.
 * Narrowing takes effect at once. Every password an admin sets must be changed at first login.
 */

/** Roles whose grant needs a second person: police and collectors read person data, admins approve grants. */
const GUARDED_ROLES: readonly Role[] = ['police', 'collector', 'admin'];
/** Of those, the roles whose jurisdiction bounds the person data they read. */
const PERSON_DATA_ROLES: readonly Role[] = ['police', 'collector'];

/** Roles that act on or look at areas, so they need at least one code to act in. */
const AREA_ROLES: readonly Role[] = ['leader', 'planner', 'police', 'collector'];
const GRID_CODE_LENGTH = 14;

interface Assignment {
  role: Role;
  jurisdiction: string[];
  collectorId: number | null;
}

/** What is wrong with giving an account this role, jurisdiction and collector link. */
async function assignmentProblems(db: Kysely<DB> | Transaction<DB>, assignment: Assignment): Promise<RuleProblem[]> {
  const { role, jurisdiction, collectorId } = assignment;
  const problems: RuleProblem[] = [];
  if (AREA_ROLES.includes(role) && jurisdiction.length === 0) {
    problems.push({ field: 'jurisdiction', code: 'jurisdiction_required', message: `a ${role} needs at least one area or grid code` });
  }
  const existing = await existingAreaCodes(db, jurisdiction);
  jurisdiction.forEach((code, index) => {
    const field = `jurisdiction.${index}`;
    if (!existing.has(code)) problems.push({ field, code: 'unknown_area', message: `no area or grid has code ${code}` });
    // A collector registers people in their own grids only (DOMAIN.md), never a whole community.
    else if (role === 'collector' && code.length !== GRID_CODE_LENGTH)
      problems.push({ field, code: 'grid_required', message: `a collector acts in grids: ${code} is not a grid code` });
  });
  if (collectorId !== null && role !== 'collector') {
    problems.push({ field: 'collectorId', code: 'collector_link_needs_collector_role', message: 'only a collector account can be linked to a collector' });
  } else if (collectorId !== null && !(await activeCollectorExists(db, collectorId))) {
    problems.push({ field: 'collectorId', code: 'unknown_collector', message: `no active collector has id ${collectorId}` });
  }
  return problems;
}

/**
 * Whether moving an account from `before` (undefined: it never had an approved role) to `after`
 * needs a second person: a guarded role newly given, or a person-data role's jurisdiction
 * reaching a code none of its current codes covers.
 */
export function needsSecondPerson(before: Assignment | undefined, after: Assignment): boolean {
  if (!GUARDED_ROLES.includes(after.role)) return false;
  if (!before || before.role !== after.role) return true;
  if (!PERSON_DATA_ROLES.includes(after.role)) return false;
  return after.jurisdiction.some((code) => !before.jurisdiction.some((prefix) => code.startsWith(prefix)));
}

/** Stores the assignment as a request for a second person, replacing one still waiting. */
async function requestGrant(
  trx: Transaction<DB>,
  principal: Principal,
  user: { id: number; before: Assignment | undefined },
  after: Assignment,
): Promise<number> {
  await supersedePendingGrant(trx, user.id, principal.userId);
  return insertGrant(trx, {
    userId: user.id,
    kind: user.before ? 'change' : 'create',
    role: after.role,
    jurisdiction: after.jurisdiction,
    collectorId: after.collectorId,
    previousRole: user.before?.role ?? null,
    previousJurisdiction: user.before?.jurisdiction ?? null,
    requestedBy: principal.userId,
  });
}

export async function createUser(db: Kysely<DB>, principal: Principal, input: NewUser): Promise<UserRecord> {
  throwIfAny(400, await assignmentProblems(db, input));
  if (await usernameTaken(db, input.username)) {
    throw ruleViolation(409, [{ field: 'username', code: 'username_taken', message: `username ${input.username} is taken` }]);
  }
  const passwordHash = await hashPassword(input.temporaryPassword);
  const awaitingApproval = needsSecondPerson(undefined, input);
  return db.transaction().execute(async (trx) => {
    const id = await insertUser(trx, { ...input, passwordHash, awaitingApproval });
    const grantId = awaitingApproval ? await requestGrant(trx, principal, { id, before: undefined }, input) : undefined;
    await recordAudit(trx, principal, {
      action: 'create',
      targetType: 'user',
      targetId: id,
      details: {
        username: input.username,
        role: input.role,
        jurisdiction: input.jurisdiction,
        collectorId: input.collectorId,
        ...(grantId ? { grantId } : {}),
      },
    });
    return (await findUser(trx, id))!;
  });
}

/** An admin must not take away their own way back in: another admin has to do that. */
function selfLockoutProblems(principal: Principal, id: number, patch: UserPatch): RuleProblem[] {
  if (id !== principal.userId) return [];
  const problems: RuleProblem[] = [];
  if (patch.disabled === true) problems.push({ field: 'disabled', code: 'cannot_lock_out_self', message: 'you cannot disable your own account' });
  if (patch.role !== undefined && patch.role !== principal.role)
    problems.push({ field: 'role', code: 'cannot_lock_out_self', message: 'you cannot change your own role' });
  return problems;
}

/** The role, jurisdiction and collector link after the patch; leaving the collector role drops the link. */
function assignmentAfter(user: UserRecord, patch: UserPatch): Assignment {
  const role = patch.role ?? user.role;
  const collectorId = patch.collectorId !== undefined ? patch.collectorId : role === 'collector' ? user.collectorId : null;
  return { role, jurisdiction: patch.jurisdiction ?? user.jurisdiction, collectorId };
}

const auditActionOf = (patch: UserPatch) => (patch.disabled === true ? 'disable' : patch.disabled === false ? 'enable' : 'update');

export async function changeUser(db: Kysely<DB>, principal: Principal, id: number, patch: UserPatch): Promise<UserRecord> {
  return db.transaction().execute(async (trx) => {
    const user = await findUser(trx, id, { lock: true });
    if (!user) throw notFound('User', String(id));
    throwIfAny(409, selfLockoutProblems(principal, id, patch));
    const changes: UserChanges = { displayName: patch.displayName, disabled: patch.disabled };
    let assignment: Assignment | undefined;
    let grantId: number | undefined;
    if (patch.role !== undefined || patch.jurisdiction !== undefined || patch.collectorId !== undefined) {
      assignment = assignmentAfter(user, patch);
      throwIfAny(400, await assignmentProblems(trx, assignment));
      const before = user.awaitingApproval ? undefined : user;
      if (needsSecondPerson(before, assignment)) grantId = await requestGrant(trx, principal, { id, before }, assignment);
      else {
        await supersedePendingGrant(trx, id, principal.userId);
        // An account still waiting for its first approval is free to log in with a role that needs none.
        Object.assign(changes, assignment, user.awaitingApproval ? { awaitingApproval: false } : {});
      }
    }
    await updateUser(trx, id, changes);
    const sessionsRevoked = patch.disabled === true ? await revokeSessions(trx, id) : 0;
    await recordAudit(trx, principal, {
      action: auditActionOf(patch),
      targetType: 'user',
      targetId: id,
      // The display name may be a person's real name: only that it changed is recorded.
      details: {
        fields: Object.keys(patch),
        role: assignment?.role,
        jurisdiction: assignment?.jurisdiction,
        collectorId: assignment?.collectorId,
        sessionsRevoked,
        ...(grantId ? { grantId } : {}),
      },
    });
    return (await findUser(trx, id))!;
  });
}

/**
 * Sets a temporary password the admin hands over in person. Sessions opened with the old one end,
 * and the next login can do nothing but choose a new password.
 */
export async function resetPassword(db: Kysely<DB>, principal: Principal, id: number, temporaryPassword: string): Promise<void> {
  const passwordHash = await hashPassword(temporaryPassword);
  await db.transaction().execute(async (trx) => {
    if (!(await findUser(trx, id, { lock: true }))) throw notFound('User', String(id));
    await setTemporaryPassword(trx, id, passwordHash);
    const sessionsRevoked = await revokeSessions(trx, id);
    await recordAudit(trx, principal, { action: 'reset_password', targetType: 'user', targetId: id, details: { sessionsRevoked } });
  });
}

const secondPersonRequired = (message: string) => new HttpError(403, 'second_person_required', message);

/** The grant, locked and still pending, decidable by this principal. */
async function pendingGrantFor(trx: Transaction<DB>, principal: Principal, grantId: number): Promise<GrantRecord> {
  const grant = await findGrant(trx, grantId, { lock: true });
  if (!grant) throw notFound('Grant', String(grantId));
  if (grant.status !== 'pending') throw new HttpError(409, 'grant_decided', `Grant ${grantId} is already ${grant.status}`);
  if (grant.userId === principal.userId) throw secondPersonRequired('Nobody decides on their own access');
  return grant;
}

/** A second administrator approves: the role and jurisdiction take effect now (still checked against today's areas). */
export async function approveGrant(db: Kysely<DB>, principal: Principal, grantId: number): Promise<GrantRecord> {
  return db.transaction().execute(async (trx) => {
    const grant = await pendingGrantFor(trx, principal, grantId);
    if (grant.requestedBy === principal.username)
      throw secondPersonRequired('The administrator who asked for a grant cannot approve it: a second administrator must');
    if (!(await findUser(trx, grant.userId, { lock: true }))) throw notFound('User', String(grant.userId));
    const assignment: Assignment = { role: grant.role, jurisdiction: grant.jurisdiction, collectorId: grant.collectorId };
    throwIfAny(409, await assignmentProblems(trx, assignment));
    await updateUser(trx, grant.userId, { ...assignment, awaitingApproval: false });
    await decideGrant(trx, grantId, 'approved', principal.userId);
    await recordAudit(trx, principal, {
      action: 'approve_grant',
      targetType: 'user',
      targetId: grant.userId,
      details: { grantId, role: grant.role, jurisdiction: grant.jurisdiction, collectorId: grant.collectorId, requestedBy: grant.requestedBy },
    });
    return (await findGrant(trx, grantId))!;
  });
}

/** Any other administrator, or the one who asked (withdrawing it), turns a grant down; a new account waiting for it is disabled. */
export async function rejectGrant(db: Kysely<DB>, principal: Principal, grantId: number): Promise<GrantRecord> {
  return db.transaction().execute(async (trx) => {
    const grant = await pendingGrantFor(trx, principal, grantId);
    await decideGrant(trx, grantId, 'rejected', principal.userId);
    const user = await findUser(trx, grant.userId, { lock: true });
    if (user?.awaitingApproval) await updateUser(trx, grant.userId, { disabled: true });
    await recordAudit(trx, principal, {
      action: 'reject_grant',
      targetType: 'user',
      targetId: grant.userId,
      details: { grantId, role: grant.role, jurisdiction: grant.jurisdiction, requestedBy: grant.requestedBy, disabled: user?.awaitingApproval ?? false },
    });
    return (await findGrant(trx, grantId))!;
  });
}
