/**
 * Writes the planned city, table by table. Area outlines are not planned in TypeScript: the
 * street, community and district polygons are unions of their grids, computed in SQL so that
 * every level tiles exactly.
 */
import { sql, type Kysely } from 'kysely';
import { noteFiguresWritten, noteShapesWritten } from '../../db/data-version.ts';
import type { DB } from '../../db/schema.ts';
import type { CityLayout } from './areas.ts';
import type { CityRows, StreamedTable } from './generator.ts';
import { bulkInsert, column, type BulkInsert, type Target } from './insert.ts';
import type { Assignment, Collector, Grid } from './types.ts';
import { streetCodeOf } from '../../domain/codes.ts';

export type Progress = (done: number, total: number) => void;

const ewkt = (wkt: string) => `SRID=4326;${wkt}`;
const pointEwkt = ([lon, lat]: readonly [number, number]) => `SRID=4326;POINT(${lon} ${lat})`;

export async function storeAreas(target: Target, layout: CityLayout, progress: Progress): Promise<void> {
  const { db } = target;
  await sql`CREATE TEMP TABLE city_cells (code text PRIMARY KEY, community_code text NOT NULL, name text NOT NULL, geom geometry(Polygon, 4326) NOT NULL) ON COMMIT DROP`.execute(
    db,
  );
  await bulkInsert<Grid>(
    target,
    {
      table: 'city_cells',
      columns: [
        column('code', 'text', (g) => g.code),
        column('community_code', 'text', (g) => g.communityCode),
        column('name', 'text', (g) => g.name),
        column('geom', 'text', (g) => ewkt(g.wkt), 'geometry'),
      ],
    },
    layout.grids,
  );
  progress(1, 5);
  const { district } = layout;
  await sql`INSERT INTO admin_areas (code, level, parent_code, name, geom)
    SELECT ${district.code}::text, 'district', NULL, ${district.name}::text, ST_Multi(ST_Union(geom)) FROM city_cells`.execute(db);
  progress(2, 5);
  await insertUnions(
    db,
    'street',
    layout.streets.map((area) => [area.code, area.parentCode!, area.name]),
  );
  progress(3, 5);
  await insertUnions(
    db,
    'community',
    layout.communities.map((area) => [area.code, area.parentCode!, area.name]),
  );
  progress(4, 5);
  await sql`INSERT INTO grids (code, community_code, name, geom, area_km2)
    SELECT code, community_code, name, ST_Multi(geom), ST_Area(geom::geography) / 1e6 FROM city_cells ORDER BY code`.execute(db);
  await noteShapesWritten(db); // the shapes carry no trigger (sql/0044)
  progress(5, 5);
}

/** Streets and communities: the union of the grids whose codes start with theirs. */
async function insertUnions(db: Kysely<DB>, level: 'street' | 'community', areas: [string, string, string][]): Promise<void> {
  const length = level === 'street' ? 9 : 12;
  await sql`INSERT INTO admin_areas (code, level, parent_code, name, geom)
    SELECT a.code, ${level}::text, a.parent_code, a.name, u.geom
    FROM unnest(${areas.map((area) => area[0])}::text[], ${areas.map((area) => area[1])}::text[], ${areas.map((area) => area[2])}::text[]) AS a(code, parent_code, name)
    JOIN (SELECT left(code, ${length}::int) AS code, ST_Multi(ST_Union(geom)) AS geom FROM city_cells GROUP BY 1) AS u ON u.code = a.code
    ORDER BY a.code`.execute(db);
}

