import { formatNumber } from '../analytics/format.ts';
import type { Locale } from '../i18n.ts';

/** A rate in percent as the API gives it (two decimals), or a dash for a compound or building without units. */
export function formatRate(rate: number | null, locale: Locale): string {
  return rate === null ? '—' : `${formatNumber(rate, locale, 2)}%`;
}

/** Occupied units ÷ units in percent, as the server computes a compound's (null without units). */
export function occupancyRate(occupied: number, units: number): number | null {
  return units === 0 ? null : Math.round(((100 * occupied) / units) * 100) / 100;
}
