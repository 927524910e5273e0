import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { rowsWritten } from './batches.ts';

/**
 * 实有人口 imports (kinds/people.ts): what the database says of each row's person and unit, and
 * the writes: persons updated or created, and their stays.
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

/** People already on file: category, contacts and employer change with a move, as in the move-in form. */
export async function updatePeopleOnFile(trx: Kysely<DB>, input: RawBuilder<unknown>): Promise<number> {
  const result = await sql`
      UPDATE persons AS p SET category = input.category, floating_type = input.floating_type,
        ethnicity = coalesce(input.ethnicity, p.ethnicity), hukou_address = coalesce(input.hukou_address, p.hukou_address),
        phone = coalesce(input.phone, p.phone), employer = coalesce(input.employer, p.employer)
      FROM ${input} WHERE p.id_number = input.id_number`.execute(trx);
  return rowsWritten(result);
}

/** The people not on file yet (by ID number). */
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
  const result = await sql`
      INSERT INTO residencies (person_id, unit_code, moved_in, registered_at, registration_exempt)
      SELECT p.id, input.unit_code, input.moved_in, input.registered_at, input.registration_exempt
      FROM ${input} JOIN persons AS p ON p.id_number = input.id_number`.execute(trx);
  return rowsWritten(result);
}

/** The stay of each input row whose person has no current stay (an update of a person on file). */
export async function insertStaysOfPeopleWithout(trx: Kysely<DB>, input: RawBuilder<unknown>): Promise<number> {
  const result = await sql`
        INSERT INTO residencies (person_id, unit_code, moved_in, registered_at, registration_exempt)
        SELECT p.id, input.unit_code, input.moved_in, input.registered_at, input.registration_exempt
        FROM ${input} JOIN persons AS p ON p.id_number = input.id_number
        WHERE NOT EXISTS (SELECT 1 FROM residencies AS r WHERE r.person_id = p.id AND r.moved_out IS NULL)`.execute(trx);
  return rowsWritten(result);
}

/** A person on file's current unit, as the preview of an update compares it (readOnFile, target = persons). */
export const CURRENT_UNIT = sql`(SELECT r.unit_code FROM residencies AS r WHERE r.person_id = target.id AND r.moved_out IS NULL LIMIT 1)`;
/** A person's audit target: their numeric id, never the ID number. */
export const PERSON_ID = sql`target.id`;
