import { sql, type Kysely } from 'kysely';
import type { DB, UnitCheckReason } from '../../db/schema.ts';
import { INSPECTOR_ROLES, RENTAL_TIERS, VISIT_INTERVAL_DAYS, type InspectorRole, type RentalTier } from '../../domain/rental-scoring.ts';
import { codeWithin, type CodePrefixes } from '../../db/code-prefix.ts';

const INTERVALS_JSON = JSON.stringify(
  RENTAL_TIERS.map((tier) => ({ tier, police: VISIT_INTERVAL_DAYS[tier].police, collector: VISIT_INTERVAL_DAYS[tier].collector })),
);

/**
 * Points every scored rental building's schedule at its latest tier, with its last visit by each
 * role. Run after scoring; single inspections update their row through recordVisit.
 */
export async function refreshSchedule(db: Kysely<DB>): Promise<void> {
  await sql`
    INSERT INTO rental_schedule AS s (building_code, street_code, grid_code, tier, scored_month, schedule_start,
      police_interval_days, collector_interval_days, last_police_visit, last_collector_visit)
    SELECT latest.building_code, left(latest.building_code, 9), left(latest.building_code, 14), latest.tier, latest.month,
           (latest.month + interval '1 month')::date, visit_interval.police, visit_interval.collector,
           (SELECT max(i.visited_on) FROM inspections i WHERE i.building_code = latest.building_code AND i.inspector_role = 'police'),
           (SELECT max(i.visited_on) FROM inspections i WHERE i.building_code = latest.building_code AND i.inspector_role = 'collector')
    FROM (SELECT DISTINCT ON (building_code) building_code, month, tier
          FROM rental_scores ORDER BY building_code, month DESC) AS latest
    JOIN jsonb_to_recordset(${INTERVALS_JSON}::jsonb) AS visit_interval(tier text, police smallint, collector smallint)
      ON visit_interval.tier = latest.tier
    ON CONFLICT (building_code) DO UPDATE SET
      tier = excluded.tier, scored_month = excluded.scored_month, schedule_start = excluded.schedule_start,
      police_interval_days = excluded.police_interval_days, collector_interval_days = excluded.collector_interval_days,
      last_police_visit = excluded.last_police_visit, last_collector_visit = excluded.last_collector_visit`.execute(db);
}

/** A new visit moves its building's last visit forward (a late-entered older visit does not move it back). */
export async function recordVisit(db: Kysely<DB>, buildingCode: string, role: InspectorRole, visitedOn: string): Promise<void> {
  const column = role === 'police' ? 'last_police_visit' : 'last_collector_visit';
  await sql`UPDATE rental_schedule SET ${sql.ref(column)} = greatest(${sql.ref(column)}, ${visitedOn}::date)
            WHERE building_code = ${buildingCode}`.execute(db);
}

export interface OverdueFilter {
  asOf: string;
  gridCode?: string;
  collectorId?: number;
  role?: InspectorRole;
  prefixes: CodePrefixes;
  limit: number;
}

export interface OverdueVisit {
  buildingCode: string;
  gridCode: string;
  address: string;
  tier: RentalTier;
  role: InspectorRole;
  intervalDays: number;
  lastVisit: string | null;
  dueOn: string;
  daysOverdue: number;
}

/** Where a collector's list comes from: the grids they are currently assigned to. */
const assignedGrids = (collectorId: number) =>
  sql`(SELECT a.grid_code FROM collector_assignments a WHERE a.collector_id = ${collectorId} AND a.ended_on IS NULL)`;

function overdueOfRole(role: InspectorRole, filter: OverdueFilter) {
  const due = sql.ref(`s.${role}_due_on`);
  const inGrid = filter.gridCode ? sql`s.grid_code = ${filter.gridCode}` : sql`true`;
  const ofCollector = filter.collectorId === undefined ? sql`true` : sql`s.grid_code IN ${assignedGrids(filter.collectorId)}`;
  return sql`
    SELECT s.building_code AS "buildingCode", s.grid_code AS "gridCode", b.address, s.tier, ${role}::text AS role,
           s.${sql.ref(`${role}_interval_days`)}::int AS "intervalDays", s.${sql.ref(`last_${role}_visit`)} AS "lastVisit",
           ${due} AS "dueOn", (${filter.asOf}::date - ${due})::int AS "daysOverdue"
    FROM rental_schedule s JOIN buildings b ON b.code = s.building_code
    WHERE ${due} < ${filter.asOf}::date AND ${inGrid} AND ${ofCollector} AND ${codeWithin('s.building_code', filter.prefixes)}`;
}

