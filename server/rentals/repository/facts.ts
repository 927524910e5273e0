import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { CITY_TIME_ZONE } from '../../domain/calendar.ts';
import {
  addMonths,
  type AccessControlFact,
  type CaseFact,
  type FlaggedTenantFact,
  type InspectionFact,
  type RegistrationFact,
} from '../../domain/rental-scoring.ts';

/** The facts rental scoring reads (cases, registrations, visits, flagged tenants, access control), per slice of buildings. */

/** A unit `u` is let when it is used as a rental or registered as one (出租登记). */
export const RENTAL_UNIT = sql`(u.use = 'rented' OR u.rental_registered)`;

/**
 * Runs a query and hands back its rows as one JSON text: the embedded engine converts rows to JS
 * objects one field at a time, which for tens of thousands of rows costs seconds; one text does not.
 */
async function rowsAsJson<Row>(db: Kysely<DB>, query: RawBuilder<unknown>): Promise<Row[]> {
  const result = await sql<{ rows: string }>`SELECT coalesce(json_agg(q), '[]')::text AS rows FROM (${query}) AS q`.execute(db);
  return JSON.parse(result.rows[0]!.rows) as Row[];
}

/** Active buildings with at least one let unit, with their let units. */
export async function rentalBuildingRows(db: Kysely<DB>) {
  return rowsAsJson<{ code: string; gridCode: string; letUnits: string[] }>(
    db,
    sql`
    SELECT b.code, b.grid_code AS "gridCode", l.units AS "letUnits" FROM buildings b
    CROSS JOIN LATERAL (SELECT array_agg(u.code ORDER BY u.code) AS units FROM units u WHERE u.building_code = b.code AND ${RENTAL_UNIT}) l
    WHERE b.status = 'active' AND l.units IS NOT NULL`,
  );
}

/** A contiguous slice of building codes and the months whose facts are wanted. */
export interface FactWindow {
  firstCode: string;
  lastCode: string;
  /** The first month any window looks at (lookback included). */
  since: string;
  /** The first and last months being scored: flagged tenants are only needed for these. */
  from: string;
  to: string;
}

/** The lists of events in a building's facts. */
export type EventList = 'cases' | 'registrations' | 'inspections' | 'flaggedTenants';

/** A fact with where it happened: its building and, when known, its unit. */
export type Of<Fact> = Fact & { building: string; unit: string | null };

// Unit codes are their building's code and 6 digits: a slice of buildings is a range of unit codes,
// which the residencies index on unit_code answers directly.
const unitCodeRange = (window: FactWindow) => sql`r.unit_code BETWEEN ${`${window.firstCode}000000`} AND ${`${window.lastCode}999999`}`;

function caseQuery(window: FactWindow) {
  return sql`
    SELECT c.building_code AS building, c.unit_code AS unit, c.id AS "caseId", c.kind,
           (c.occurred_at AT TIME ZONE ${CITY_TIME_ZONE})::date AS "occurredOn"
    FROM cases c
    WHERE c.building_code BETWEEN ${window.firstCode} AND ${window.lastCode}
      AND c.occurred_at >= (${window.since}::date::timestamp AT TIME ZONE ${CITY_TIME_ZONE})
      AND c.occurred_at < (${addMonths(window.to, 1)}::date::timestamp AT TIME ZONE ${CITY_TIME_ZONE})`;
}

function registrationQuery(window: FactWindow) {
  return sql`
    SELECT u.building_code AS building, r.unit_code AS unit, r.id AS "residencyId", r.moved_in AS "movedIn", r.registered_at AS "registeredAt"
    FROM residencies r JOIN units u ON u.code = r.unit_code
    WHERE ${unitCodeRange(window)} AND ${RENTAL_UNIT}
      AND r.moved_in >= ${window.since}::date AND r.moved_in < ${addMonths(window.to, 1)}::date`;
}

function inspectionQuery(window: FactWindow) {
  return sql`
    SELECT i.building_code AS building, i.unit_code AS unit, i.id AS "inspectionId", i.visited_on AS "visitedOn", i.inspector_role AS role,
           i.doors_ok AS "doorsOk", i.hygiene_good AS "hygieneGood", i.neighbours_good AS "neighboursGood",
           i.tenants_registered AS "tenantsRegistered", i.clue_given AS "clueGiven"
    FROM inspections i
    WHERE i.building_code BETWEEN ${window.firstCode} AND ${window.lastCode}
      AND i.visited_on >= ${window.since}::date AND i.visited_on < ${addMonths(window.to, 1)}::date`;
}

/** Each stay of a flagged person in a let unit, cut to the part of it while flagged and scored. */
function flaggedTenantQuery(window: FactWindow) {
  const end = addMonths(window.to, 1);
  return sql`
    SELECT u.building_code AS building, r.unit_code AS unit, f.flag, r.id AS "residencyId", r.person_id AS "personId",
           greatest(f.from_date, r.moved_in) AS "from", least(f.to_date, r.moved_out) AS "to"
    FROM person_flags f
    JOIN residencies r ON r.person_id = f.person_id
    JOIN units u ON u.code = r.unit_code
    WHERE ${unitCodeRange(window)} AND ${RENTAL_UNIT}
      AND f.from_date < ${end}::date AND (f.to_date IS NULL OR f.to_date >= ${window.from}::date)
      AND r.moved_in < ${end}::date AND (r.moved_out IS NULL OR r.moved_out >= ${window.from}::date)
      AND (f.to_date IS NULL OR f.to_date >= r.moved_in) AND (r.moved_out IS NULL OR r.moved_out >= f.from_date)`;
}

/** Buildings of the slice whose record says they have access control (门禁), and the day it was recorded. */
function accessControlQuery(window: FactWindow) {
  return sql`
    SELECT b.code AS building, NULL AS unit, (b.created_at AT TIME ZONE ${CITY_TIME_ZONE})::date AS "recordedOn"
    FROM buildings b
    WHERE b.code BETWEEN ${window.firstCode} AND ${window.lastCode} AND b.has_access_control`;
}

/** The five fact lists of a slice, each with its building and unit, read one after the other. */
export async function factRows(db: Kysely<DB>, window: FactWindow) {
  const cases = await rowsAsJson<Of<CaseFact>>(db, caseQuery(window));
  const registrations = await rowsAsJson<Of<RegistrationFact>>(db, registrationQuery(window));
  const inspections = await rowsAsJson<Of<InspectionFact>>(db, inspectionQuery(window));
  const flaggedTenants = await rowsAsJson<Of<FlaggedTenantFact>>(db, flaggedTenantQuery(window));
  const accessControl = await rowsAsJson<Of<AccessControlFact>>(db, accessControlQuery(window));
  return { cases, registrations, inspections, flaggedTenants, accessControl };
}
