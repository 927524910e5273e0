import type { Insertable, Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import { recordAudit, type AuditEntry } from '../audit/service.ts';
import type { DB, PersonsTable } from '../db/schema.ts';
import { isWithinJurisdiction } from '../domain/codes.ts';
import {
  eventBeforeBirthProblem,
  isRegistrationExempt,
  registrationDateProblems,
  resolveIdentity,
  type IdentityInput,
  type ResolvedIdentity,
  type RuleProblem,
} from '../domain/registration-rules.ts';
import { notFoundAt, ruleViolation, throwIfAny } from '../http/problems.ts';
import {
  assertCodeInJurisdiction,
  assertUnitOpen,
  assertUnitUseConfirmed,
  currentResidencyHere,
  lockReferencedPerson,
  type PersonReference,
} from '../person-data/guards.ts';
import { currentResidency, lockPerson } from '../person-data/repository.ts';
import type { PersonCorrection, PersonInput } from '../person-data/schemas.ts';
import { stayRecordOf, type StayRecord } from '../person-data/stays.ts';
import { auditPersonReads, presentPerson, type PersonRow, type PersonView } from '../person-data/visibility.ts';
import { flagIfEmptied, occupyVacantUnit } from '../units/service.ts';
import {
  closeResidency,
  findVisiblePerson,
  idNumberHolder,
  insertPersonIfNew,
  insertResidency,
  lastMoveOut,
  permitsOf,
  residenceRows,
  searchPersons,
  setRegistrationExempt,
  staysOfPerson,
  updatePerson,
  type PersonSearch,
} from './repository.ts';

/**
 * People: the registration workflow (move-in of one person or a family, move between units,
 * move-out), reading a person (always audited) with their residence history, searching, and
 * correcting their record.
 */

export interface Arrival {
  /** Where this person sits in the request body ('person', 'people.1'): errors point there. */
  field: string;
  person: PersonInput;
}

export interface MoveInRequest {
  unitCode: string;
  movedIn: string;
  registeredAt: string;
  /** The registrar confirmed a move-in into a unit that is not usually a home (a shop). */
  confirmUnitUse?: boolean | undefined;
  arrivals: Arrival[];
}

export interface AdmittedPerson {
  personId: number;
  personCreated: boolean;
  residencyId: number;
  registeredLate: boolean;
  registrationExempt: boolean;
}

type ResolvedArrival = Arrival & { identity: ResolvedIdentity };

/**
 * Registers everyone in `arrivals` into one unit, all or none. People are matched by ID or
 * passport number and created when new. Rule problems of the whole form come back together.
 */
export async function registerMoveIn(db: Kysely<DB>, principal: Principal, request: MoveInRequest, today: string): Promise<AdmittedPerson[]> {
  const arrivals = resolveArrivals(request, today);
  assertCodeInJurisdiction(principal, request.unitCode, 'unitCode', 'Unit');
  const identityConflicts: IdentityConflict[] = [];
  try {
    return await admitAll(db, principal, request, arrivals, identityConflicts);
  } catch (error) {
    // The registration rolled back; the conflict's audit row must survive it, in its own transaction.
    await auditIdentityConflicts(db, principal, request.unitCode, identityConflicts);
    throw error;
  }
}

async function admitAll(db: Kysely<DB>, principal: Principal, request: MoveInRequest, arrivals: ResolvedArrival[], identityConflicts: IdentityConflict[]) {
  return db.transaction().execute(async (trx) => {
    const unit = await assertUnitOpen(trx, request.unitCode, 'unitCode');
    assertUnitUseConfirmed(request.unitCode, unit.use, request.confirmUnitUse);
    // Lock people in one order (by ID number) so two families sharing a member cannot deadlock.
    const inLockOrder = [...arrivals].sort((a, b) => (a.identity.idNumber < b.identity.idNumber ? -1 : 1));
    const admitted = new Map<Arrival, AdmittedPerson>();
    const conflicts: RuleProblem[] = [];
    for (const arrival of inLockOrder) {
      const outcome = await admit(trx, principal, request, arrival, identityConflicts);
      if (Array.isArray(outcome)) conflicts.push(...outcome);
      else admitted.set(arrival, outcome.admitted);
    }
    throwIfAny(409, conflicts);
    const results = arrivals.map((arrival) => admitted.get(arrival)!);
    const useChange = await occupyVacantUnit(
      trx,
      request.unitCode,
      unit.use,
      arrivals.map((arrival) => arrival.person.category),
      results.map((result) => result.residencyId),
      request.movedIn,
    );
    // Audit last: its hash chain takes a database-wide lock, which must not be held while waiting for person locks.
    await recordAudit(trx, principal, [...results.map((result) => moveInAudit(request.unitCode, result)), ...(useChange ? [useChange] : [])]);
    return results;
  });
}

/** Checks that need no database: dates, ID numbers, categories, duplicates within the form. */
function resolveArrivals(request: MoveInRequest, today: string): ResolvedArrival[] {
  const problems = registrationDateProblems({ eventField: 'movedIn', eventDate: request.movedIn, registeredAt: request.registeredAt }, today);
  const seen = new Set<string>();
  const resolved = request.arrivals.map((arrival) => {
    const { identity, problems: identityProblems } = resolveIdentity(arrival.person, today, arrival.field);
    problems.push(...identityProblems);
    if (!identity) return undefined;
    const beforeBirth = eventBeforeBirthProblem(identity.birthDate, request.movedIn, 'movedIn');
    if (beforeBirth) problems.push(beforeBirth);
    if (seen.has(identity.idNumber)) {
      problems.push({ field: `${arrival.field}.idNumber`, code: 'duplicate_person', message: 'The same person appears twice in this registration' });
    }
    seen.add(identity.idNumber);
    return { ...arrival, identity };
  });
  throwIfAny(400, problems);
  return resolved as ResolvedArrival[];
}

async function admit(
  trx: Kysely<DB>,
  principal: Principal,
  request: MoveInRequest,
  arrival: ResolvedArrival,
  identityConflicts: IdentityConflict[],
): Promise<{ admitted: AdmittedPerson } | RuleProblem[]> {
  const { person, created } = await lockOrCreatePerson(trx, arrival);
  const differing = created ? [] : differingIdentityFields(person, arrival);
  const problems = differing.length > 0 ? [identityConflictProblem(arrival.field)] : [];
  if (differing.length > 0) identityConflicts.push({ personId: person.id, fields: differing });
  // A person this transaction created has no stays yet: nothing to read about them.
  if (!created) problems.push(...(await stayProblems(trx, principal, request, arrival, person.id)));
  if (problems.length > 0) return problems;
  if (!created) await updateChangeableFields(trx, person, arrival.person);
  const exempt = isRegistrationExempt(person.birth_date, request.movedIn);
  const residency = await insertResidency(trx, {
    personId: person.id,
    unitCode: request.unitCode,
    movedIn: request.movedIn,
    registeredAt: request.registeredAt,
    exempt,
  });
  return {
    admitted: { personId: person.id, personCreated: created, residencyId: residency.id, registeredLate: residency.registered_late, registrationExempt: exempt },
  };
}

/** Whether the person can move in as far as their stays go: not living anywhere now, not moving in before their last move-out. */
async function stayProblems(trx: Kysely<DB>, principal: Principal, request: MoveInRequest, arrival: ResolvedArrival, personId: number): Promise<RuleProblem[]> {
  const current = await currentResidency(trx, personId);
  if (current) return [alreadyResident(principal, arrival.field, current.unit_code)];
  const movedOutLast = await lastMoveOut(trx, personId);
  if (movedOutLast === null || request.movedIn >= movedOutLast) return [];
  return [{ field: 'movedIn', code: 'overlaps_history', message: `movedIn ${request.movedIn} is before this person's last move-out on ${movedOutLast}` }];
}

/**
 * The person of the arrival, created or locked. A person created here needs no lock and no read:
 * the insert returns the row, which no other transaction sees before this one commits (a
 * registration sent 4 statements fewer for a newcomer, the bench's usual arrival: issue 19).
 */
async function lockOrCreatePerson(trx: Kysely<DB>, arrival: ResolvedArrival): Promise<{ person: PersonRow; created: boolean }> {
  const created = await insertPersonIfNew(trx, newPersonValues(arrival));
  if (created) return { person: created, created: true };
  const person = await lockPerson(trx, { idNumber: arrival.identity.idNumber });
  // ON CONFLICT DO NOTHING waited for the other insert to commit, so the row is there to lock.
  if (!person) throw new Error('person vanished between insert and lock');
  return { person, created: false };
}

function newPersonValues({ person, identity }: ResolvedArrival): Insertable<PersonsTable> {
  return {
    id_type: identity.idType,
    id_number: identity.idNumber,
    nationality: identity.nationality,
    name: person.name,
    sex: identity.sex,
    birth_date: identity.birthDate,
    ethnicity: person.ethnicity ?? null,
    hukou_address: person.hukouAddress ?? null,
    phone: person.phone ?? null,
    category: person.category,
    floating_type: person.floatingType ?? null,
    employer: person.employer ?? null,
  };
}

interface IdentityConflict {
  personId: number;
  /** Which identity fields differ (names of fields, never their values). */
  fields: string[];
}

/** Identity on file must match the form; a real change goes through a correction, which is audited as such. */
function differingIdentityFields(stored: PersonRow, { person, identity }: ResolvedArrival): string[] {
  const pairs: [string, string, string][] = [
    ['idType', stored.id_type, identity.idType],
    ['name', stored.name, person.name],
    ['sex', stored.sex, identity.sex],
    ['birthDate', stored.birth_date, identity.birthDate],
    ['nationality', stored.nationality, identity.nationality],
  ];
  return pairs.filter(([, onFile, given]) => onFile !== given).map(([name]) => name);
}

/**
 * One neutral answer for any identity conflict: saying which field differs (or where the holder
 * lives) would let anyone who types ID numbers learn who holds them. Police follow up from the audit row.
 */
function identityConflictProblem(field: string): RuleProblem {
  return {
    field: `${field}.idNumber`,
    code: 'identity_conflict',
    message: 'The details given do not match the person on file with this ID number; check the papers, or ask the police station to verify the record',
  };
}

async function auditIdentityConflicts(db: Kysely<DB>, principal: Principal, unitCode: string, conflicts: IdentityConflict[]): Promise<void> {
  await recordAudit(
    db,
    principal,
    conflicts.map((conflict) => ({
      action: 'identity_conflict',
      targetType: 'person',
      targetId: conflict.personId,
      details: { unitCode, fields: conflict.fields },
    })),
  );
}

/** Category, contacts and employer change with a move; the form's values replace the stored ones. */
async function updateChangeableFields(trx: Kysely<DB>, stored: PersonRow, person: PersonInput): Promise<void> {
  await updatePerson(trx, stored.id, {
    category: person.category,
    floating_type: person.floatingType ?? null,
    ethnicity: person.ethnicity ?? stored.ethnicity,
    hukou_address: person.hukouAddress ?? stored.hukou_address,
    phone: person.phone ?? stored.phone,
    employer: person.employer ?? stored.employer,
  });
}

function alreadyResident(principal: Principal, field: string, unitCode: string): RuleProblem {
  // Say where only when the caller may see that unit; elsewhere in the city stays "elsewhere".
  const where = isWithinJurisdiction(unitCode, principal.jurisdiction) ? `in unit ${unitCode}` : 'elsewhere';
  return { field: `${field}.idNumber`, code: 'already_resident', message: `This person already lives ${where}; register a move or a move-out first` };
}

function moveInAudit(unitCode: string, result: AdmittedPerson): AuditEntry {
  return {
    action: 'move_in',
    targetType: 'person',
    targetId: result.personId,
    details: {
      residencyId: result.residencyId,
      unitCode,
      personCreated: result.personCreated,
      registeredLate: result.registeredLate,
      registrationExempt: result.registrationExempt,
    },
  };
}

// --- move between units ----------------------------------------------------------------------------

export interface MoveRequest extends PersonReference {
  toUnitCode: string;
  movedOn: string;
  registeredAt: string;
}

export interface MoveResult {
  personId: number;
  /** Null when the person moved in from outside the caller's jurisdiction: the old address is not theirs to see. */
  fromResidencyId: number | null;
  fromUnitCode: string | null;
  toResidencyId: number;
  toUnitCode: string;
  registeredLate: boolean;
  departureUnregistered: boolean;
}

/** Closes the current stay and opens the new one in one transaction: there is never zero or two current residences. */
export async function registerMove(db: Kysely<DB>, principal: Principal, request: MoveRequest, today: string): Promise<MoveResult> {
  throwIfAny(400, registrationDateProblems({ eventField: 'movedOn', eventDate: request.movedOn, registeredAt: request.registeredAt }, today));
  assertCodeInJurisdiction(principal, request.toUnitCode, 'toUnitCode', 'Unit');
  return db.transaction().execute(async (trx) => {
    const toUnit = await assertUnitOpen(trx, request.toUnitCode, 'toUnitCode');
    const person = await lockReferencedPerson(trx, principal, request);
    const current = await currentResidency(trx, person.id);
    if (!current)
      throw ruleViolation(409, [{ field: referenceField(request), code: 'not_resident', message: 'This person has no current residence; register a move-in' }]);
    if (current.unit_code === request.toUnitCode) {
      throw ruleViolation(409, [{ field: 'toUnitCode', code: 'same_unit', message: `This person already lives in unit ${request.toUnitCode}` }]);
    }
    assertNotBeforeMoveIn(request.movedOn, current.moved_in, 'movedOn', isWithinJurisdiction(current.unit_code, principal.jurisdiction));
    const closed = await closeResidency(trx, current.id, request.movedOn, request.registeredAt);
    const opened = await insertResidency(trx, {
      personId: person.id,
      unitCode: request.toUnitCode,
      movedIn: request.movedOn,
      registeredAt: request.registeredAt,
      exempt: isRegistrationExempt(person.birth_date, request.movedOn),
    });
    const result: MoveResult = {
      personId: person.id,
      fromResidencyId: current.id,
      fromUnitCode: current.unit_code,
      toResidencyId: opened.id,
      toUnitCode: request.toUnitCode,
      registeredLate: opened.registered_late,
      departureUnregistered: closed.departure_unregistered,
    };
    const unitChanges = [
      await occupyVacantUnit(trx, request.toUnitCode, toUnit.use, [person.category], [opened.id], request.movedOn),
      await flagIfEmptied(trx, current.unit_code, request.movedOn),
    ];
    await auditPersonWrite(trx, principal, 'move', result);
    await recordUnitChanges(trx, principal, unitChanges);
    return isWithinJurisdiction(current.unit_code, principal.jurisdiction) ? result : { ...result, fromResidencyId: null, fromUnitCode: null };
  });
}

async function recordUnitChanges(trx: Kysely<DB>, principal: Principal, changes: (AuditEntry | null)[]): Promise<void> {
  const entries = changes.filter((change): change is AuditEntry => change !== null);
  if (entries.length > 0) await recordAudit(trx, principal, entries);
}

/** The result, less the person id that is already the audit row's target. */
async function auditPersonWrite(
  trx: Kysely<DB>,
  principal: Principal,
  action: 'move' | 'move_out',
  { personId, ...details }: { personId: number },
): Promise<void> {
  await recordAudit(trx, principal, { action, targetType: 'person', targetId: personId, details });
}

const referenceField = (reference: PersonReference) => (reference.personId === undefined ? 'idNumber' : 'personId');

/** `sayDate`: false when the stay lies outside the caller's jurisdiction (its dates are not theirs to see). */
function assertNotBeforeMoveIn(eventDate: string, movedIn: string, field: string, sayDate = true): void {
  if (eventDate >= movedIn) return;
  const onDate = sayDate ? ` on ${movedIn}` : ' at the current address';
  throw ruleViolation(400, [{ field, code: 'before_move_in', message: `${field} ${eventDate} is before the move-in${onDate}` }]);
}

// --- move-out --------------------------------------------------------------------------------------

export interface MoveOutRequest extends PersonReference {
  movedOut: string;
  registeredAt: string;
  /** The collector found the person gone: nobody deregistered, so the departure counts as unregistered. */
  foundAbsent: boolean;
}

export interface MoveOutResult {
  personId: number;
  residencyId: number;
  unitCode: string;
  movedOut: string;
  deregisteredAt: string | null;
  departureUnregistered: boolean;
}

export async function registerMoveOut(db: Kysely<DB>, principal: Principal, request: MoveOutRequest, today: string): Promise<MoveOutResult> {
  throwIfAny(400, registrationDateProblems({ eventField: 'movedOut', eventDate: request.movedOut, registeredAt: request.registeredAt }, today));
  return db.transaction().execute(async (trx) => {
    const person = await lockReferencedPerson(trx, principal, request);
    const current = await currentResidencyHere(trx, principal, person, referenceField(request));
    assertNotBeforeMoveIn(request.movedOut, current.moved_in, 'movedOut');
    const deregisteredAt = request.foundAbsent ? null : request.registeredAt;
    const closed = await closeResidency(trx, current.id, request.movedOut, deregisteredAt);
    const result: MoveOutResult = {
      personId: person.id,
      residencyId: current.id,
      unitCode: current.unit_code,
      movedOut: request.movedOut,
      deregisteredAt,
      departureUnregistered: closed.departure_unregistered,
    };
    const emptied = await flagIfEmptied(trx, current.unit_code, request.movedOut);
    await auditPersonWrite(trx, principal, 'move_out', result);
    await recordUnitChanges(trx, principal, [emptied]);
    return result;
  });
}

// --- one person: reading (always audited), residence history ------------------------------------

export interface ResidenceView extends StayRecord {
  address: string;
  floor: number;
  room: string;
}

/** Police see a person's whole history; collectors only the stays inside their grids. */
export async function residencesOf(db: Kysely<DB>, principal: Principal, personId: number): Promise<ResidenceView[]> {
  const rows = await residenceRows(db, principal, personId);
  return rows.map((row) => ({ ...stayRecordOf(row), address: row.address, floor: row.floor, room: row.room }));
}

async function visiblePerson(db: Kysely<DB>, principal: Principal, personId: number): Promise<PersonRow> {
  const person = await findVisiblePerson(db, principal, personId);
  if (!person) throw notFoundAt('id', 'Person', personId);
  return person;
}

export async function readPerson(db: Kysely<DB>, principal: Principal, personId: number, purpose: string) {
  const person = await visiblePerson(db, principal, personId);
  const residences = await residencesOf(db, principal, personId);
  const permits = await permitsOf(db, personId);
  await auditPersonReads(db, principal, { view: 'person', targetType: 'person', targetId: personId }, [personId], purpose);
  return { person: presentPerson(person, principal), currentResidence: residences.find((residence) => residence.movedOut === null) ?? null, permits };
}

export async function readResidenceHistory(db: Kysely<DB>, principal: Principal, personId: number, purpose: string) {
  await visiblePerson(db, principal, personId);
  const residences = await residencesOf(db, principal, personId);
  await auditPersonReads(db, principal, { view: 'residence_history', targetType: 'person', targetId: personId }, [personId], purpose);
  return { personId, residences };
}

// --- search --------------------------------------------------------------------------------------

export const SEARCH_LIMIT = 50;

export interface SearchHit {
  person: PersonView;
  currentResidence: { unitCode: string; address: string; room: string } | null;
}

/**
 * People inside the principal's jurisdiction by ID number, exact name (and birth year), building
 * address (substring) or unit/building/grid code prefix. The audit row lists every hit, and is
 * written for a search that finds nobody too: probing for a number is itself a look at a person.
 */
export async function searchPeople(db: Kysely<DB>, principal: Principal, search: PersonSearch, purpose: string) {
  const rows = await searchPersons(db, principal, search, SEARCH_LIMIT + 1);
  const hits: SearchHit[] = rows.slice(0, SEARCH_LIMIT).map((row) => ({
    person: presentPerson(row, principal),
    currentResidence:
      row.unit_code !== null && (principal.role === 'police' || isWithinJurisdiction(row.unit_code, principal.jurisdiction))
        ? { unitCode: row.unit_code, address: row.address!, room: row.room! }
        : null,
  }));
  const view = { view: 'search', action: 'search', targetType: 'person_search', targetId: null, details: { by: search.by } } as const;
  await auditPersonReads(
    db,
    principal,
    view,
    hits.map((hit) => hit.person.id),
    purpose,
  );
  return { hits, truncated: rows.length > SEARCH_LIMIT };
}

// --- correction ----------------------------------------------------------------------------------

type PersonUpdate = Omit<PersonRow, 'id'>;

/**
 * Corrects a person's record (a typo, a new document, a changed name). Sex and birth date of an ID
 * card holder follow the number. Only the names of the changed fields are audited, never values.
 */
export async function correctPerson(db: Kysely<DB>, principal: Principal, personId: number, correction: PersonCorrection, today: string) {
  return db.transaction().execute(async (trx) => {
    const stored = await lockPerson(trx, { id: personId });
    if (!stored) throw notFoundAt('id', 'Person', personId);
    await currentResidencyHere(trx, principal, stored, 'id');
    const updated = correctedValues(stored, correction, today);
    await assertIdNumberFree(trx, stored, updated.id_number);
    const changedColumns = (Object.keys(updated) as (keyof PersonUpdate)[]).filter((key) => updated[key] !== stored[key]);
    // Named as the API names them (birth_date → birthDate), like the fields of the request.
    const changedFields = changedColumns.map((column) => column.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase()));
    if (changedColumns.length > 0) {
      await updatePerson(trx, personId, updated);
      if (updated.birth_date !== stored.birth_date) await recomputeExemptions(trx, personId, updated.birth_date);
    }
    await recordAudit(trx, principal, {
      action: 'correct',
      targetType: 'person',
      targetId: personId,
      details: { fields: changedFields, reason: correction.reason },
    });
    return { person: presentPerson({ id: personId, ...updated }, principal), changedFields };
  });
}

