import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { CITY_TIME_ZONE } from '../../domain/calendar.ts';
import type { CaseKind, InspectorRole } from '../../domain/rental-scoring.ts';

/** The rows behind a score's factors (cases, inspections, stays), read by id for the score card (rentals/explanation.ts). */

export interface CaseEvidence {
  type: 'case';
  caseId: number;
  caseNo: string;
  kind: CaseKind;
  category: string;
  occurredOn: string;
}

export interface InspectionEvidence {
  type: 'inspection';
  inspectionId: number;
  visitedOn: string;
  role: InspectorRole;
  doorsOk: boolean | null;
  hygieneGood: boolean | null;
  neighboursGood: boolean | null;
  tenantsRegistered: boolean | null;
  clueGiven: boolean;
}

export async function casesById(db: Kysely<DB>, ids: number[]): Promise<CaseEvidence[]> {
  if (ids.length === 0) return [];
  const result = await sql<CaseEvidence>`
    SELECT 'case' AS type, id AS "caseId", case_no AS "caseNo", kind, category,
           (occurred_at AT TIME ZONE ${CITY_TIME_ZONE})::date AS "occurredOn"
    FROM cases WHERE id = ANY(${ids}::bigint[]) ORDER BY occurred_at`.execute(db);
  return result.rows;
}

export async function inspectionsById(db: Kysely<DB>, ids: number[]) {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('inspections')
    .select([
      sql<'inspection'>`'inspection'`.as('type'),
      'id as inspectionId',
      'visited_on as visitedOn',
      'inspector_role as role',
      'doors_ok as doorsOk',
      'hygiene_good as hygieneGood',
      'neighbours_good as neighboursGood',
      'tenants_registered as tenantsRegistered',
      'clue_given as clueGiven',
    ])
    .where('id', 'in', ids)
    .orderBy('visited_on')
    .execute();
  return rows;
}

/** Stays by id with the days from moving in to registering. */
export async function staysById(db: Kysely<DB>, ids: number[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('residencies')
    .select(['id', 'person_id', 'unit_code', 'moved_in', 'registered_at', sql<number>`registered_at - moved_in`.as('days')])
    .where('id', 'in', ids)
    .orderBy('moved_in')
    .execute();
}
