import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { LET_SEPARATELY_MIN_UNITS } from '../../domain/rental-scoring.ts';
import { RENTAL_UNIT } from './facts.ts';

/** The demo rental data's queries (rentals/demo.ts seeds with them): visits, household visits, person checks and flags. */

// A number in [0, 1) from md5 of the given text: deterministic on both engines.
const unitHash = (text: ReturnType<typeof sql>) => sql`(('x' || substr(md5(${text}), 1, 8))::bit(32)::bigint / 4294967296.0)`;

/** How well a building is looked after, 0..1: part luck, part its signed letter and access control. */
const CARE = sql`(0.5 * ${unitHash(sql`b.code || 'care'`)}
  + CASE WHEN b.responsibility_letter_signed THEN 0.3 ELSE 0 END + CASE WHEN b.has_access_control THEN 0.2 ELSE 0 END)`;

const RENTAL_BUILDINGS = sql`
  SELECT b.code, b.grid_code, ${CARE} AS care FROM buildings b
  WHERE b.status = 'active' AND EXISTS (SELECT 1 FROM units u WHERE u.building_code = b.code AND ${RENTAL_UNIT})`;

/**
 * Collector visits every 12 to 30 days through the last 12 months, police visits every 45 days to
 * the less cared-for third. Doors are a property of the building; hygiene, neighbours and tenant
 * registration vary per visit; hygiene goes unrecorded at some buildings and registration is checked
 * on half the visits, as in practice; about one visit in 70 brings a clue.
 */