function correctedValues(stored: PersonRow, correction: PersonCorrection, today: string): PersonUpdate {
  const idType = correction.idType ?? stored.id_type;
  // An ID card number determines sex and birth date; keep the stored ones only for passports.
  const keepStored = idType === 'passport';
  const category = correction.category ?? stored.category;
  const input: IdentityInput = {
    idType,
    idNumber: correction.idNumber ?? stored.id_number,
    sex: correction.sex ?? (keepStored ? stored.sex : undefined),
    birthDate: correction.birthDate ?? (keepStored ? stored.birth_date : undefined),
    nationality: correction.nationality ?? (keepStored ? stored.nationality : undefined),
    category,
    floatingType: correction.floatingType !== undefined ? correction.floatingType : category === 'floating' ? stored.floating_type : null,
  };
  const { identity, problems } = resolveIdentity(input, today);
  throwIfAny(400, problems);
  return {
    id_type: identity!.idType,
    id_number: identity!.idNumber,
    sex: identity!.sex,
    birth_date: identity!.birthDate,
    nationality: identity!.nationality,
    name: correction.name ?? stored.name,
    category,
    floating_type: (input.floatingType ?? null) as PersonRow['floating_type'],
    ethnicity: pick(correction.ethnicity, stored.ethnicity),
    hukou_address: pick(correction.hukouAddress, stored.hukou_address),
    phone: pick(correction.phone, stored.phone),
    employer: pick(correction.employer, stored.employer),
  };
}

/** undefined keeps the stored value; null clears it. */
const pick = <T>(given: T | null | undefined, stored: T | null): T | null => (given === undefined ? stored : given);

async function assertIdNumberFree(trx: Kysely<DB>, stored: PersonRow, idNumber: string): Promise<void> {
  if (idNumber === stored.id_number) return;
  if ((await idNumberHolder(trx, idNumber)) !== undefined)
    throw ruleViolation(409, [{ field: 'idNumber', code: 'id_number_taken', message: 'Another person is on file with this ID number' }]);
}

/** A corrected birth date can move a stay across the age-16 line, and with it the late flags. */
async function recomputeExemptions(trx: Kysely<DB>, personId: number, birthDate: string): Promise<void> {
  const stays = await staysOfPerson(trx, personId);
  for (const stay of stays) {
    const exempt = isRegistrationExempt(birthDate, stay.moved_in);
    if (exempt !== stay.registration_exempt) await setRegistrationExempt(trx, stay.id, exempt);
  }
}
