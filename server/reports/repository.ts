import { sql, type Kysely, type SqlBool } from 'kysely';
import { codeWithin } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';
import { selectStays } from '../person-data/repository.ts';

export type RegistrationReportKind = 'late_registrations' | 'unregistered_departures';

// Which stored flag selects the rows (each has a partial index) and which event dates the period filters.
const REPORTS = {
  late_registrations: { flag: 'r.registered_late', eventDate: 'r.moved_in' },
  unregistered_departures: { flag: 'r.departure_unregistered', eventDate: 'r.moved_out' },
} as const;

export interface ReportPeriod {
  from?: string | undefined;
  to?: string | undefined;
}

/** The grid's flagged stays with their people, newest event first, at most `limit` of them. */
export async function flaggedStays(db: Kysely<DB>, kind: RegistrationReportKind, grid: string, period: ReportPeriod, limit: number) {
  const { flag, eventDate } = REPORTS[kind];
  let query = selectStays(db)
    .where(codeWithin('r.unit_code', [grid]))
    .where(sql<SqlBool>`${sql.ref(flag)}`)
    .orderBy(eventDate, 'desc')
    .orderBy('r.id', 'desc')
    .limit(limit);
  if (period.from !== undefined) query = query.where(eventDate, '>=', period.from);
  if (period.to !== undefined) query = query.where(eventDate, '<=', period.to);
  return query.execute();
}

/**
 * Arrivals later than late: floating people a visit found living in the grid whom nobody has
 * registered yet (sql/0020_found_unregistered.sql), as of `to` or today.
 */
export async function foundUnregisteredIn(db: Kysely<DB>, grid: string, to: string | undefined): Promise<number> {
  const result = await sql<{ people: number }>`
    SELECT count(*)::int AS people FROM found_unregistered_on(coalesce(${to ?? null}::date, city_today()))
    WHERE grid_code = ${grid}`.execute(db);
  return result.rows[0]!.people;
}
