/**
 * Compounds (小区 / 院落) of the demo city: the buildings run by a property company (物业式) or
 * behind one wall (院区围合式) are grouped, grid by grid in code order, six at a time, into
 * compounds named after their grid (…1号院, …2号院). Derived from the stored buildings by SQL
 * alone, so the same city always gets the same compounds and no other table's rows change.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

export const BUILDINGS_PER_COMPOUND = 6;
/** Compound codes have three digits per community. */
const MAX_PER_COMMUNITY = 999;

/** Each grouped building with its compound's code and name. */
const membership = sql`
  WITH runs AS (
    SELECT b.code, b.grid_code, left(b.code, 12) AS community,
           (row_number() OVER (PARTITION BY b.grid_code ORDER BY b.code) - 1) / ${BUILDINGS_PER_COMPOUND} AS run
    FROM buildings AS b
    WHERE b.management_mode IN ('property', 'gated') AND b.status = 'active'
  ), numbered AS (
    SELECT r.code, r.community, r.run, g.name AS grid_name,
           dense_rank() OVER (PARTITION BY r.community ORDER BY r.grid_code, r.run) AS number
    FROM runs AS r JOIN grids AS g ON g.code = r.grid_code
  )
  SELECT code AS building_code, community, community || '-' || lpad(number::text, 3, '0') AS compound_code,
         grid_name || (run + 1)::text || '号院' AS compound_name
  FROM numbered WHERE number <= ${MAX_PER_COMMUNITY}`;

/** Creates the compounds and sets their buildings' compound_code; returns how many compounds. */
export async function groupCompounds(db: Kysely<DB>): Promise<number> {
  const created = await sql`
    INSERT INTO compounds (code, community_code, name)
    SELECT DISTINCT compound_code, community, compound_name FROM (${membership}) AS m`.execute(db);
  await sql`
    UPDATE buildings AS b SET compound_code = m.compound_code
    FROM (${membership}) AS m WHERE b.code = m.building_code`.execute(db);
  return Number(created.numAffectedRows ?? 0);
}
