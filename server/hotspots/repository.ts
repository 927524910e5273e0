import { sql, type Kysely } from 'kysely';
import { codeWithin, type CodePrefixes } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';

/** The area levels hot spots are computed for: grids, and communities (unions of their grids). */
export type HotspotLevel = 'grid' | 'community';

/**
 * Queen contiguity from the polygons: each pair of cells of `level` inside `prefixes` whose
 * geometries share at least one point (an edge or a corner: ST_Intersects; the cells tile the
 * plane, so this is ST_Touches without the cost of the full relate). The same rule as spdep's
 * poly2nb(queen = TRUE) on exactly shared vertices (tests/api/hotspots-reference.test.ts).
 * Each pair appears once per direction.
 */
export async function touchingPairs(db: Kysely<DB>, level: HotspotLevel, prefixes: CodePrefixes): Promise<{ code: string; neighbour: string }[]> {
  const result = level === 'grid'
    ? await sql<{ code: string; neighbour: string }>`
        SELECT a.code, b.code AS neighbour
        FROM grids AS a JOIN grids AS b ON a.code <> b.code AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)
        WHERE ${codeWithin('a.code', prefixes)} AND ${codeWithin('b.code', prefixes)}`.execute(db)
    : await sql<{ code: string; neighbour: string }>`
        SELECT a.code, b.code AS neighbour
        FROM admin_areas AS a JOIN admin_areas AS b ON a.code <> b.code AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)
        WHERE a.level = 'community' AND b.level = 'community' AND ${codeWithin('a.code', prefixes)} AND ${codeWithin('b.code', prefixes)}`.execute(db);
  return result.rows;
}
