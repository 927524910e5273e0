import { sql, type Kysely, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { Principal } from '../auth/session.ts';
import { recordAudit } from '../audit/service.ts';
import { codeWithin } from '../db/code-prefix.ts';
import type { DB, PersonsTable } from '../db/schema.ts';
import { ageOn, maskIdNumber, maskPhone } from '../domain/id-number.ts';
import { chinaToday } from '../domain/calendar.ts';

/**
 * Who may see which person, and in what form. Police see everything inside their jurisdiction;
 * collectors see the people of their own grids with ID and phone numbers masked. A person is
 * inside a jurisdiction when any of their residencies (current or past) is.
 */

/** SQL condition: the person in `personIdColumn` has lived in the principal's jurisdiction. */
export function personInJurisdiction(principal: Principal, personIdColumn: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`EXISTS (SELECT 1 FROM residencies v WHERE v.person_id = ${sql.ref(personIdColumn)} AND ${codeWithin('v.unit_code', principal.jurisdiction)})`;
}

export const seesFullIdentity = (principal: Principal) => principal.role === 'police';

/** Person columns every presentation needs, for a select on `persons as p`. */
export const PERSON_COLUMNS = [
  'p.id',
  'p.id_type',
  'p.id_number',
  'p.name',
  'p.sex',
  'p.birth_date',
  'p.nationality',
  'p.ethnicity',
  'p.hukou_address',
  'p.phone',
  'p.category',
  'p.floating_type',
  'p.employer',
] as const;

export type PersonRow = Pick<
  Selectable<PersonsTable>,
  | 'id'
  | 'id_type'
  | 'id_number'
  | 'name'
  | 'sex'
  | 'birth_date'
  | 'nationality'
  | 'ethnicity'
  | 'hukou_address'
  | 'phone'
  | 'category'
  | 'floating_type'
  | 'employer'
>;

export interface PersonView {
  id: number;
  idType: PersonRow['id_type'];
  idNumber: string;
  name: string;
  sex: PersonRow['sex'];
  /** Only where the ID number is shown whole: the birth date is the masked part of an ID number. */
  birthDate?: string;
  /** Age in whole years today (China). Shown instead of the birth date wherever the ID is masked. */
  age: number;
  nationality: string;
  ethnicity: string | null;
  hukouAddress: string | null;
  phone: string | null;
  category: PersonRow['category'];
  floatingType: PersonRow['floating_type'];
  employer: string | null;
}

/** A person as the principal may see them: every role but police gets the masked form. */
export function presentPerson(row: PersonRow, principal: Principal): PersonView {
  const whole: PersonView = {
    id: row.id,
    idType: row.id_type,
    idNumber: row.id_number,
    name: row.name,
    sex: row.sex,
    birthDate: row.birth_date,
    age: ageOn(row.birth_date, chinaToday()),
    nationality: row.nationality,
    ethnicity: row.ethnicity,
    hukouAddress: row.hukou_address,
    phone: row.phone,
    category: row.category,
    floatingType: row.floating_type,
    employer: row.employer,
  };
  return seesFullIdentity(principal) ? whole : maskedPerson(whole);
}

/**
 * ID and phone numbers masked, and the birth date left out: the eight hidden digits of a GB 11643
 * number ARE the birth date, so showing it beside a masked number would give the number back.
 * The age in whole years stays (it leaves hundreds of candidate birth dates).
 */
export function maskedPerson(person: PersonView): PersonView {
  const { birthDate: _hidden, ...rest } = person;
  return {
    ...rest,
    idNumber: maskIdNumber(person.idNumber),
    phone: person.phone === null ? null : maskPhone(person.phone),
  };
}

export interface PersonDataView {
  /** Which screen or list: 'building_drilldown', 'person', 'late_registrations', … */
  view: string;
  /** The object looked at: the person themself, or the building, unit, grid or search that listed people. */
  targetType: 'person' | 'building' | 'unit' | 'grid' | 'person_search' | 'compound';
  targetId: string | number | null;
  action?: 'read' | 'search';
  /** Extra context; never ID numbers, names or phones (search terms included). */
  details?: Record<string, unknown>;
}

/**
 * One audit row per request that shows person data, listing every person shown in
 * details.personIds (ids only). One row instead of one per person keeps a 1000-line report from
 * paying the hash chain's per-row cost; audit_log_person_ids_idx answers "who looked at person X".
 */
export async function auditPersonReads(
  db: Kysely<DB>,
  principal: Principal,
  view: PersonDataView,
  personIds: Iterable<number>,
  purpose: string,
): Promise<void> {
  await recordAudit(db, principal, {
    action: view.action ?? 'read',
    targetType: view.targetType,
    targetId: view.targetId,
    purpose,
    details: { view: view.view, ...view.details, personIds: [...new Set(personIds)] },
  });
}
