/**
 * The months the time slider replays: the last three years, month by month, ending with the
 * current one. A month is shown as of its last day (today for the current month). Pure.
 */
export const REPLAY_MONTHS = 36;

/** Today's date in China (one time zone), YYYY-MM-DD, whatever the browser's zone. */
export function chinaToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

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
  const [year, number] = month.split('-').map(Number) as [number, number];
  const lastDay = new Date(Date.UTC(year, number, 0)).getUTCDate();
  const end = `${month}-${String(lastDay).padStart(2, '0')}`;
  return end < today ? end : today;
}

export const monthStart = (month: string) => `${month}-01`;
