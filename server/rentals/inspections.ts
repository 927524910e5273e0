import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/service.ts';
import type { Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';
import type { InspectorRole } from '../domain/rental-scoring.ts';
import { badRequest, notFound } from '../http/errors.ts';
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
    await recordVisit(trx, input.buildingCode, role, input.visitedOn);
    await recordAudit(trx, principal, {
      action: 'create', targetType: 'inspection', targetId: row.id, details: { buildingCode: input.buildingCode, visitedOn: input.visitedOn },
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
