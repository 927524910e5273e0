import type { ExpressionBuilder, Kysely } from 'kysely';
import { codeWithin } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';
import { STAY_COLUMNS } from './stays.ts';
import { PERSON_COLUMNS, type PersonRow } from './visibility.ts';

/**
 * The queries every feature that shows or writes a person shares: locking a person, their current
 * stay, whether they ever lived in a jurisdiction, the stay-with-person select. Call the locking
 * ones inside a transaction.
 */

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

export async function findUnitForRegistration(db: Kysely<DB>, code: string) {
  return db
    .selectFrom('units as u')
    .innerJoin('buildings as b', 'b.code', 'u.building_code')
    .select(['u.code', 'u.use', 'b.status as building_status'])
    .where('u.code', '=', code)
    .executeTakeFirst();
}

export async function gridExists(db: Kysely<DB>, grid: string): Promise<boolean> {
  const row = await db.selectFrom('grids').select('code').where('code', '=', grid).executeTakeFirst();
  return row !== undefined;
}

/**
 * Where a query is built: the database, or an expression builder for a subquery of another
 * statement (built so, a subquery is not handed to the database's plugins as a statement of its own).
 */
export type QuerySource = Pick<ExpressionBuilder<DB, never>, 'selectFrom'> | Kysely<DB>;

/** Stays (residency rows) with their person: one query shape for the drill-down, occupants, reports and exports. */
export function selectStays(db: QuerySource) {
  return db
    .selectFrom('residencies as r')
    .innerJoin('persons as p', 'p.id', 'r.person_id')
    .select([...PERSON_COLUMNS, ...STAY_COLUMNS]);
}
