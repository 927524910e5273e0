/**
 * The months the time slider replays: the last three years, month by month, ending with the
 * current one. A month is shown as of its last day (today for the current month). Pure; today
 * in China and day arithmetic come from the server's calendar (server/domain/calendar.ts).
 */
import { lastDayOfMonth } from '../../../../server/domain/calendar.ts';

export const REPLAY_MONTHS = 36;

/** YYYY-MM of `count` consecutive months ending with today's month, oldest first. */
export function recentMonths(today: string, count = REPLAY_MONTHS): string[] {
  const [year, month] = today.split('-').map(Number) as [number, number];
  const months: string[] = [];
  for (let back = count - 1; back >= 0; back -= 1) {
    const index = year * 12 + (month - 1) - back;
    months.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`);
  }
  return months;
}

export function isMonth(text: string | undefined): text is string {
  return text !== undefined && /^\d{4}-(0[1-9]|1[0-2])$/.test(text);
}

/** The day a month is shown as of: its last day, or today while it is still running. */
export function monthEnd(month: string, today: string): string {
  const end = lastDayOfMonth(month);
  return end < today ? end : today;
}

export const monthStart = (month: string) => `${month}-01`;
