import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/service.ts';
import type { Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';
import { chinaToday } from '../domain/calendar.ts';
import { HttpError, notFound } from '../http/errors.ts';
import {
  assignmentsOf,
  endAssignments,
  findCollector,
  gridExists,
  insertAssignment,
  insertCollector,
  listCollectors,
  updateCollector,
  type AssignmentRecord,
  type CollectorFields,
  type CollectorFilter,
  type CollectorRecord,
} from './repository.ts';

/**
 * Collector records and their grid assignments. A full-time collector owns one grid: assigning
 * them elsewhere ends the current assignment the day the new one starts (the database refuses
 * a second open one too, see sql/0004_collectors.sql). A part-time collector may serve several.
 */
export interface CollectorDetail extends CollectorRecord {
  assignments: AssignmentRecord[];
}

const invalidField = (field: string, message: string, zh: string) =>
  new HttpError(400, 'invalid_request', `Invalid body: ${field}: ${message}`, {
    fields: [{ field, code: 'invalid', message: `${field} ${message}`, messageZh: `${field}：${zh}` }],
  });

async function withAssignments(db: Kysely<DB> | Transaction<DB>, collectors: CollectorRecord[], openOnly: boolean): Promise<CollectorDetail[]> {
  const assignments = await assignmentsOf(
    db,
    collectors.map((collector) => collector.id),
    { openOnly },
  );
  return collectors.map((collector) => ({ ...collector, assignments: assignments.filter((assignment) => assignment.collectorId === collector.id) }));
}

export async function listCollectorDetails(db: Kysely<DB>, filter: CollectorFilter): Promise<{ total: number; collectors: CollectorDetail[] }> {
  const { total, collectors } = await listCollectors(db, filter);
  return { total, collectors: await withAssignments(db, collectors, true) };
}

/** One collector with every assignment, ended ones included (newest first). */
export async function collectorDetail(db: Kysely<DB> | Transaction<DB>, id: number): Promise<CollectorDetail> {
  const collector = await findCollector(db, id);
  if (!collector) throw notFound('Collector', String(id));
  const [detail] = await withAssignments(db, [collector], false);
  return detail!;
}

async function lockedCollector(trx: Transaction<DB>, id: number): Promise<CollectorRecord> {
  const collector = await findCollector(trx, id, { lock: true });
  if (!collector) throw notFound('Collector', String(id));
  return collector;
}

export async function createCollector(db: Kysely<DB>, principal: Principal, fields: CollectorFields): Promise<CollectorDetail> {
  return db.transaction().execute(async (trx) => {
    const id = await insertCollector(trx, fields);
    await recordAudit(trx, principal, { action: 'create', targetType: 'collector', targetId: id, details: { employment: fields.employment } });
    return collectorDetail(trx, id);
  });
}

export async function changeCollector(db: Kysely<DB>, principal: Principal, id: number, patch: Partial<CollectorFields>): Promise<CollectorDetail> {
  return db.transaction().execute(async (trx) => {
    const collector = await lockedCollector(trx, id);
    const open = await assignmentsOf(trx, [id], { openOnly: true });
    if (patch.employment === 'full_time' && collector.employment === 'part_time' && open.length > 1) {
      throw new HttpError(
        409,
        'several_open_assignments',
        `Collector ${id} serves ${open.length} grids; a full-time collector owns one. End the others first.`,
      );
    }
    await updateCollector(trx, id, patch);
    // A collector who leaves the service stops serving their grids today.
    if (patch.active === false)
      await endAssignments(
        trx,
        open.map((assignment) => assignment.id),
        chinaToday(),
      );
    await recordAudit(trx, principal, { action: 'update', targetType: 'collector', targetId: id, details: { fields: Object.keys(patch) } });
    return collectorDetail(trx, id);
  });
}

export async function assignCollector(db: Kysely<DB>, principal: Principal, id: number, gridCode: string, startsOn: string): Promise<CollectorDetail> {
  if (!(await gridExists(db, gridCode))) throw notFound('Grid', gridCode);
  return db.transaction().execute(async (trx) => {
    const collector = await lockedCollector(trx, id);
    if (!collector.active) throw new HttpError(409, 'collector_inactive', `Collector ${id} is not active`);
    const open = await assignmentsOf(trx, [id], { openOnly: true });
    if (open.some((assignment) => assignment.gridCode === gridCode)) {
      throw new HttpError(409, 'already_assigned', `Collector ${id} already serves grid ${gridCode}`);
    }
    const ending = collector.employment === 'full_time' ? open : [];
    if (ending.some((assignment) => startsOn < assignment.assignedOn)) {
      throw invalidField(
        'startsOn',
        `must not be before the current assignment started (${ending[0]!.assignedOn})`,
        `不能早于当前分配的开始日期（${ending[0]!.assignedOn}）`,
      );
    }
    await endAssignments(
      trx,
      ending.map((assignment) => assignment.id),
      startsOn,
    );
    const assignmentId = await insertAssignment(trx, id, gridCode, startsOn);
    await recordAudit(trx, principal, {
      action: 'assign',
      targetType: 'collector',
      targetId: id,
      details: { gridCode, startsOn, assignmentId, endedAssignments: ending.map((assignment) => assignment.id) },
    });
    return collectorDetail(trx, id);
  });
}

export async function endCollectorAssignment(
  db: Kysely<DB>,
  principal: Principal,
  id: number,
  assignmentId: number,
  endedOn: string,
): Promise<CollectorDetail> {
  return db.transaction().execute(async (trx) => {
    await lockedCollector(trx, id);
    const assignment = (await assignmentsOf(trx, [id], { openOnly: true })).find((candidate) => candidate.id === assignmentId);
    if (!assignment) throw notFound('Open assignment', String(assignmentId));
    if (endedOn < assignment.assignedOn)
      throw invalidField(
        'endedOn',
        `must not be before the assignment started (${assignment.assignedOn})`,
        `不能早于分配的开始日期（${assignment.assignedOn}）`,
      );
    await endAssignments(trx, [assignmentId], endedOn);
    await recordAudit(trx, principal, {
      action: 'end_assignment',
      targetType: 'collector',
      targetId: id,
      details: { assignmentId, gridCode: assignment.gridCode, endedOn },
    });
    return collectorDetail(trx, id);
  });
}
