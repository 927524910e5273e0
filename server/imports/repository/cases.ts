import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/schema.ts';

/** 案件 imports (kinds/cases.ts): the checks only the database can answer, and the insert. */

/** The grid a case is counted in: given, else its building's, else the one its point lies in. */
const caseGrid = sql`coalesce(input.grid_code, left(input.building_code, 14),
  (SELECT g.code FROM grids AS g WHERE ST_Intersects(g.geom, ST_SetSRID(ST_MakePoint(input.lon, input.lat), 4326)) ORDER BY g.code LIMIT 1))`;

/**
 * Per input row (case_no, grid_code, building_code, unit_code, lon, lat): on file already, a code
 * that names nothing on file, and (with `grids`, a collector's) counted in a grid outside them.
 */
export async function casesToRefuse(db: Kysely<DB>, input: RawBuilder<unknown>, grids: readonly string[] | undefined) {
  const flagged = await sql<{
    row_number: number;
    on_file: boolean;
    grid_missing: boolean;
    building_missing: boolean;
    unit_missing: boolean;
    outside: boolean;
  }>`
      SELECT input.row_number, EXISTS (SELECT 1 FROM cases AS c WHERE c.case_no = input.case_no) AS on_file,
             input.grid_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM grids AS g WHERE g.code = input.grid_code) AS grid_missing,
             input.building_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM buildings AS b WHERE b.code = input.building_code) AS building_missing,
             input.unit_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM units AS u WHERE u.code = input.unit_code) AS unit_missing,
             ${grids ? sql`NOT coalesce(${caseGrid} LIKE ANY (${grids.map((prefix) => `${prefix}%`)}::text[]), false)` : sql`false`} AS outside
      FROM ${input}`.execute(db);
  return flagged.rows;
}

/**
 * Inserts the input rows, each counted in its grid (caseGrid), and recounts the case statistics of
 * those grids (the cases carry no trigger, sql/0045).
 */
export async function insertCases(trx: Kysely<DB>, input: RawBuilder<unknown>): Promise<number> {
  const inserted = await sql<{ grid: string | null }>`
      INSERT INTO cases (case_no, kind, category, occurred_at, point, grid_code, building_code, unit_code)
      SELECT input.case_no, input.kind, input.category, input.occurred_at, ST_SetSRID(ST_MakePoint(input.lon, input.lat), 4326),
             ${caseGrid}, input.building_code, input.unit_code
      FROM ${input}
      RETURNING case_grid(grid_code, building_code) AS grid`.execute(trx);
  await sql`SELECT cases_written(${inserted.rows.map((row) => row.grid)}::text[])`.execute(trx);
  return inserted.rows.length;
}