/** How each streamed table's rows become columns (the same for INSERT … unnest and for COPY). */
export const CITY_COLUMNS: { [T in StreamedTable]: BulkInsert<CityRows[T]> } = {
  buildings: {
    table: 'buildings',
    columns: [
      column('code', 'text', (b) => b.code),
      column('street_code', 'text', (b) => streetCodeOf(b.code)),
      column('grid_code', 'text', (b) => b.gridCode),
      column('address', 'text', (b) => b.address),
      column('floors', 'int', (b) => b.floors),
      column('use', 'text', (b) => b.use),
      column('management_mode', 'text', (b) => b.mode),
      column('has_access_control', 'bool', (b) => b.hasAccessControl),
      column('has_video', 'bool', (b) => b.hasVideo),
      column('responsibility_letter_signed', 'bool', (b) => b.letterSigned),
      column('landlord_name', 'text', (b) => b.landlordName),
      column('landlord_phone', 'text', (b) => b.landlordPhone),
      column('status', 'text', (b) => b.status),
      column('point', 'text', (b) => pointEwkt(b.point), 'geometry'),
      column('footprint', 'text', (b) => ewkt(b.footprintWkt), 'geometry'),
    ],
  },
  units: {
    table: 'units',
    columns: [
      column('code', 'text', (u) => u.code),
      column('street_code', 'text', (u) => streetCodeOf(u.code)),
      column('building_code', 'text', (u) => u.buildingCode),
      column('floor', 'int', (u) => u.floor),
      column('room', 'text', (u) => u.room),
      column('area_m2', 'float8', (u) => u.areaM2),
      column('use', 'text', (u) => u.use),
      column('rental_registered', 'bool', (u) => u.rentalRegistered),
      column('landlord_name', 'text', (u) => u.landlordName),
    ],
  },
  persons: {
    table: 'persons',
    columns: [
      column('id', 'bigint', (p) => p.id),
      column('id_type', 'text', (p) => p.idType),
      column('id_number', 'text', (p) => p.idNumber),
      column('nationality', 'text', (p) => p.nationality),
      column('name', 'text', (p) => p.name),
      column('sex', 'text', (p) => p.sex),
      column('birth_date', 'date', (p) => p.birthDate),
      column('ethnicity', 'text', (p) => p.ethnicity),
      column('hukou_address', 'text', (p) => p.hukouAddress),
      column('phone', 'text', (p) => p.phone),
      column('category', 'text', (p) => p.category),
      column('floating_type', 'text', (p) => p.floatingType),
      column('employer', 'text', (p) => p.employer),
    ],
    overridingSystemValue: true,
  },
  residencies: {
    table: 'residencies',
    columns: [
      column('person_id', 'bigint', (r) => r.personId),
      column('unit_code', 'text', (r) => r.unitCode),
      column('street_code', 'text', (r) => streetCodeOf(r.unitCode)),
      column('moved_in', 'date', (r) => r.movedIn),
      column('moved_out', 'date', (r) => r.movedOut),
      column('registered_at', 'date', (r) => r.registeredAt),
      column('deregistered_at', 'date', (r) => r.deregisteredAt),
      column('registration_exempt', 'bool', (r) => r.registrationExempt),
    ],
  },
  permits: {
    table: 'permits',
    columns: [
      column('id', 'bigint', (p) => p.id),
      column('person_id', 'bigint', (p) => p.personId),
      column('permit_no', 'text', (p) => p.permitNo),
      column('issued_on', 'date', (p) => p.issuedOn),
      column('expires_on', 'date', (p) => p.expiresOn),
      column('years', 'int', (p) => p.years),
      column('status', 'text', (p) => p.status),
      column('revoked_on', 'date', (p) => p.revokedOn),
      column('renewed_from', 'bigint', (p) => p.renewedFrom),
    ],
    overridingSystemValue: true,
  },
  cases: {
    table: 'cases',
    columns: [
      column('case_no', 'text', (c) => c.caseNo),
      column('kind', 'text', (c) => c.kind),
      column('category', 'text', (c) => c.category),
      column('occurred_at', 'text', (c) => c.occurredAt, 'timestamptz'),
      column('point', 'text', (c) => pointEwkt(c.point), 'geometry'),
      column('grid_code', 'text', (c) => c.gridCode),
      column('building_code', 'text', (c) => c.buildingCode),
      column('unit_code', 'text', (c) => c.unitCode),
    ],
  },
};

/**
 * After rows with explicit ids: identities continue above the largest id, and the application's
 * permit numbers continue after the generated ones.
 */
export async function continueSequences(db: Kysely<DB>, permits: { count: number; firstNumber: number }): Promise<void> {
  await restartIdentity(db, 'persons');
  await restartIdentity(db, 'permits');
  if (permits.count > 0 && (await exists(db, 'permit_number_seq'))) {
    await sql`SELECT setval('permit_number_seq', ${permits.firstNumber + permits.count - 1}::bigint)`.execute(db);
  }
}

