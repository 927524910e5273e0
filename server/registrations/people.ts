import { sql, type Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import { recordAudit } from '../audit/service.ts';
import type { DB } from '../db/schema.ts';
import { isWithinJurisdiction } from '../domain/codes.ts';
import { isRegistrationExempt, resolveIdentity, type IdentityInput } from '../domain/registration-rules.ts';
import { currentResidencyHere } from './guards.ts';
import { notFoundAt, ruleViolation, throwIfAny } from './problems.ts';
import { lockPerson } from './repository.ts';
import { STAY_COLUMNS, stayRecordOf, type StayRecord } from './stays.ts';
import type { PersonCorrection } from './schemas.ts';
import { auditPersonReads, codeWithin, PERSON_COLUMNS, personInJurisdiction, presentPerson, type PersonRow, type PersonView } from './visibility.ts';

/** One person: reading them (always audited), their residence history, searching, and correcting their record. */

export interface ResidenceView extends StayRecord {
  address: string;
  floor: number;
  room: string;
}

/** Police see a person's whole history; collectors only the stays inside their grids. */
export async function residencesOf(db: Kysely<DB>, principal: Principal, personId: number): Promise<ResidenceView[]> {
  let query = db
    .selectFrom('residencies as r')
    .innerJoin('units as u', 'u.code', 'r.unit_code')
    .innerJoin('buildings as b', 'b.code', 'u.building_code')
    .select([...STAY_COLUMNS, 'b.address', 'u.floor', 'u.room'])
    .where('r.person_id', '=', personId)
    .orderBy('r.moved_in', 'desc')
    .orderBy('r.id', 'desc');
  if (principal.role !== 'police') query = query.where(codeWithin('r.unit_code', principal.jurisdiction));
  const rows = await query.execute();
  return rows.map((row) => ({ ...stayRecordOf(row), address: row.address, floor: row.floor, room: row.room }));
}

async function findVisiblePerson(db: Kysely<DB>, principal: Principal, personId: number): Promise<PersonRow> {
  const person = await db
    .selectFrom('persons as p')
    .select(PERSON_COLUMNS)
    .where('p.id', '=', personId)
    .where(personInJurisdiction(principal, 'p.id'))
    .executeTakeFirst();
  if (!person) throw notFoundAt('id', 'Person', personId);
  return person;
}

export async function readPerson(db: Kysely<DB>, principal: Principal, personId: number, purpose: string) {
  const person = await findVisiblePerson(db, principal, personId);
  const residences = await residencesOf(db, principal, personId);
  const permits = await db
    .selectFrom('permits')
    .select(['id', 'permit_no as permitNo', 'issued_on as issuedOn', 'expires_on as expiresOn', 'years', 'status', 'revoked_on as revokedOn'])
    .where('person_id', '=', personId)
    .orderBy('issued_on', 'desc')
    .execute();
  await auditPersonReads(db, principal, { view: 'person', targetType: 'person', targetId: personId }, [personId], purpose);
  return { person: presentPerson(person, principal), currentResidence: residences.find((residence) => residence.movedOut === null) ?? null, permits };
}

export async function readResidenceHistory(db: Kysely<DB>, principal: Principal, personId: number, purpose: string) {
  await findVisiblePerson(db, principal, personId);
  const residences = await residencesOf(db, principal, personId);
  await auditPersonReads(db, principal, { view: 'residence_history', targetType: 'person', targetId: personId }, [personId], purpose);
  return { personId, residences };
}

// --- search --------------------------------------------------------------------------------------

export type PersonSearch =
  | { by: 'idNumber'; idNumber: string }
  | { by: 'name'; name: string; birthYear?: number | undefined }
  | { by: 'address'; address: string }
  | { by: 'code'; code: string };

export const SEARCH_LIMIT = 50;

export interface SearchHit {
  person: PersonView;
  currentResidence: { unitCode: string; address: string; room: string } | null;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);

/**
 * People inside the principal's jurisdiction by ID number, exact name (and birth year), building
 * address (substring) or unit/building/grid code prefix. The audit row lists every hit, and is
 * written for a search that finds nobody too: probing for a number is itself a look at a person.
 */
export async function searchPeople(db: Kysely<DB>, principal: Principal, search: PersonSearch, purpose: string) {
  let query = db
    .selectFrom('persons as p')
    .leftJoin('residencies as r', (join) => join.onRef('r.person_id', '=', 'p.id').on('r.moved_out', 'is', null))
    .leftJoin('units as u', 'u.code', 'r.unit_code')
    .leftJoin('buildings as b', 'b.code', 'u.building_code')
    .select([...PERSON_COLUMNS, 'r.unit_code', 'b.address', 'u.room'])
    .orderBy('p.name')
    .orderBy('p.id')
    .limit(SEARCH_LIMIT + 1);
  if (search.by === 'idNumber') query = query.where('p.id_number', '=', search.idNumber).where(personInJurisdiction(principal, 'p.id'));
  if (search.by === 'name') {
    query = query.where('p.name', '=', search.name).where(personInJurisdiction(principal, 'p.id'));
    if (search.birthYear !== undefined) query = query.where('p.birth_date', '>=', `${search.birthYear}-01-01`).where('p.birth_date', '<=', `${search.birthYear}-12-31`);
  }
  if (search.by === 'address') {
    query = query.where(codeWithin('r.unit_code', principal.jurisdiction)).where(sql<boolean>`b.address ILIKE ${`%${escapeLike(search.address)}%`}`);
  }
  if (search.by === 'code') query = query.where(codeWithin('r.unit_code', [search.code]));
  const rows = await query.execute();
  const hits: SearchHit[] = rows.slice(0, SEARCH_LIMIT).map((row) => ({
    person: presentPerson(row, principal),
    currentResidence: row.unit_code !== null && (principal.role === 'police' || isWithinJurisdiction(row.unit_code, principal.jurisdiction))
      ? { unitCode: row.unit_code, address: row.address!, room: row.room! }
      : null,
  }));
  const view = { view: 'search', action: 'search', targetType: 'person_search', targetId: null, details: { by: search.by } } as const;
  await auditPersonReads(db, principal, view, hits.map((hit) => hit.person.id), purpose);
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
      await trx.updateTable('persons').set(updated).where('id', '=', personId).execute();
      if (updated.birth_date !== stored.birth_date) await recomputeExemptions(trx, personId, updated.birth_date);
    }
    await recordAudit(trx, principal, { action: 'correct', targetType: 'person', targetId: personId, details: { fields: changedFields, reason: correction.reason } });
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
    id_type: identity!.idType, id_number: identity!.idNumber, sex: identity!.sex, birth_date: identity!.birthDate, nationality: identity!.nationality,
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
  const other = await trx.selectFrom('persons').select('id').where('id_number', '=', idNumber).executeTakeFirst();
  if (other) throw ruleViolation(409, [{ field: 'idNumber', code: 'id_number_taken', message: 'Another person is on file with this ID number' }]);
}

/** A corrected birth date can move a stay across the age-16 line, and with it the late flags. */
async function recomputeExemptions(trx: Kysely<DB>, personId: number, birthDate: string): Promise<void> {
  const stays = await trx.selectFrom('residencies').select(['id', 'moved_in', 'registration_exempt']).where('person_id', '=', personId).execute();
  for (const stay of stays) {
    const exempt = isRegistrationExempt(birthDate, stay.moved_in);
    if (exempt !== stay.registration_exempt) await trx.updateTable('residencies').set({ registration_exempt: exempt }).where('id', '=', stay.id).execute();
  }
}