/** Visits past due on `asOf`, most overdue first. A collector filter lists only collector visits. */
/** A unit the register changed under (sql/0015_unit_checks.sql): the collector visits it. */
export interface UnitToCheck {
  unitCode: string;
  buildingCode: string;
  gridCode: string;
  address: string;
  /** The room's own label (e.g. 302), as on the door. */
  room: string;
  use: string;
  reason: UnitCheckReason;
  since: string;
}

/** Units flagged for a collector's visit in the caller's scope (and grid, or the collector's grids), oldest first. */
async function unitsToCheck(db: Kysely<DB>, filter: OverdueFilter): Promise<UnitToCheck[]> {
  const inGrid = filter.gridCode ? sql`b.grid_code = ${filter.gridCode}` : sql`true`;
  const ofCollector = filter.collectorId === undefined ? sql`true` : sql`b.grid_code IN ${assignedGrids(filter.collectorId)}`;
  const result = await sql<UnitToCheck>`
    SELECT u.code AS "unitCode", u.building_code AS "buildingCode", b.grid_code AS "gridCode", b.address, u.room, u.use,
           u.to_check AS reason, u.to_check_since AS since
    FROM units u JOIN buildings b ON b.code = u.building_code
    WHERE u.to_check IS NOT NULL AND ${inGrid} AND ${ofCollector} AND ${codeWithin('u.building_code', filter.prefixes)}
    ORDER BY u.to_check_since, u.code
    LIMIT ${filter.limit}`.execute(db);
  return result.rows;
}

export async function overdueVisits(
  db: Kysely<DB>,
  filter: OverdueFilter,
): Promise<{ visits: OverdueVisit[]; truncated: boolean; unitsToCheck: UnitToCheck[] }> {
  const roles = filter.role ? [filter.role] : filter.collectorId !== undefined ? ['collector' as const] : INSPECTOR_ROLES;
  const union = sql.join(
    roles.map((role) => overdueOfRole(role, filter)),
    sql` UNION ALL `,
  );
  const result = await sql<OverdueVisit>`
    SELECT * FROM (${union}) AS overdue
    ORDER BY "daysOverdue" DESC, "buildingCode", role
    LIMIT ${filter.limit + 1}`.execute(db);
  // Units to check are collector work (issue 15.4): listed beside the collector's visits.
  const checks = roles.includes('collector') ? await unitsToCheck(db, filter) : [];
  return { visits: result.rows.slice(0, filter.limit), truncated: result.rows.length > filter.limit, unitsToCheck: checks };
}

export interface OverdueCount {
  key: string;
  name: string | null;
  buildings: number;
  policeOverdue: number;
  collectorOverdue: number;
}

/** Scheduled buildings and overdue visits per grid. */
export async function overdueByGrid(db: Kysely<DB>, asOf: string, prefixes: CodePrefixes): Promise<OverdueCount[]> {
  const result = await sql<OverdueCount>`
    SELECT s.grid_code AS key, g.name, count(*)::int AS buildings,
           count(*) FILTER (WHERE s.police_due_on < ${asOf}::date)::int AS "policeOverdue",
           count(*) FILTER (WHERE s.collector_due_on < ${asOf}::date)::int AS "collectorOverdue"
    FROM rental_schedule s JOIN grids g ON g.code = s.grid_code
    WHERE ${codeWithin('s.grid_code', prefixes)}
    GROUP BY s.grid_code, g.name
    ORDER BY s.grid_code`.execute(db);
  return result.rows;
}

/** Buildings in each active collector's current grids and how many of their visits are overdue. */
export async function overdueByCollector(db: Kysely<DB>, asOf: string, prefixes: CodePrefixes): Promise<OverdueCount[]> {
  const result = await sql<OverdueCount>`
    SELECT c.id::text AS key, c.name, count(s.building_code)::int AS buildings, 0 AS "policeOverdue",
           count(*) FILTER (WHERE s.collector_due_on < ${asOf}::date)::int AS "collectorOverdue"
    FROM collectors c
    JOIN collector_assignments a ON a.collector_id = c.id AND a.ended_on IS NULL
    JOIN rental_schedule s ON s.grid_code = a.grid_code
    WHERE c.active AND ${codeWithin('a.grid_code', prefixes)}
    GROUP BY c.id, c.name
    ORDER BY c.id`.execute(db);
  return result.rows;
}

/** A building's row of the visit schedule (none before its first score). */
export function scheduleOfBuilding(db: Kysely<DB>, code: string) {
  return db.selectFrom('rental_schedule').selectAll().where('building_code', '=', code).executeTakeFirst();
}
