import type { Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';
import { daysBetween } from '../domain/calendar.ts';
import { assertGridVisible } from '../person-data/guards.ts';
import { presentStay } from '../person-data/stays.ts';
import { auditPersonReads } from '../person-data/visibility.ts';
import { flaggedStays, foundUnregisteredIn, type RegistrationReportKind, type ReportPeriod } from './repository.ts';

/**
 * Per-grid follow-up lists for collectors and police: arrivals registered more than 7 days late,
 * and departures never deregistered or deregistered late (来有登记, 走有注销).
 */

export const REPORT_LIMIT = 1000;

export async function registrationReport(
  db: Kysely<DB>,
  principal: Principal,
  kind: RegistrationReportKind,
  grid: string,
  period: ReportPeriod,
  purpose: string,
) {
  await assertGridVisible(db, principal, grid);
  const rows = await flaggedStays(db, kind, grid, period, REPORT_LIMIT + 1);
  const listed = rows.slice(0, REPORT_LIMIT);
  await auditPersonReads(
    db,
    principal,
    { view: kind, targetType: 'grid', targetId: grid },
    listed.map((row) => row.id),
    purpose,
  );
  const stays = listed.map((row) => {
    const stay = presentStay(row, principal);
    // How long the registration took; null for a departure nobody deregistered.
    const [event, registered] = kind === 'late_registrations' ? [stay.movedIn, stay.registeredAt] : [stay.movedOut!, stay.deregisteredAt];
    return { ...stay, daysToRegister: registered === null ? null : daysBetween(event, registered) };
  });
  // Arrivals nobody registered have no stay to list: the report gives their number (no person data); 居住登记率 counts them too.
  const overdue = kind === 'late_registrations' ? { foundUnregistered: await foundUnregisteredIn(db, grid, period.to) } : {};
  return { grid, kind, period, count: stays.length, truncated: rows.length > REPORT_LIMIT, stays, ...overdue };
}