export async function insertDemoInspections(db: Kysely<DB>, today: string): Promise<number> {
  const result = await sql`
    WITH rental AS (${RENTAL_BUILDINGS}),
    visits AS (
      SELECT r.code, r.grid_code, r.care, 'collector' AS role,
             (${today}::date - day)::date AS visited_on
      FROM rental r,
           generate_series((${unitHash(sql`r.code || 'offset'`)} * 12)::int, 365, 12 + (18 * r.care)::int) AS day
      UNION ALL
      SELECT r.code, r.grid_code, r.care, 'police', (${today}::date - day)::date
      FROM rental r, generate_series((${unitHash(sql`r.code || 'police'`)} * 45)::int, 365, 45) AS day
      WHERE r.care < 0.35)
    INSERT INTO inspections (building_code, street_code, collector_id, inspector_role, visited_on, doors_ok, hygiene_good, neighbours_good, tenants_registered, clue_given)
    SELECT v.code, left(v.code, 9),
           CASE WHEN v.role = 'collector' THEN (SELECT min(a.collector_id) FROM collector_assignments a WHERE a.grid_code = v.grid_code AND a.ended_on IS NULL) END,
           v.role, v.visited_on,
           ${unitHash(sql`v.code || 'doors'`)} < 0.25 + 0.75 * v.care,
           CASE WHEN ${unitHash(sql`v.code || 'hygiene checked'`)} < 0.7
                THEN ${unitHash(sql`v.code || v.visited_on::text || 'hygiene'`)} < 0.35 + 0.6 * v.care END,
           ${unitHash(sql`v.code || v.visited_on::text || 'neighbours'`)} < 0.55 + 0.45 * v.care,
           CASE WHEN ${unitHash(sql`v.code || v.visited_on::text || 'registration checked'`)} < 0.5
                THEN ${unitHash(sql`v.code || v.visited_on::text || 'registered'`)} < 0.9 + 0.1 * v.care END,
           ${unitHash(sql`v.code || v.visited_on::text || 'clue'`)} < 0.003 + 0.02 * v.care
    FROM visits v
    WHERE v.visited_on <= ${today}::date`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Visits to households (分租: each let unit of a building with two or more): one collector visit to
 * the room in the last 11 months, checking whether its tenants are registered; now and then the
 * landlord gives a clue. What the household's own score hears about its landlord's conduct.
 */
export async function insertDemoHouseholdVisits(db: Kysely<DB>, today: string): Promise<number> {
  const result = await sql`
    WITH rental AS (${RENTAL_BUILDINGS}),
    let_units AS (
      SELECT r.code, r.grid_code, r.care, u.code AS unit_code, count(*) OVER (PARTITION BY r.code) AS let_units,
             (${today}::date - (7 + ${unitHash(sql`u.code || 'household visit'`)} * 320)::int) AS visited_on
      FROM rental r JOIN units u ON u.building_code = r.code AND ${RENTAL_UNIT})
    INSERT INTO inspections (building_code, street_code, unit_code, collector_id, inspector_role, visited_on, tenants_registered, clue_given)
    SELECT h.code, left(h.code, 9), h.unit_code,
           (SELECT min(a.collector_id) FROM collector_assignments a WHERE a.grid_code = h.grid_code AND a.ended_on IS NULL),
           'collector', h.visited_on,
           ${unitHash(sql`h.unit_code || 'registered'`)} < 0.88 + 0.1 * h.care,
           ${unitHash(sql`h.unit_code || 'clue'`)} < 0.004 + 0.012 * h.care
    FROM let_units h
    WHERE h.let_units >= ${LET_SEPARATELY_MIN_UNITS}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * 人户一致 checks: at the latest visit to the whole building in the last half year that looked at
 * tenant registration, the residents of every unit were checked (as a registration check goes
 * room by room); most were found at home, fewer where the visit found registration poor.
 */
export async function insertDemoPersonChecks(db: Kysely<DB>, today: string): Promise<number> {
  const result = await sql`
    WITH latest AS (
      SELECT DISTINCT ON (building_code) id, building_code, visited_on, tenants_registered FROM inspections
      WHERE unit_code IS NULL AND tenants_registered IS NOT NULL AND visited_on > ${today}::date - 180
      ORDER BY building_code, visited_on DESC, id DESC)
    INSERT INTO inspection_person_checks (inspection_id, person_id, found_here, registered_here)
    SELECT l.id, r.person_id,
           ${unitHash(sql`r.person_id::text || l.visited_on::text || 'found'`)} < CASE WHEN l.tenants_registered THEN 0.97 ELSE 0.8 END,
           true
    FROM latest l
    JOIN units u ON u.building_code = l.building_code
    JOIN residencies r ON r.unit_code = u.code AND r.moved_in <= l.visited_on AND (r.moved_out IS NULL OR r.moved_out > l.visited_on)`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * People living in the district unregistered (the generator's floating persons without any
 * residency): each is found by one collector visit to a whole rental building in the last 12
 * months, spread over the visits by md5 — counted in 居住登记率's denominator
 * (sql/0020_found_unregistered.sql).
 */
export async function insertDemoFoundUnregistered(db: Kysely<DB>, today: string): Promise<number> {
  const result = await sql`
    WITH unregistered AS (
      SELECT p.id, row_number() OVER (ORDER BY md5(p.id_number)) - 1 AS n FROM persons p
      WHERE p.category = 'floating' AND NOT EXISTS (SELECT 1 FROM residencies r WHERE r.person_id = p.id)),
    visits AS (
      SELECT i.id, row_number() OVER (ORDER BY md5(i.building_code || i.visited_on::text), i.id) - 1 AS n, count(*) OVER () AS total
      FROM inspections i
      WHERE i.inspector_role = 'collector' AND i.unit_code IS NULL AND i.visited_on > ${today}::date - 365)
    INSERT INTO inspection_person_checks (inspection_id, person_id, found_here, registered_here)
    SELECT v.id, u.id, true, false FROM unregistered u JOIN visits v ON v.n = u.n % v.total`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** About 1 in 300 current tenants of let units is a key person and 1 in 120 a work target, flagged for the last 1–2 years. */
export async function insertDemoPersonFlags(db: Kysely<DB>, today: string): Promise<number> {
  const result = await sql`
    INSERT INTO person_flags (person_id, flag, from_date)
    SELECT r.person_id, flag.name, (${today}::date - (365 + ${unitHash(sql`r.person_id::text || 'since'`)} * 365)::int)
    FROM residencies r
    JOIN units u ON u.code = r.unit_code AND ${RENTAL_UNIT}
    JOIN (VALUES ('key_person', 0.0033), ('work_target', 0.0083)) AS flag(name, share)
      ON ${unitHash(sql`r.person_id::text || flag.name`)} < flag.share
    WHERE r.moved_out IS NULL`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Whether any visit is recorded (demo visits and flags are inserted once). */
export async function anyInspection(db: Kysely<DB>): Promise<boolean> {
  const existing = await db.selectFrom('inspections').select('id').limit(1).executeTakeFirst();
  return existing !== undefined;
}

export async function anyRentalBuilding(db: Kysely<DB>): Promise<boolean> {
  const anyRental = await sql<{ any: boolean }>`SELECT EXISTS (${RENTAL_BUILDINGS}) AS any`.execute(db);
  return Boolean(anyRental.rows[0]?.any);
}
