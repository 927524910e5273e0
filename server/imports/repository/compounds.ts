import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { rowsWritten } from './batches.ts';

/** 小区 imports (kinds/compounds.ts): the checks only the database can answer, the insert, and the grouping of member buildings. */

/** Input rows (code) whose community is missing, or that are on file already. */
export async function compoundsToRefuse(db: Kysely<DB>, input: RawBuilder<unknown>) {
  const found = await sql<{ row_number: number; community_missing: boolean; on_file: boolean }>`
    SELECT input.row_number, a.code IS NULL AS community_missing, c.code IS NOT NULL AS on_file
    FROM ${input}
    LEFT JOIN admin_areas AS a ON a.code = left(input.code, 12) AND a.level = 'community'
    LEFT JOIN compounds AS c ON c.code = input.code
    WHERE a.code IS NULL OR c.code IS NOT NULL`.execute(db);
  return found.rows;
}

/** Input (compound code, building) pairs whose building is missing or belongs to another compound. */
export async function membersToRefuse(db: Kysely<DB>, input: RawBuilder<unknown>) {
  const found = await sql<{ row_number: number; building: string; compound_code: string | null; missing: boolean }>`
    SELECT input.row_number, input.building, b.compound_code, b.code IS NULL AS missing
    FROM ${input}
    LEFT JOIN buildings AS b ON b.code = input.building
    WHERE b.code IS NULL OR (b.compound_code IS NOT NULL AND b.compound_code <> input.code)
    ORDER BY input.row_number, input.building`.execute(db);
  return found.rows;
}

/** Inserts the input compounds (code, name), each in the community of its first 12 digits. */
export async function insertCompounds(trx: Kysely<DB>, input: RawBuilder<unknown>): Promise<number> {
  const inserted = await sql`
      INSERT INTO compounds (code, community_code, name)
      SELECT code, left(code, 12), name FROM ${input}`.execute(trx);
  return rowsWritten(inserted);
}

/**
 * Puts each input building (code, building) into its compound. Nothing the figures or the tiles
 * read of a building changes, so nothing is recounted (sql/0047).
 */
export async function groupBuildings(trx: Kysely<DB>, input: RawBuilder<unknown>): Promise<number> {
  const grouped = await sql`
      UPDATE buildings AS b SET compound_code = input.code
      FROM ${input} WHERE b.code = input.building`.execute(trx);
  return rowsWritten(grouped);
}
