/**
 * Calendar days of the city: 'YYYY-MM-DD' strings, counted on the calendar whatever the zone of
 * the machine or browser running the code. The one home of "today in China" and of day arithmetic,
 * shared by server, scripts and web (web imports this file). SQL's counterpart of chinaToday() is
 * city_today() (sql/0003_heatmaps.sql). Pure: no I/O, "now" may be passed in.
 */

/** China keeps one time zone (UTC+8, no daylight saving): the city's days and times are in it. */
export const CITY_TIME_ZONE = 'Asia/Shanghai';

const DAY_MS = 86_400_000;
const utcMidnight = (date: string) => Date.parse(`${date}T00:00:00Z`);
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** True for a real calendar date written 'YYYY-MM-DD' (no 2026-02-30). */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = utcMidnight(text);
  return Number.isFinite(parsed) && dateOf(parsed) === text;
}

/**
 * Made once: building an Intl.DateTimeFormat with a time zone costs ~0.5 ms, which every request
 * that asks for today paid (a quarter of a registration's own JavaScript at Shenzhen-scale load).
 */
const cityDayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: CITY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's date in China: a registration made at 07:00 in Shenzhen is not dated yesterday (UTC). */
export function chinaToday(now: Date = new Date()): string {
  return cityDayFormat.format(now);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcMidnight(to) - utcMidnight(from)) / DAY_MS);
}

/** The date `days` later (earlier when negative). */
export function addDays(date: string, days: number): string {
  return dateOf(utcMidnight(date) + days * DAY_MS);
}

/** The same calendar day `years` later; 29 February falls back to 28 February in common years. */
export function addYears(date: string, years: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(year + years, month - 1, day));
  if (target.getUTCMonth() !== month - 1) target.setUTCDate(0);
  return dateOf(target.getTime());
}

/** The last day of the month of `monthOrDate` ('YYYY-MM' or any 'YYYY-MM-DD' in it). */
export function lastDayOfMonth(monthOrDate: string): string {
  const [year, month] = monthOrDate.split('-').map(Number) as [number, number];
  return dateOf(Date.UTC(year, month, 0));
}

/** How many months the time slider replays: the last three years, month by month. */
export const REPLAY_MONTHS = 36;

/** YYYY-MM of `count` consecutive months ending with today's month, oldest first (the slider's months). */
export function recentMonths(today: string, count = REPLAY_MONTHS): string[] {
  const [year, month] = today.split('-').map(Number) as [number, number];
  const months: string[] = [];
  for (let back = count - 1; back >= 0; back -= 1) {
    const index = year * 12 + (month - 1) - back;
    months.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`);
  }
  return months;
}

export const monthStart = (month: string) => `${month}-01`;
