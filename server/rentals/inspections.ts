import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/service.ts';
import type { Principal } from '../auth/session.ts';
import { noteFiguresWritten } from '../db/data-version.ts';
import type { DB } from '../db/schema.ts';
import type { InspectorRole } from '../domain/rental-scoring.ts';
import { badRequest, HttpError, notFound } from '../http/errors.ts';
import { personInJurisdiction } from '../person-data/visibility.ts';
import { codeExists, hasRentalUnit, insertInspection, insertPersonChecks, registeredAtVisit } from './repository/inspections.ts';
import { recordVisit } from './repository/schedule.ts';
import { streetCodeOf } from '../domain/codes.ts';

export interface InspectionInput {
  buildingCode: string;
  unitCode?: string;
  visitedOn: string;
  doorsOk?: boolean | null;
  hygieneGood?: boolean | null;
  neighboursGood?: boolean | null;
  tenantsRegistered?: boolean | null;
  clueGiven: boolean;
  notes?: string;
  /** People the visit checked (人户一致): found living in the visited place or not. */
  people?: PersonCheckInput[];
}

export interface PersonCheckInput {
  personId: number;
  foundHere: boolean;
}

interface CheckedPerson extends PersonCheckInput {
  registeredHere: boolean;
}

/**
 * Where each checked person was registered on the visit day, fixed now. Someone the caller
 * may not see (never lived in their area) is 404, as for any other object reference; someone
 * neither registered nor found in the visited place is not a check of this place.
 */
async function checkedPeople(db: Kysely<DB>, principal: Principal, input: InspectionInput): Promise<CheckedPerson[]> {
  const checks = input.people ?? [];
  if (checks.length === 0) return [];
  const registeredHere = await registeredAtVisit(
    db,
    checks.map((check) => check.personId),
    input,
    personInJurisdiction(principal, 'p.id'),
  );
  return checks.map((check, index) => {
    const registered = registeredHere.get(check.personId);
    if (registered === undefined) throw notFound('Person', String(check.personId));
    if (!registered && !check.foundHere) {
      throw badRequest('invalid_request', `people.${index}: person ${check.personId} is neither registered nor found here`, {
        fields: [
          {
            field: `people.${index}.foundHere`,
            code: 'invalid',
            message: 'a person neither registered nor found in the visited place is not a check of it',
            messageZh: `people.${index}.foundHere：既未在此登记、也未在走访时见到的人员不能作为核查对象`,
          },
        ],
      });
    }
    return { ...check, registeredHere: registered };
  });
}

const RENTAL_FINDINGS = ['doorsOk', 'hygieneGood', 'neighboursGood', 'tenantsRegistered'] as const;

/** Findings about a rental house (doors, hygiene, neighbours, tenants registered, a landlord's clue), as against 人户一致 checks only. */
const hasRentalFindings = (input: InspectionInput) => input.clueGiven || RENTAL_FINDINGS.some((key) => typeof input[key] === 'boolean');

/**
 * Rental findings score a rental house, so they need a building with a let unit (or a unit whose
 * rental is registered). A visit that only checks who lives where (人户一致) may be to any dwelling.
 */
async function assertRentalHouse(db: Kysely<DB>, input: InspectionInput): Promise<void> {
  if (!hasRentalFindings(input)) return;
  if (await hasRentalUnit(db, input.buildingCode)) return;
  throw new HttpError(409, 'not_a_rental', `Building ${input.buildingCode} has no rented unit and no registered rental: rental findings need a rental house`, {
    field: 'buildingCode',
  });
}

async function assertBuildingAndUnit(db: Kysely<DB>, buildingCode: string, unitCode: string | undefined): Promise<void> {
  if (!(await codeExists(db, 'buildings', buildingCode))) throw notFound('Building', buildingCode);
  if (unitCode === undefined) return;
  if (!unitCode.startsWith(buildingCode))
    throw badRequest('unit_not_in_building', `Unit ${unitCode} is not in building ${buildingCode}`, { field: 'unitCode' });
  if (!(await codeExists(db, 'units', unitCode))) throw notFound('Unit', unitCode);
}

/** Records a visit by the calling police officer or collector and moves the schedule on. */
export async function recordInspection(db: Kysely<DB>, principal: Principal, input: InspectionInput): Promise<{ id: number }> {
  await assertBuildingAndUnit(db, input.buildingCode, input.unitCode);
  await assertRentalHouse(db, input);
  const checks = await checkedPeople(db, principal, input);
  return db.transaction().execute(async (trx) => {
    const role = principal.role as InspectorRole;
    const id = await insertInspection(trx, {
      building_code: input.buildingCode,
      street_code: streetCodeOf(input.buildingCode),
      unit_code: input.unitCode ?? null,
      inspector_user_id: principal.userId,
      collector_id: role === 'collector' ? principal.collectorId : null,
      inspector_role: role,
      visited_on: input.visitedOn,
      doors_ok: input.doorsOk ?? null,
      hygiene_good: input.hygieneGood ?? null,
      neighbours_good: input.neighboursGood ?? null,
      tenants_registered: input.tenantsRegistered ?? null,
      clue_given: input.clueGiven,
      notes: input.notes ?? null,
    });
    await insertPersonChecks(
      trx,
      checks.map((check) => ({ inspection_id: id, person_id: check.personId, found_here: check.foundHere, registered_here: check.registeredHere })),
    );
    await recordVisit(trx, input.buildingCode, role, input.visitedOn);
    // Visits and their person checks carry no trigger (sql/0043); the 居住登记率 reads them.
    await noteFiguresWritten(trx);
    await recordAudit(trx, principal, {
      action: 'create',
      targetType: 'inspection',
      targetId: id,
      details: { buildingCode: input.buildingCode, visitedOn: input.visitedOn, checkedPeople: checks.length },
    });
    return { id };
  });
}
