import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { Principal } from '../auth/session.ts';
import { codeWithin } from '../db/code-prefix.ts';
import { streetCodeOf } from '../domain/codes.ts';
import { factsWritten, writeCounted } from '../db/counted-writes.ts';
import type { DB, PersonsTable } from '../db/schema.ts';
import { STAY_COLUMNS } from '../person-data/stays.ts';
import { PERSON_COLUMNS, personInJurisdiction, type PersonRow } from '../person-data/visibility.ts';

/**
 * Persons and residencies as the registration workflow writes them (call inside a transaction),
 * and as a person's record, history and search read them. Locking a person and their current
 * stay are shared with permits: server/person-data/repository.ts. Neither table carries a trigger
 * (sql/0049): each writer here hands what it changed to the grid statistics itself
 * (server/db/counted-writes.ts).
 */

/** PERSON_COLUMNS without their table's alias: what an insert into persons returns. */
const PERSON_ROW_COLUMNS = PERSON_COLUMNS.map((column) => column.slice('p.'.length) as keyof PersonRow);

/**
 * Inserts the person unless the ID number is on file, and returns the new row (undefined when the
 * number was on file); a concurrent insert of the same number waits for ours. A new person counts
 * in no figure until their stay, whose insert (insertResidency, same transaction) counts them and
 * moves the data version: nothing to note here.
 */
export async function insertPersonIfNew(db: Kysely<DB>, values: Insertable<PersonsTable>): Promise<PersonRow | undefined> {
  return db
    .insertInto('persons')
    .values(values)
    .onConflict((conflict) => conflict.column('id_number').doNothing())
    .returning(PERSON_ROW_COLUMNS)
    .executeTakeFirst();
}

/** The last day of the person's closed residencies: a new stay may not start before it. */
export async function lastMoveOut(db: Kysely<DB>, personId: number): Promise<string | null> {
  const row = await db
    .selectFrom('residencies')
    .select((eb) => eb.fn.max('moved_out').as('last'))
    .where('person_id', '=', personId)
    .executeTakeFirst();
  return row?.last ?? null;
}

export interface NewResidency {
  personId: number;
  unitCode: string;
  movedIn: string;
  registeredAt: string;
  exempt: boolean;
}

/** Inserts a current stay and counts it in its grid's figures. */
export async function insertResidency(db: Kysely<DB>, residency: NewResidency) {
  const inserted = await db
    .insertInto('residencies')
    .values({
      person_id: residency.personId,
      unit_code: residency.unitCode,
      street_code: streetCodeOf(residency.unitCode),
      moved_in: residency.movedIn,
      registered_at: residency.registeredAt,
      registration_exempt: residency.exempt,
      moved_out: null,
      deregistered_at: null,
    })
    .returning(['id', 'registered_late'])
    .executeTakeFirstOrThrow();
  await factsWritten(db, 'residencies', [], [inserted.id]);
  return inserted;
}

/** Closes a stay; `deregisteredAt` null records a departure nobody deregistered. */
export async function closeResidency(db: Kysely<DB>, residencyId: number, movedOut: string, deregisteredAt: string | null) {
  return writeCounted(db, 'residencies', [residencyId], () =>
    db
      .updateTable('residencies')
      .set({ moved_out: movedOut, deregistered_at: deregisteredAt })
      .where('id', '=', residencyId)
      .returning(['id', 'departure_unregistered'])
      .executeTakeFirstOrThrow(),
  );
}

/** Writes the given columns of a person: a move's changeable fields, or a correction (a new category is counted anew). */
export async function updatePerson(trx: Kysely<DB>, personId: number, values: Updateable<PersonsTable>): Promise<void> {
  await writeCounted(trx, 'persons', [personId], () => trx.updateTable('persons').set(values).where('id', '=', personId).execute());
}

