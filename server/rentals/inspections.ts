import { sql, type Kysely, type SqlBool } from 'kysely';
import { recordAudit } from '../audit/service.ts';
import type { Principal } from '../auth/session.ts';
import { codeWithin } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';
import type { InspectorRole } from '../domain/rental-scoring.ts';
import { badRequest, HttpError, notFound } from '../http/errors.ts';
import { personInJurisdiction } from '../registrations/visibility.ts';
import { recordVisit } from './schedule.ts';

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
  const place = input.unitCode ? sql<SqlBool>`r.unit_code = ${input.unitCode}` : codeWithin('r.unit_code', [input.buildingCode]);
  const rows = await sql<{ id: number; registered_here: boolean }>`
    SELECT p.id, EXISTS (
      SELECT 1 FROM residencies r
      WHERE r.person_id = p.id AND ${place} AND r.moved_in <= ${input.visitedOn}::date
        AND (r.moved_out IS NULL OR r.moved_out > ${input.visitedOn}::date)) AS registered_here
    FROM persons p
    WHERE p.id = ANY(${checks.map((check) => check.personId)}::bigint[]) AND ${personInJurisdiction(principal, 'p.id')}`.execute(db);
  const registeredHere = new Map(rows.rows.map((row) => [row.id, row.registered_here]));
  return checks.map((check, index) => {
    const registered = registeredHere.get(check.personId);
    if (registered === undefined) throw notFound('Person', String(check.personId));
    if (!registered && !check.foundHere) {
      throw badRequest('invalid_request', `people.${index}: person ${check.personId} is neither registered nor found here`, {
        fields: [{
          field: `people.${index}.foundHere`, code: 'invalid',
          message: 'a person neither registered nor found in the visited place is not a check of it',
          messageZh: `people.${index}.foundHere：既未在此登记、也未在走访时见到的人员不能作为核查对象`,
        }],
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
  const rental = await db
    .selectFrom('units')
    .select('code')
    .where('building_code', '=', input.buildingCode)
    .where((where) => where.or([where('use', '=', 'rented'), where('rental_registered', '=', true)]))
    .limit(1)
    .executeTakeFirst();
  if (rental) return;
  throw new HttpError(409, 'not_a_rental', `Building ${input.buildingCode} has no rented unit and no registered rental: rental findings need a rental house`, {
    field: 'buildingCode',
  });
}

async function assertBuildingAndUnit(db: Kysely<DB>, buildingCode: string, unitCode: string | undefined): Promise<void> {
  const building = await db.selectFrom('buildings').select('code').where('code', '=', buildingCode).executeTakeFirst();
  if (!building) throw notFound('Building', buildingCode);
  if (unitCode === undefined) return;
  if (!unitCode.startsWith(buildingCode)) throw badRequest('unit_not_in_building', `Unit ${unitCode} is not in building ${buildingCode}`, { field: 'unitCode' });
  const unit = await db.selectFrom('units').select('code').where('code', '=', unitCode).executeTakeFirst();
  if (!unit) throw notFound('Unit', unitCode);
}

/** Records a visit by the calling police officer or collector and moves the schedule on. */
export async function recordInspection(db: Kysely<DB>, principal: Principal, input: InspectionInput): Promise<{ id: number }> {
  await assertBuildingAndUnit(db, input.buildingCode, input.unitCode);
  await assertRentalHouse(db, input);
  const checks = await checkedPeople(db, principal, input);
  return db.transaction().execute(async (trx) => {
    const role = principal.role as InspectorRole;
    const row = await trx
      .insertInto('inspections')
      .values({
        building_code: input.buildingCode,
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
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (checks.length > 0) {
      await trx
        .insertInto('inspection_person_checks')
        .values(checks.map((check) => ({ inspection_id: row.id, person_id: check.personId, found_here: check.foundHere, registered_here: check.registeredHere })))
        .execute();
    }
    await recordVisit(trx, input.buildingCode, role, input.visitedOn);
    await recordAudit(trx, principal, {
      action: 'create', targetType: 'inspection', targetId: row.id,
      details: { buildingCode: input.buildingCode, visitedOn: input.visitedOn, checkedPeople: checks.length },
    });
    return { id: row.id };
  });
}

export async function inspectionsOfBuilding(db: Kysely<DB>, buildingCode: string, limit: number) {
  return db
    .selectFrom('inspections')
    .select([
      'id', 'unit_code as unitCode', 'inspector_role as role', 'inspector_user_id as inspectorUserId', 'collector_id as collectorId',
      'visited_on as visitedOn', 'doors_ok as doorsOk', 'hygiene_good as hygieneGood', 'neighbours_good as neighboursGood',
      'tenants_registered as tenantsRegistered', 'clue_given as clueGiven', 'notes',
    ])
    .where('building_code', '=', buildingCode)
    .orderBy('visited_on', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
