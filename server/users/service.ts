import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/service.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Principal } from '../auth/session.ts';
import type { DB, Role } from '../db/schema.ts';
import type { RuleProblem } from '../domain/registration-rules.ts';
import { notFound } from '../http/errors.ts';
import { ruleViolation, throwIfAny } from '../registrations/problems.ts';
import {
  activeCollectorExists, existingAreaCodes, findUser, insertUser, revokeSessions, setPassword, updateUser, usernameTaken,
  type UserChanges, type UserRecord,
} from './repository.ts';
import type { NewUser, UserPatch } from './schemas.ts';

/**
 * User administration (三权分立: the admin manages accounts, roles and jurisdictions, but reads no
 * person data and no audit log). Every change is audited without passwords or display names; a
 * disabled account and an account whose password was reset lose their sessions at once. Role and
 * jurisdiction changes need no revocation: every request reads them from the users row.
 */

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
    else if (role === 'collector' && code.length !== GRID_CODE_LENGTH) problems.push({ field, code: 'grid_required', message: `a collector acts in grids: ${code} is not a grid code` });
  });
  if (collectorId !== null && role !== 'collector') {
    problems.push({ field: 'collectorId', code: 'collector_link_needs_collector_role', message: 'only a collector account can be linked to a collector' });
  } else if (collectorId !== null && !(await activeCollectorExists(db, collectorId))) {
    problems.push({ field: 'collectorId', code: 'unknown_collector', message: `no active collector has id ${collectorId}` });
  }
  return problems;
}

export async function createUser(db: Kysely<DB>, principal: Principal, input: NewUser): Promise<UserRecord> {
  throwIfAny(400, await assignmentProblems(db, input));
  if (await usernameTaken(db, input.username)) {
    throw ruleViolation(409, [{ field: 'username', code: 'username_taken', message: `username ${input.username} is taken` }]);
  }
  const passwordHash = await hashPassword(input.temporaryPassword);
  return db.transaction().execute(async (trx) => {
    const id = await insertUser(trx, { ...input, passwordHash });
    await recordAudit(trx, principal, {
      action: 'create', targetType: 'user', targetId: id,
      details: { username: input.username, role: input.role, jurisdiction: input.jurisdiction, collectorId: input.collectorId },
    });
    return (await findUser(trx, id))!;
  });
}

/** An admin must not take away their own way back in: another admin has to do that. */
function selfLockoutProblems(principal: Principal, id: number, patch: UserPatch): RuleProblem[] {
  if (id !== principal.userId) return [];
  const problems: RuleProblem[] = [];
  if (patch.disabled === true) problems.push({ field: 'disabled', code: 'cannot_lock_out_self', message: 'you cannot disable your own account' });
  if (patch.role !== undefined && patch.role !== principal.role) problems.push({ field: 'role', code: 'cannot_lock_out_self', message: 'you cannot change your own role' });
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
    if (patch.role !== undefined || patch.jurisdiction !== undefined || patch.collectorId !== undefined) {
      const assignment = assignmentAfter(user, patch);
      throwIfAny(400, await assignmentProblems(trx, assignment));
      Object.assign(changes, assignment);
    }
    await updateUser(trx, id, changes);
    const sessionsRevoked = patch.disabled === true ? await revokeSessions(trx, id) : 0;
    await recordAudit(trx, principal, {
      action: auditActionOf(patch), targetType: 'user', targetId: id,
      // The display name may be a person's real name: only that it changed is recorded.
      details: { fields: Object.keys(patch), role: changes.role, jurisdiction: changes.jurisdiction, collectorId: changes.collectorId, sessionsRevoked },
    });
    return (await findUser(trx, id))!;
  });
}

/**
 * Sets a temporary password the admin hands over in person. Sessions opened with the old one end.
 * The login path has no "must change at next login" flag, so the user is told to change it.
 */
export async function resetPassword(db: Kysely<DB>, principal: Principal, id: number, temporaryPassword: string): Promise<void> {
  const passwordHash = await hashPassword(temporaryPassword);
  await db.transaction().execute(async (trx) => {
    if (!(await findUser(trx, id, { lock: true }))) throw notFound('User', String(id));
    await setPassword(trx, id, passwordHash);
    const sessionsRevoked = await revokeSessions(trx, id);
    await recordAudit(trx, principal, { action: 'reset_password', targetType: 'user', targetId: id, details: { sessionsRevoked } });
  });
}
