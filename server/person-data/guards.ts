import type { Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { DB, UnitUse } from '../db/schema.ts';
import { isWithinJurisdiction } from '../domain/codes.ts';
import { normalizeIdNumber } from '../domain/id-number.ts';
import { HttpError } from '../http/errors.ts';
import { notFoundAt, ruleViolation } from '../http/problems.ts';
import { currentResidency, findUnitForRegistration, gridExists, lockPerson, personHasLivedIn } from './repository.ts';
import type { PersonRow } from './visibility.ts';

/**
 * Who works with person data: collectors in their own grids, police in their jurisdiction.
 * Leaders, planners, admins and auditors never see a person (DOMAIN.md), so they get 403.
 */
export const REGISTRARS = ['collector', 'police'] as const;

/**
 * Object-level checks for the writes and reads of person data. Outside one's jurisdiction a unit or
 * person is "not found" (404), so guessing reveals nothing; the error names the input field.
 */

export function assertCodeInJurisdiction(principal: Principal, code: string, field: string, what: string): void {
  if (!isWithinJurisdiction(code, principal.jurisdiction)) throw notFoundAt(field, what, code);
}

/** The unit exists and its building still stands; people cannot be registered into rubble. */
export async function assertUnitOpen(db: Kysely<DB>, code: string, field: string): Promise<{ use: UnitUse }> {
  const unit = await findUnitForRegistration(db, code);
  if (!unit) throw notFoundAt(field, 'Unit', code);
  if (unit.building_status === 'demolished') {
    throw ruleViolation(409, [{ field, code: 'unit_demolished', message: `Unit ${code} belongs to a demolished building` }]);
  }
  return { use: unit.use };
}

/** Unit uses where people rarely live: a move-in there is more often a mistyped room than a fact. */
const UNUSUAL_HOMES: readonly UnitUse[] = ['shop'];

/**
 * A move-in into a shop (商铺) may be true (a shopkeeper sleeping at the back) but is usually a
 * wrong room: 409 confirmation_required, naming the use, until the form says confirmUnitUse: true.
 */
export function assertUnitUseConfirmed(code: string, use: UnitUse, confirmed: boolean | undefined): void {
  if (confirmed === true || !UNUSUAL_HOMES.includes(use)) return;
  const message = `Unit ${code} is recorded as a ${use}, not a home: check the room, or send confirmUnitUse: true to register the move-in anyway`;
  throw new HttpError(409, 'confirmation_required', message, {
    unitUse: use,
    fields: [{ field: 'confirmUnitUse', code: `confirm_unit_use_${use}`, message }],
  });
}

export interface PersonReference {
  personId?: number | undefined;
  idNumber?: string | undefined;
}

/** Locks the person when they have lived in the principal's jurisdiction; undefined otherwise. */
export async function lockVisiblePerson(db: Kysely<DB>, principal: Principal, personId: number): Promise<PersonRow | undefined> {
  const person = await lockPerson(db, { id: personId });
  if (!person || !(await personHasLivedIn(db, person.id, principal.jurisdiction))) return undefined;
  return person;
}

/**
 * Locks a person named by row id (only someone who has lived in one's jurisdiction) or by the
 * number on their papers (anyone: the holder is standing in front of the collector).
 */
export async function lockReferencedPerson(db: Kysely<DB>, principal: Principal, reference: PersonReference): Promise<PersonRow> {
  if (reference.personId !== undefined) {
    const person = await lockVisiblePerson(db, principal, reference.personId);
    if (!person) throw notFoundAt('personId', 'Person', reference.personId);
    return person;
  }
  const idNumber = normalizeIdNumber(reference.idNumber ?? '');
  const person = await lockPerson(db, { idNumber });
  if (!person) throw notFoundAt('idNumber', 'Person with ID number', idNumber);
  return person;
}

/** The person's current residency, which must lie in the principal's jurisdiction (writes about them need it). */
export async function currentResidencyHere(db: Kysely<DB>, principal: Principal, person: PersonRow, field: string) {
  const current = await currentResidency(db, person.id);
  if (!current) throw ruleViolation(409, [{ field, code: 'not_resident', message: `Person ${person.id} has no current residence` }]);
  if (!isWithinJurisdiction(current.unit_code, principal.jurisdiction)) throw notFoundAt(field, 'Person', person.id);
  return current;
}

/** A grid inside the principal's jurisdiction that exists; reports and lists are per grid. */
export async function assertGridVisible(db: Kysely<DB>, principal: Principal, grid: string): Promise<void> {
  assertCodeInJurisdiction(principal, grid, 'grid', 'Grid');
  if (!(await gridExists(db, grid))) throw notFoundAt('grid', 'Grid', grid);
}
