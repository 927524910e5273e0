import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Principal } from '../auth/session.ts';
import { recordAudit } from '../audit/service.ts';
import type { DB } from '../db/schema.ts';
import { addDays, addYears } from '../domain/calendar.ts';
import {
  DEFAULT_PERMIT_SETTINGS,
  PERMIT_CATEGORIES,
  permitExpiry,
  permitYearsProblem,
  renewalOpensOn,
  renewalProblem,
  type PermitSettings,
} from '../domain/registration-rules.ts';
import { HttpError } from '../http/errors.ts';
import { notFoundAt, ruleViolation, throwIfAny } from '../http/problems.ts';
import { assertGridVisible, currentResidencyHere, lockReferencedPerson, lockVisiblePerson } from '../person-data/guards.ts';
import { auditPersonReads, presentPerson } from '../person-data/visibility.ts';
import {
  expiringInGrid,
  heldPermit,
  insertPermit,
  lockPermitRow,
  markRenewed,
  markRevoked,
  permitHolder,
  permitSettingsValue,
  type PermitRow,
} from './repository.ts';

/** Residence permits (居住证): issue, renew within the window before expiry, revoke, and list those expiring. */

const permitSettingsSchema = z.object({
  allowedYears: z.array(z.number().int().min(1).max(10)).min(1),
  renewalWindowDays: z.number().int().min(1).max(365),
});

/** The 'permits' settings row (sql/0002_registrations.sql), or the defaults when it is missing. */
export async function readPermitSettings(db: Kysely<DB>): Promise<PermitSettings> {
  const value = await permitSettingsValue(db);
  if (value === undefined) return DEFAULT_PERMIT_SETTINGS;
  const parsed = permitSettingsSchema.safeParse(value);
  if (!parsed.success) throw new HttpError(500, 'invalid_setting', 'The permits setting is malformed; an administrator must fix it');
  return parsed.data;
}

export interface PermitView {
  id: number;
  personId: number;
  permitNo: string;
  issuedOn: string;
  expiresOn: string;
  years: number;
  status: PermitRow['status'];
  revokedOn: string | null;
  renewedFrom: number | null;
  renewalOpensOn: string;
}

function presentPermit(row: PermitRow, settings: PermitSettings): PermitView {
  return {
    id: row.id,
    personId: row.person_id,
    permitNo: row.permit_no,
    issuedOn: row.issued_on,
    expiresOn: row.expires_on,
    years: row.years,
    status: row.status,
    revokedOn: row.revoked_on,
    renewedFrom: row.renewed_from,
    renewalOpensOn: renewalOpensOn(row.expires_on, settings),
  };
}

async function auditPermit(trx: Kysely<DB>, principal: Principal, action: 'issue_permit' | 'renew_permit', permit: PermitRow): Promise<void> {
  await recordAudit(trx, principal, {
    action,
    targetType: 'person',
    targetId: permit.person_id,
    details: { permitId: permit.id, years: permit.years, expiresOn: permit.expires_on, status: permit.status },
  });
}

export interface IssueRequest {
  personId: number;
  years: number;
  issuedOn: string;
}

/** Issues a permit to a floating or lodging resident of the principal's area who holds no unexpired one. */
export async function issuePermit(db: Kysely<DB>, principal: Principal, request: IssueRequest, today: string): Promise<PermitView> {
  const settings = await readPermitSettings(db);
  const problems = [permitYearsProblem(request.years, settings)].filter((problem) => problem !== undefined);
  if (request.issuedOn > today) problems.push({ field: 'issuedOn', code: 'date_in_future', message: `issuedOn ${request.issuedOn} is after today (${today})` });
  throwIfAny(400, problems);
  return db.transaction().execute(async (trx) => {
    const person = await lockReferencedPerson(trx, principal, { personId: request.personId });
    await currentResidencyHere(trx, principal, person, 'personId');
    if (!PERMIT_CATEGORIES.includes(person.category)) {
      throw ruleViolation(409, [
        { field: 'personId', code: 'not_eligible', message: `A residence permit is for categories ${PERMIT_CATEGORIES.join(' and ')}, not ${person.category}` },
      ]);
    }
    const held = await heldPermit(trx, person.id, request.issuedOn);
    if (held) {
      throw ruleViolation(409, [
        { field: 'personId', code: 'permit_exists', message: `This person holds permit ${held.permit_no}, valid until ${held.expires_on}; renew it instead` },
      ]);
    }
    const permit = await insertPermit(trx, person.id, request.issuedOn, permitExpiry(request.issuedOn, request.years), request.years, null);
    await auditPermit(trx, principal, 'issue_permit', permit);
    return presentPermit(permit, settings);
  });
}