/** The number the application's permit_number_seq would hand out next (1 without one). */
export async function nextPermitNumber(db: Kysely<DB>): Promise<number> {
  if (!(await exists(db, 'permit_number_seq'))) return 1;
  const result = await sql<{ next: number }>`SELECT (CASE WHEN is_called THEN last_value + 1 ELSE last_value END)::int AS next FROM permit_number_seq`.execute(
    db,
  );
  return Number(result.rows[0]!.next);
}

async function exists(db: Kysely<DB>, relation: string): Promise<boolean> {
  const result = await sql<{ present: boolean }>`SELECT to_regclass(${relation}) IS NOT NULL AS present`.execute(db);
  return Boolean(result.rows[0]?.present);
}

export async function storeCollectors(target: Target, collectors: Collector[], assignments: Assignment[], progress: Progress): Promise<void> {
  await bulkInsert<Collector>(
    target,
    {
      table: 'collectors',
      columns: [
        column('id', 'bigint', (c) => c.id),
        column('name', 'text', (c) => c.name),
        column('phone', 'text', (c) => c.phone),
        column('employment', 'text', (c) => c.employment),
        column('employer', 'text', (c) => c.employer),
        column('active', 'bool', (c) => c.active),
      ],
      overridingSystemValue: true,
    },
    collectors,
  );
  await restartIdentity(target.db, 'collectors');
  progress(1, 2);
  await bulkInsert<Assignment>(
    target,
    {
      table: 'collector_assignments',
      columns: [
        column('collector_id', 'bigint', (a) => a.collectorId),
        column('grid_code', 'text', (a) => a.gridCode),
        column('street_code', 'text', (a) => streetCodeOf(a.gridCode)),
        column('assigned_on', 'date', (a) => a.assignedOn),
        column('ended_on', 'date', (a) => a.endedOn),
      ],
    },
    assignments,
  );
  progress(2, 2);
}

/**
 * What a bulk load does once its rows are in: it wrote buildings without marking their tiles (their
 * writers mark them, sql/0047), so every building tile is forgotten. (The load writes the counted
 * tables without their writers' recounts, which no trigger does either since sql/0049: the
 * statistics are rebuilt once afterwards.)
 */
export async function forgetBuildingTiles(db: Kysely<DB>): Promise<void> {
  await sql`DELETE FROM building_tiles`.execute(db);
}

/** Rebuilds the per-grid statistics, keeping daily rows from 1100 days before `today` (or the real today, if earlier). */
export async function refreshGridStats(db: Kysely<DB>, today: string): Promise<boolean> {
  const present = await sql<{ present: boolean }>`SELECT to_regprocedure('refresh_grid_stats(date)') IS NOT NULL AS present`.execute(db);
  if (!present.rows[0]?.present) return false;
  // population_deltas is called once per 20,000 people; from the sixth call on, its cached generic
  // plan joins the unnested arrays with a nested loop (30–50 times slower). Plan every call anew.
  await sql`SET LOCAL plan_cache_mode = force_custom_plan`.execute(db);
  await sql`SELECT refresh_grid_stats(least(${today}::date, city_today()) - 1100)`.execute(db);
  await sql`SET LOCAL plan_cache_mode = auto`.execute(db);
  return true;
}

/** After explicit ids, the identity continues above the largest one. */
async function restartIdentity(db: Kysely<DB>, table: 'persons' | 'permits' | 'collectors'): Promise<void> {
  await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), (SELECT max(id) FROM ${sql.table(table)}))`.execute(db);
}

/** The next free id of a table with an identity column. */
export async function nextId(db: Kysely<DB>, table: 'persons' | 'permits' | 'collectors'): Promise<number> {
  const result = await sql<{ next: number }>`SELECT coalesce(max(id), 0)::int + 1 AS next FROM ${sql.table(table)}`.execute(db);
  return Number(result.rows[0]!.next);
}

export async function storeSetting(db: Kysely<DB>, key: string, value: unknown): Promise<void> {
  await sql`INSERT INTO settings (key, value, updated_at) VALUES (${key}, CAST(${JSON.stringify(value)}::text AS jsonb), now())
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`.execute(db);
  await noteFiguresWritten(db); // settings carry no trigger (sql/0043)
}
