import { sql, type Kysely, type RawBuilder } from 'kysely';
import { factsWritten, writeCounted } from '../../db/counted-writes.ts';
import type { DB } from '../../db/schema.ts';
import { rowsWritten } from './batches.ts';

/**
 * 实有人口 imports (kinds/people.ts): what the database says of each row's person and unit, and
 * the writes: persons updated or created, and their stays, each counted in the grid statistics by
 * its writer (the tables carry no trigger, sql/0049).
 */

/** What the database says of a row whose unit is missing or demolished, or whose person is on file. */
export interface PersonOnFile {
  row_number: number;
  unit_missing: boolean;
  demolished: boolean;
  identity_differs: string[] | null;
  /** The unit of the person's current stay, if any; and the unit the row names. */
  current_unit: string | null;
  unit_code: string;
  moved_out_after: boolean;
}

/** Input rows (identity, unit_code, moved_in) with a problem the database shows, or whose person is on file. */
export async function peopleToCheck(db: Kysely<DB>, input: RawBuilder<unknown>): Promise<PersonOnFile[]> {
  const found = await sql<PersonOnFile>`
      SELECT input.row_number, u.code IS NULL AS unit_missing, coalesce(b.status = 'demolished', false) AS demolished,
             CASE WHEN p.id IS NOT NULL THEN array_remove(ARRAY[
               CASE WHEN p.id_type <> input.id_type THEN 'idType' END, CASE WHEN p.name <> input.name THEN 'name' END,
               CASE WHEN p.sex <> input.sex THEN 'sex' END, CASE WHEN p.birth_date <> input.birth_date THEN 'birthDate' END,
               CASE WHEN p.nationality <> input.nationality THEN 'nationality' END], NULL) END AS identity_differs,
             (SELECT r.unit_code FROM residencies AS r WHERE r.person_id = p.id AND r.moved_out IS NULL LIMIT 1) AS current_unit, input.unit_code,
             EXISTS (SELECT 1 FROM residencies AS r WHERE r.person_id = p.id AND r.moved_out > input.moved_in) AS moved_out_after
      FROM ${input}
      LEFT JOIN units AS u ON u.code = input.unit_code
      LEFT JOIN buildings AS b ON b.code = u.building_code
      LEFT JOIN persons AS p ON p.id_number = input.id_number
      WHERE u.code IS NULL OR b.status = 'demolished' OR p.id IS NOT NULL`.execute(db);
  return found.rows;
}

/**
 * People already on file (`idNumbers`, the input's): category, contacts and employer change with a
 * move, as in the move-in form.
 */
export async function updatePeopleOnFile(trx: Kysely<DB>, input: RawBuilder<unknown>, idNumbers: readonly string[]): Promise<number> {
  const result = await writeCounted(trx, 'persons', await personIdsOfIdNumbers(trx, idNumbers), () =>
    sql`
      UPDATE persons AS p SET category = input.category, floating_type = input.floating_type,
        ethnicity = coalesce(input.ethnicity, p.ethnicity), hukou_address = coalesce(input.hukou_address, p.hukou_address),
        phone = coalesce(input.phone, p.phone), employer = coalesce(input.employer, p.employer)
      FROM ${input} WHERE p.id_number = input.id_number`.execute(trx),
  );
  return rowsWritten(result);
}

/** The ids of the people on file with these ID numbers: what an update of persons locks and counts by. */
export async function personIdsOfIdNumbers(trx: Kysely<DB>, idNumbers: readonly string[]): Promise<number[]> {
  const found = await sql<{ id: number }>`SELECT id FROM persons WHERE id_number = ANY (${idNumbers as string[]}::text[])`.execute(trx);
  return found.rows.map((row) => Number(row.id));
}

/** The people not on file yet (by ID number); their stays (insertStays, same transaction) count them. */
export async function insertNewPeople(trx: Kysely<DB>, input: RawBuilder<unknown>): Promise<number> {
  const result = await sql`
      INSERT INTO persons (id_type, id_number, nationality, name, sex, birth_date, ethnicity, hukou_address, phone, category, floating_type, employer)
      SELECT id_type, id_number, nationality, name, sex, birth_date, ethnicity, hukou_address, phone, category, floating_type, employer
      FROM ${input}
      ON CONFLICT (id_number) DO NOTHING`.execute(trx);
  return rowsWritten(result);
}

/** Each input row's stay in its unit. */
export async function insertStays(trx: Kysely<DB>, input: RawBuilder<unknown>): Promise<number> {
  const result = await sql<{ id: number }>`
      INSERT INTO residencies (person_id, unit_code, street_code, moved_in, registered_at, registration_exempt)
      SELECT p.id, input.unit_code, left(input.unit_code, 9), input.moved_in, input.registered_at, input.registration_exempt
      FROM ${input} JOIN persons AS p ON p.id_number = input.id_number
      RETURNING id`.execute(trx);
  return staysCounted(trx, result.rows);
}

/** The stay of each input row whose person has no current stay (an update of a person on file). */
export async function insertStaysOfPeopleWithout(trx: Kysely<DB>, input: RawBuilder<unknown>): Promise<number> {
  const result = await sql<{ id: number }>`
        INSERT INTO residencies (person_id, unit_code, street_code, moved_in, registered_at, registration_exempt)
        SELECT p.id, input.unit_code, left(input.unit_code, 9), input.moved_in, input.registered_at, input.registration_exempt
        FROM ${input} JOIN persons AS p ON p.id_number = input.id_number
        WHERE NOT EXISTS (SELECT 1 FROM residencies AS r WHERE r.person_id = p.id AND r.moved_out IS NULL)
        RETURNING id`.execute(trx);
  return staysCounted(trx, result.rows);
}

/** Counts the stays just inserted in their grids' figures; answers how many there are. */
async function staysCounted(trx: Kysely<DB>, inserted: readonly { id: number }[]): Promise<number> {
  await factsWritten(
    trx,
    'residencies',
    [],
    inserted.map((row) => row.id),
  );
  return inserted.length;
}

/** A person on file's current unit, as the preview of an update compares it (readOnFile, target = persons). */
export const CURRENT_UNIT = sql`(SELECT r.unit_code FROM residencies AS r WHERE r.person_id = target.id AND r.moved_out IS NULL LIMIT 1)`;
/** A person's audit target: their numeric id, never the ID number. */
export const PERSON_ID = sql`target.id`;
