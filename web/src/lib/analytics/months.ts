/**
 * The months the time slider replays: the last three years, month by month, ending with the
 * current one. A month is shown as of its last day (today for the current month). Pure; today
 * in China and day arithmetic come from the server's calendar (server/domain/calendar.ts).
 */
import { lastDayOfMonth } from '../../../../server/domain/calendar.ts';

// Shared with the server, which builds a leader's first map ahead (its legend spans these months).
export { monthStart, recentMonths, REPLAY_MONTHS } from '../../../../server/domain/calendar.ts';

export function isMonth(text: string | undefined): text is string {
  return text !== undefined && /^\d{4}-(0[1-9]|1[0-2])$/.test(text);
}

/** The day a month is shown as of: its last day, or today while it is still running. */
export function monthEnd(month: string, today: string): string {
  const end = lastDayOfMonth(month);
  return end < today ? end : today;
}
