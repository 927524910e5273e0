import type { Insertable, Kysely } from 'kysely';
import type { DB, PersonsTable } from '../db/schema.ts';
import { codeWithin, PERSON_COLUMNS, type PersonRow } from './visibility.ts';

/** Persons and residencies as the registration workflow writes them. Call inside a transaction. */

export async function findUnitForRegistration(db: Kysely<DB>, code: string) {
  return db
    .selectFrom('units as u')
    .innerJoin('buildings as b', 'b.code', 'u.building_code')
    .select(['u.code', 'u.use', 'b.status as building_status'])
    .where('u.code', '=', code)
    .executeTakeFirst();
}

/** Inserts the person unless the ID number is on file; a concurrent insert of the same number waits for ours. */
export async function insertPersonIfNew(db: Kysely<DB>, values: Insertable<PersonsTable>): Promise<number | undefined> {
  const row = await db
    .insertInto('persons')
    .values(values)
    .onConflict((conflict) => conflict.column('id_number').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/**
 * Locks the person row until the transaction ends. Every write about a person takes this lock
 * first, so parallel registrations of one person run one after the other and the second sees
 * the first's residency.
 */
export async function lockPerson(db: Kysely<DB>, by: { id: number } | { idNumber: string }): Promise<PersonRow | undefined> {
  const query = db.selectFrom('persons as p').select(PERSON_COLUMNS).forUpdate();
  return ('id' in by ? query.where('p.id', '=', by.id) : query.where('p.id_number', '=', by.idNumber)).executeTakeFirst();
}

export async function currentResidency(db: Kysely<DB>, personId: number) {
  return db
    .selectFrom('residencies')
    .select(['id', 'unit_code', 'moved_in'])
    .where('person_id', '=', personId)
    .where('moved_out', 'is', null)
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

export async function insertResidency(db: Kysely<DB>, residency: NewResidency) {
  return db
    .insertInto('residencies')
    .values({
      person_id: residency.personId,
      unit_code: residency.unitCode,
      moved_in: residency.movedIn,
      registered_at: residency.registeredAt,
      registration_exempt: residency.exempt,
      moved_out: null,
      deregistered_at: null,
    })
    .returning(['id', 'registered_late'])
    .executeTakeFirstOrThrow();
}

/** Closes a stay; `deregisteredAt` null records a departure nobody deregistered. */
export async function closeResidency(db: Kysely<DB>, residencyId: number, movedOut: string, deregisteredAt: string | null) {
  return db
    .updateTable('residencies')
    .set({ moved_out: movedOut, deregistered_at: deregisteredAt })
    .where('id', '=', residencyId)
    .returning(['id', 'departure_unregistered'])
    .executeTakeFirstOrThrow();
}

/** True when the person has lived (now or before) in a unit under one of the prefixes. */
export async function personHasLivedIn(db: Kysely<DB>, personId: number, prefixes: readonly string[]): Promise<boolean> {
  const row = await db
    .selectFrom('residencies as v')
    .select('v.id')
    .where('v.person_id', '=', personId)
    .where(codeWithin('v.unit_code', prefixes))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
