import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { codeWithin, type CodePrefixes } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';

/**
 * Compounds and their figures, read straight from the base tables. A compound's figures count
 * only its active buildings that lie inside the caller's jurisdiction (a collector bounded to one
 * grid sees the part of a compound in that grid). Compound codes hold a hyphen, so they are never
 * compared by code ranges (a collation may skip the hyphen): the community code and the
 * buildings' codes place a compound.
 */

export interface CompoundFigures {
  code: string;
  name: string;
  communityCode: string;
  buildings: number;
  units: number;
  /** Units with at least one current occupant. */
  occupiedUnits: number;
  /** Units whose use is rented (let units). */
  letUnits: number;
  /** Rental houses as sql/0014_rental_houses.sql counts them: Σ let_households over the let units. */
  rentalHouses: number;
  /** People living in the compound now (residencies not moved out). */
  residents: number;
}

/** The compound has a building inside `area` or lies in a community inside it. */
function compoundWithin(area: CodePrefixes): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${codeWithin('c.community_code', area)}
    OR EXISTS (SELECT 1 FROM buildings AS m WHERE m.compound_code = c.code AND ${codeWithin('m.code', area)}))`;
}

/** Compounds inside `area` (or the one named `code`), with figures over their buildings inside `jurisdiction`. */
export async function compoundFigures(db: Kysely<DB>, jurisdiction: CodePrefixes, area: CodePrefixes, code?: string): Promise<CompoundFigures[]> {
  const result = await sql<CompoundFigures>`
    SELECT c.code, c.name, c.community_code AS "communityCode",
           count(b.code)::int AS buildings,
           coalesce(sum(u.units), 0)::int AS units,
           coalesce(sum(u.occupied), 0)::int AS "occupiedUnits",
           coalesce(sum(u.let_units), 0)::int AS "letUnits",
           coalesce(sum(u.rental_houses), 0)::int AS "rentalHouses",
           coalesce(sum(u.residents), 0)::int AS residents
    FROM compounds AS c
    LEFT JOIN buildings AS b ON b.compound_code = c.code AND b.status = 'active' AND ${codeWithin('b.code', jurisdiction)}
    LEFT JOIN LATERAL (
      SELECT count(*) AS units, count(*) FILTER (WHERE x.residents > 0) AS occupied,
             count(*) FILTER (WHERE x.use = 'rented') AS let_units,
             coalesce(sum(x.let_households) FILTER (WHERE x.use = 'rented'), 0) AS rental_houses,
             coalesce(sum(x.residents), 0) AS residents
      FROM (SELECT un.use, un.let_households,
                   (SELECT count(*) FROM residencies AS r WHERE r.unit_code = un.code AND r.moved_out IS NULL) AS residents
            FROM units AS un WHERE un.building_code = b.code) AS x
    ) AS u ON true
    WHERE ${compoundWithin(area)} AND ${code === undefined ? sql`true` : sql`c.code = ${code}`}
    GROUP BY c.code, c.name, c.community_code
    ORDER BY c.code`.execute(db);
  return result.rows;
}

/** The active buildings of a compound inside the jurisdiction, by code. */
export async function memberBuildings(db: Kysely<DB>, code: string, jurisdiction: CodePrefixes): Promise<string[]> {
  const rows = await db
    .selectFrom('buildings')
    .select('code')
    .where('compound_code', '=', code)
    .where('status', '=', 'active')
    .where(codeWithin('code', jurisdiction))
    .orderBy('code')
    .execute();
  return rows.map((row) => row.code);
}

/**
 * Compound outlines inside `area` as GeoJSON features: the convex hull of its buildings (footprints,
 * or points where a building has none) widened by 10 m, so a one-building compound still has an area.
 */
export async function compoundOutlines(db: Kysely<DB>, jurisdiction: CodePrefixes, area: CodePrefixes) {
  const result = await sql<{ code: string; name: string; community_code: string; buildings: number; geometry: string }>`
    SELECT c.code, c.name, c.community_code, count(*)::int AS buildings,
           ST_AsGeoJSON(ST_Buffer(ST_ConvexHull(ST_Collect(coalesce(b.footprint, b.point)))::geography, 10)::geometry, 6) AS geometry
    FROM compounds AS c
    JOIN buildings AS b ON b.compound_code = c.code AND b.status = 'active' AND ${codeWithin('b.code', jurisdiction)}
    WHERE ${compoundWithin(area)}
    GROUP BY c.code, c.name, c.community_code
    ORDER BY c.code`.execute(db);
  return result.rows.map((row) => ({
    type: 'Feature' as const,
    id: row.code,
    properties: { code: row.code, name: row.name, communityCode: row.community_code, buildings: row.buildings },
    geometry: JSON.parse(row.geometry) as unknown,
  }));
}
