import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { factsWritten } from '../../db/counted-writes.ts';

/** 房屋 imports (kinds/units.ts): the checks only the database can answer, and the insert. */

/** Input rows (code) whose building is missing or demolished, or that are on file already. */
export async function unitsToRefuse(db: Kysely<DB>, input: RawBuilder<unknown>) {
  const flagged = await sql<{ row_number: number; building_missing: boolean; demolished: boolean; on_file: boolean }>`
      SELECT input.row_number, b.code IS NULL AS building_missing, coalesce(b.status = 'demolished', false) AS demolished,
             u.code IS NOT NULL AS on_file
      FROM ${input}
      LEFT JOIN buildings AS b ON b.code = left(input.code, 19)
      LEFT JOIN units AS u ON u.code = input.code
      WHERE b.code IS NULL OR b.status = 'demolished' OR u.code IS NOT NULL`.execute(db);
  return flagged.rows;
}

/**
 * Inserts the input rows (the units' columns), each under the building of its first 19 digits, and
 * counts them in their grids' figures (the units carry no trigger, sql/0046).
 */
export async function insertUnits(trx: Kysely<DB>, input: RawBuilder<unknown>): Promise<number> {
  const inserted = await sql<{ code: string }>`
      INSERT INTO units (code, street_code, building_code, floor, room, area_m2, use, rental_registered, landlord_name, let_households)
      SELECT code, left(code, 9), left(code, 19), floor, room, area_m2, use, rental_registered, landlord_name, let_households
      FROM ${input}
      RETURNING code`.execute(trx);
  const codes = inserted.rows.map((row) => row.code);
  await factsWritten(trx, 'units', [], codes);
  return codes.length;
}
