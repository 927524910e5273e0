/**
 * Checks on the written city; any failure throws, which rolls the whole generation back. The
 * reference checks repeat the foreign keys set-wise, because the PGlite load skips the per-row
 * foreign-key triggers.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

/** [table, column, referenced table, referenced column] as declared in sql/0001_core.sql. */
const REFERENCES: [string, string, string, string][] = [
  ['admin_areas', 'parent_code', 'admin_areas', 'code'],
  ['grids', 'community_code', 'admin_areas', 'code'],
  ['buildings', 'grid_code', 'grids', 'code'],
  ['units', 'building_code', 'buildings', 'code'],
  ['residencies', 'person_id', 'persons', 'id'],
  ['residencies', 'unit_code', 'units', 'code'],
  ['permits', 'person_id', 'persons', 'id'],
  ['permits', 'renewed_from', 'permits', 'id'],
  ['cases', 'grid_code', 'grids', 'code'],
  ['cases', 'building_code', 'buildings', 'code'],
  ['cases', 'unit_code', 'units', 'code'],
  ['collector_assignments', 'collector_id', 'collectors', 'id'],
  ['collector_assignments', 'grid_code', 'grids', 'code'],
];

interface Check {
  name: string;
  query: ReturnType<typeof sql<{ n: number }>>;
}

/**
 * `references: false` leaves out the foreign-key checks, for loads whose foreign keys the database
 * has just validated itself (the COPY loader re-adds and validates them).
 */
export async function validateCity(
  db: Kysely<DB>,
  districtCode: string,
  progress: (done: number, total: number) => void,
  { references = true } = {},
): Promise<void> {
  const prefix = `${districtCode}%`;
  const checks: Check[] = [
    { name: 'invalid area geometries', query: sql`SELECT count(*)::int AS n FROM admin_areas WHERE code LIKE ${prefix} AND NOT ST_IsValid(geom)` },
    { name: 'invalid grid geometries', query: sql`SELECT count(*)::int AS n FROM grids WHERE code LIKE ${prefix} AND NOT ST_IsValid(geom)` },
    { name: 'invalid building footprints', query: sql`SELECT count(*)::int AS n FROM buildings WHERE code LIKE ${prefix} AND NOT ST_IsValid(footprint)` },
    {
      name: 'overlapping grids',
      query: sql`SELECT count(*)::int AS n FROM grids a JOIN grids b ON a.code < b.code AND a.geom && b.geom
        WHERE a.code LIKE ${prefix} AND b.code LIKE ${prefix} AND ST_Relate(a.geom, b.geom, '2********')`,
    },
    {
      name: 'grids not tiling the district (area mismatch)',
      query: sql`SELECT (abs(d.area - g.area) > d.area * 1e-6)::int AS n
        FROM (SELECT ST_Area(geom) AS area FROM admin_areas WHERE code = ${districtCode}) d,
             (SELECT sum(ST_Area(geom)) AS area FROM grids WHERE code LIKE ${prefix}) g`,
    },
    {
      name: 'buildings outside their grid',
      query: sql`SELECT count(*)::int AS n FROM buildings b JOIN grids g ON g.code = b.grid_code
        WHERE b.code LIKE ${prefix} AND NOT (ST_Contains(g.geom, b.footprint) AND ST_Contains(g.geom, b.point))`,
    },
    {
      name: 'overlapping building footprints',
      query: sql`SELECT count(*)::int AS n FROM buildings a JOIN buildings b ON a.code < b.code AND a.footprint && b.footprint
        WHERE a.grid_code = b.grid_code AND a.code LIKE ${prefix} AND ST_Intersects(a.footprint, b.footprint)`,
    },
    {
      name: 'cases outside their grid',
      query: sql`SELECT count(*)::int AS n FROM cases c JOIN grids g ON g.code = c.grid_code
        WHERE g.code LIKE ${prefix} AND NOT ST_Contains(g.geom, c.point)`,
    },
  ];
  if (references)
    checks.push(
      ...REFERENCES.map(([child, columnName, parent, parentColumn]) => ({
        name: `${child}.${columnName} without ${parent}`,
        query: sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(child)} AS c
      WHERE c.${sql.ref(columnName)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${sql.table(parent)} AS p WHERE p.${sql.ref(parentColumn)} = c.${sql.ref(columnName)})`,
      })),
    );
  const failures: string[] = [];
  for (const [index, check] of checks.entries()) {
    const result = await check.query.execute(db);
    const count = Number(result.rows[0]?.n ?? 0);
    if (count > 0) failures.push(`${check.name}: ${count}`);
    progress(index + 1, checks.length);
  }
  if (failures.length > 0) throw new Error(`generated city failed its checks (nothing was written): ${failures.join('; ')}`);
}