/** Locks the permit's holder, then the permit (that order everywhere, so no deadlock). */
async function lockPermit(trx: Kysely<DB>, principal: Principal, permitId: number) {
  const holderId = await permitHolder(trx, permitId);
  if (holderId === undefined) throw notFoundAt('id', 'Permit', permitId);
  const person = await lockVisiblePerson(trx, principal, holderId);
  if (!person) throw notFoundAt('id', 'Permit', permitId);
  const permit = await lockPermitRow(trx, permitId);
  return { person, permit };
}

/** Renews within the window before expiry: the new permit runs on from the old expiry date. */
export async function renewPermit(db: Kysely<DB>, principal: Principal, permitId: number, years: number, today: string): Promise<PermitView> {
  const settings = await readPermitSettings(db);
  throwIfAny(
    400,
    [permitYearsProblem(years, settings)].filter((problem) => problem !== undefined),
  );
  return db.transaction().execute(async (trx) => {
    const { person, permit } = await lockPermit(trx, principal, permitId);
    await currentResidencyHere(trx, principal, person, 'id');
    const problem = renewalProblem({ status: permit.status, expiresOn: permit.expires_on }, today, settings);
    if (problem) throw ruleViolation(409, [{ ...problem, field: 'id' }]);
    await markRenewed(trx, permit.id);
    const renewed = await insertPermit(trx, person.id, today, addYears(permit.expires_on, years), years, permit.id);
    await auditPermit(trx, principal, 'renew_permit', renewed);
    return presentPermit(renewed, settings);
  });
}

export const REVOCATION_REASONS = ['moved_away', 'false_information', 'deceased', 'other'] as const;

export async function revokePermit(db: Kysely<DB>, principal: Principal, permitId: number, reason: string, today: string): Promise<PermitView> {
  const settings = await readPermitSettings(db);
  return db.transaction().execute(async (trx) => {
    const { permit } = await lockPermit(trx, principal, permitId);
    if (permit.status !== 'valid') {
      throw ruleViolation(409, [{ field: 'id', code: 'permit_not_valid', message: `Only a valid permit can be revoked; this one is ${permit.status}` }]);
    }
    const revoked = await markRevoked(trx, permit.id, today);
    await recordAudit(trx, principal, { action: 'revoke_permit', targetType: 'person', targetId: permit.person_id, details: { permitId: permit.id, reason } });
    return presentPermit(revoked, settings);
  });
}

/** Valid permits of the grid's current residents that expire between today and `days` from now. */
export async function expiringPermits(db: Kysely<DB>, principal: Principal, grid: string, days: number, purpose: string, today: string) {
  await assertGridVisible(db, principal, grid);
  const settings = await readPermitSettings(db);
  const until = addDays(today, days);
  const rows = await expiringInGrid(db, grid, today, until);
  await auditPersonReads(
    db,
    principal,
    { view: 'expiring_permits', targetType: 'grid', targetId: grid },
    rows.map((row) => row.id),
    purpose,
  );
  const permits = rows.map((row) => ({
    ...presentPermit({ ...row, id: row.permit_id }, settings),
    unitCode: row.unit_code,
    person: presentPerson(row, principal),
  }));
  return { grid, from: today, until, permits };
}
