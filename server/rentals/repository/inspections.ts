import { sql, type Insertable, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { codeWithin } from '../../db/code-prefix.ts';
import type { DB } from '../../db/schema.ts';

/** The visits' queries (rentals/inspections.ts): the place checks, the person checks, the rows written and the building's list. */

/**
 * For each person among `personIds` that `visible` lets the caller see (a condition on p.id), whether
 * they were registered at the visited unit (or anywhere in the building without one) on the visit's day.
 */
export async function registeredAtVisit(
  db: Kysely<DB>,
  personIds: number[],
  visit: { buildingCode: string; unitCode?: string | undefined; visitedOn: string },
  visible: RawBuilder<SqlBool>,
): Promise<Map<number, boolean>> {
  const place = visit.unitCode ? sql<SqlBool>`r.unit_code = ${visit.unitCode}` : codeWithin('r.unit_code', [visit.buildingCode]);
  const rows = await sql<{ id: number; registered_here: boolean }>`
    SELECT p.id, EXISTS (
      SELECT 1 FROM residencies r
      WHERE r.person_id = p.id AND ${place} AND r.moved_in <= ${visit.visitedOn}::date
        AND (r.moved_out IS NULL OR r.moved_out > ${visit.visitedOn}::date)) AS registered_here
    FROM persons p
    WHERE p.id = ANY(${personIds}::bigint[]) AND ${visible}`.execute(db);
  return new Map(rows.rows.map((row) => [row.id, row.registered_here]));
}

/** Whether the building has a let unit or a unit whose rental is registered. */
export async function hasRentalUnit(db: Kysely<DB>, buildingCode: string): Promise<boolean> {
  const rental = await db
    .selectFrom('units')
    .select('code')
    .where('building_code', '=', buildingCode)
    .where((where) => where.or([where('use', '=', 'rented'), where('rental_registered', '=', true)]))
    .limit(1)
    .executeTakeFirst();
  return rental !== undefined;
}

export async function codeExists(db: Kysely<DB>, table: 'buildings' | 'units', code: string): Promise<boolean> {
  const found = await db.selectFrom(table).select('code').where('code', '=', code).executeTakeFirst();
  return found !== undefined;
}

export async function insertInspection(db: Kysely<DB>, inspection: Insertable<DB['inspections']>): Promise<number> {
  const row = await db.insertInto('inspections').values(inspection).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function insertPersonChecks(db: Kysely<DB>, checks: Insertable<DB['inspection_person_checks']>[]): Promise<void> {
  if (checks.length === 0) return;
  await db.insertInto('inspection_person_checks').values(checks).execute();
}

export async function inspectionsOfBuilding(db: Kysely<DB>, buildingCode: string, limit: number) {
  return db
    .selectFrom('inspections')
    .select([
      'id',
      'unit_code as unitCode',
      'inspector_role as role',
      'inspector_user_id as inspectorUserId',
      'collector_id as collectorId',
      'visited_on as visitedOn',
      'doors_ok as doorsOk',
      'hygiene_good as hygieneGood',
      'neighbours_good as neighboursGood',
      'tenants_registered as tenantsRegistered',
      'clue_given as clueGiven',
      'notes',
    ])
    .where('building_code', '=', buildingCode)
    .orderBy('visited_on', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
