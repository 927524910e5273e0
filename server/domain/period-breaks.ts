import { classBreaks, type ClassBreaks } from './class-breaks.ts';

/**
 * Legend classes fixed over a period (issue 16.4): one set of class breaks for every month the
 * time slider replays, so that a colour means the same number in 2024-12 as in 2026-12. Pure.
 */

/** The longest period fixed breaks pool over: the slider's three years. */
export const MAX_PERIOD_MONTHS = 36;

/** One calendar month of a period: its first day and its last (the period's last day for the last month). */
export interface MonthWindow {
  month: string;
  from: string;
  to: string;
}

/** Each calendar month from `from`'s month to `to`'s ('YYYY-MM-DD'), oldest first; none when from > to. */
export function monthWindows(from: string, to: string): MonthWindow[] {
  const index = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
  const windows: MonthWindow[] = [];
  for (let month = index(from); month <= index(to); month += 1) {
    const year = Math.floor(month / 12);
    const number = (month % 12) + 1;
    const name = `${year}-${String(number).padStart(2, '0')}`;
    const lastDay = new Date(Date.UTC(year, number, 0)).getUTCDate();
    const end = `${name}-${String(lastDay).padStart(2, '0')}`;
    windows.push({ month: name, from: `${name}-01`, to: end < to ? end : to });
  }
  return windows;
}

/** Class breaks of every month's values pooled: the same legend whichever month is shown. */
export function fixedBreaks(valuesByMonth: readonly ArrayLike<number>[], classes?: number): ClassBreaks {
  // Pooled into one typed array (a whole-city grid legend: 36 × 20,000 values; `flat()` into a plain array cost more than the sort).
  const pooled = new Float64Array(valuesByMonth.reduce((count, values) => count + values.length, 0));
  let offset = 0;
  for (const values of valuesByMonth) {
    pooled.set(values, offset);
    offset += values.length;
  }
  return classBreaks(pooled, classes);
}
