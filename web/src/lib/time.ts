import type { Locale } from './i18n.ts';

/**
 * The one zone every moment is shown in: the city's (Asia/Shanghai, UTC+8, no daylight saving),
 * whatever the browser's own zone is. The server's calendar day is the same zone's
 * (chinaToday() in server/domain/calendar.ts, whose CITY_TIME_ZONE this is), so a time and its day never disagree.
 * Pages that show times say the zone once (TimeZoneNote.svelte, 'time.zoneNote').
 */
export const CITY_TIME_ZONE = 'Asia/Shanghai';

/** A moment (ISO text from the API) in the city's zone, to the second: audit rows, last logins, imports, grants. */
export function formatTime(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: CITY_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}