/** Police see a person's whole history; collectors only the stays inside their grids. */
export async function residenceRows(db: Kysely<DB>, principal: Principal, personId: number) {
  let query = db
    .selectFrom('residencies as r')
    .innerJoin('units as u', 'u.code', 'r.unit_code')
    .innerJoin('buildings as b', 'b.code', 'u.building_code')
    .select([...STAY_COLUMNS, 'b.address', 'u.floor', 'u.room'])
    .where('r.person_id', '=', personId)
    .orderBy('r.moved_in', 'desc')
    .orderBy('r.id', 'desc');
  if (principal.role !== 'police') query = query.where(codeWithin('r.unit_code', principal.jurisdiction));
  return query.execute();
}

/** The person, when they have lived in the principal's jurisdiction. */
export async function findVisiblePerson(db: Kysely<DB>, principal: Principal, personId: number): Promise<PersonRow | undefined> {
  return db.selectFrom('persons as p').select(PERSON_COLUMNS).where('p.id', '=', personId).where(personInJurisdiction(principal, 'p.id')).executeTakeFirst();
}

export type PersonSearch =
  | { by: 'idNumber'; idNumber: string }
  | { by: 'name'; name: string; birthYear?: number | undefined }
  | { by: 'address'; address: string }
  | { by: 'code'; code: string };

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);

/** People matching the search inside the principal's jurisdiction, with their current residence; at most `limit`. */
export async function searchPersons(db: Kysely<DB>, principal: Principal, search: PersonSearch, limit: number) {
  let query = db
    .selectFrom('persons as p')
    .leftJoin('residencies as r', (join) => join.onRef('r.person_id', '=', 'p.id').on('r.moved_out', 'is', null))
    .leftJoin('units as u', 'u.code', 'r.unit_code')
    .leftJoin('buildings as b', 'b.code', 'u.building_code')
    .select([...PERSON_COLUMNS, 'r.unit_code', 'b.address', 'u.room'])
    .orderBy('p.name')
    .orderBy('p.id')
    .limit(limit);
  if (search.by === 'idNumber') query = query.where('p.id_number', '=', search.idNumber).where(personInJurisdiction(principal, 'p.id'));
  if (search.by === 'name') {
    query = query.where('p.name', '=', search.name).where(personInJurisdiction(principal, 'p.id'));
    if (search.birthYear !== undefined)
      query = query.where('p.birth_date', '>=', `${search.birthYear}-01-01`).where('p.birth_date', '<=', `${search.birthYear}-12-31`);
  }
  if (search.by === 'address') {
    query = query.where(codeWithin('r.unit_code', principal.jurisdiction)).where(sql<boolean>`b.address ILIKE ${`%${escapeLike(search.address)}%`}`);
  }
  if (search.by === 'code') query = query.where(codeWithin('r.unit_code', [search.code]));
  return query.execute();
}

export async function idNumberHolder(trx: Kysely<DB>, idNumber: string): Promise<number | undefined> {
  const row = await trx.selectFrom('persons').select('id').where('id_number', '=', idNumber).executeTakeFirst();
  return row?.id;
}

export async function staysOfPerson(trx: Kysely<DB>, personId: number) {
  return trx.selectFrom('residencies').select(['id', 'moved_in', 'registration_exempt']).where('person_id', '=', personId).execute();
}

/**
 * No figure counts the exemption (stay_fact leaves it out), and its one writer, a correction of the
 * birth date, moves the data version in the same transaction (updatePerson): nothing to recount.
 */
export async function setRegistrationExempt(trx: Kysely<DB>, residencyId: number, exempt: boolean): Promise<void> {
  await trx.updateTable('residencies').set({ registration_exempt: exempt }).where('id', '=', residencyId).execute();
}

/** A person's permits, newest first, as their record shows them (the permits feature writes them). */
export async function permitsOf(db: Kysely<DB>, personId: number) {
  return db
    .selectFrom('permits')
    .select(['id', 'permit_no as permitNo', 'issued_on as issuedOn', 'expires_on as expiresOn', 'years', 'status', 'revoked_on as revokedOn'])
    .where('person_id', '=', personId)
    .orderBy('issued_on', 'desc')
    .execute();
}
