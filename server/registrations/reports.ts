import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';
import { daysBetween } from '../domain/calendar.ts';
import { assertGridVisible } from './guards.ts';
import { presentStay, selectStays } from './stays.ts';
import { auditPersonReads, codeWithin } from './visibility.ts';

/**
 * Per-grid follow-up lists for collectors and police: arrivals registered more than 7 days late,
 * and departures never deregistered or deregistered late (来有登记, 走有注销).
 */

export type RegistrationReportKind = 'late_registrations' | 'unregistered_departures';

// Which stored flag selects the rows (each has a partial index) and which event dates the period filters.
const REPORTS = {
  late_registrations: { flag: 'r.registered_late', eventDate: 'r.moved_in' },
  unregistered_departures: { flag: 'r.departure_unregistered', eventDate: 'r.moved_out' },
} as const;

export const REPORT_LIMIT = 1000;

export interface ReportPeriod {
  from?: string | undefined;
  to?: string | undefined;
}

export async function registrationReport(
  db: Kysely<DB>,
  principal: Principal,
  kind: RegistrationReportKind,
  grid: string,
  period: ReportPeriod,
  purpose: string,
) {
  await assertGridVisible(db, principal, grid);
  const { flag, eventDate } = REPORTS[kind];
  let query = selectStays(db)
    .where(codeWithin('r.unit_code', [grid]))
    .where(sql<SqlBool>`${sql.ref(flag)}`)
    .orderBy(eventDate, 'desc')
    .orderBy('r.id', 'desc')
    .limit(REPORT_LIMIT + 1);
  if (period.from !== undefined) query = query.where(eventDate, '>=', period.from);
  if (period.to !== undefined) query = query.where(eventDate, '<=', period.to);
  const rows = await query.execute();
  const listed = rows.slice(0, REPORT_LIMIT);
  await auditPersonReads(db, principal, { view: kind, targetType: 'grid', targetId: grid }, listed.map((row) => row.id), purpose);
  const stays = listed.map((row) => {
    const stay = presentStay(row, principal);
    // How long the registration took; null for a departure nobody deregistered.
    const [event, registered] = kind === 'late_registrations' ? [stay.movedIn, stay.registeredAt] : [stay.movedOut!, stay.deregisteredAt];
    return { ...stay, daysToRegister: registered === null ? null : daysBetween(event, registered) };
  });
  const overdue = kind === 'late_registrations' ? { foundUnregistered: await foundUnregisteredIn(db, grid, period.to) } : {};
  return { grid, kind, period, count: stays.length, truncated: rows.length > REPORT_LIMIT, stays, ...overdue };
}

/**
 * Arrivals later than late: floating people a visit found living in the grid whom nobody has
 * registered yet (sql/0020_found_unregistered.sql), as of `to` or today. They have no stay to
 * list, so the report gives their number (no person data); 居住登记率 counts them too.
 */
async function foundUnregisteredIn(db: Kysely<DB>, grid: string, to: string | undefined): Promise<number> {
  const result = await sql<{ people: number }>`
    SELECT count(*)::int AS people FROM found_unregistered_on(coalesce(${to ?? null}::date, city_today()))
    WHERE grid_code = ${grid}`.execute(db);
  return result.rows[0]!.people;
}
