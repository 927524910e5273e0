import type { Locale, MessageKey } from '../i18n.ts';

/**
 * Numbers as a city office writes them: thousands separated, rates with up to two decimals
 * (the API rounds to 0.01), densities and counts whole.
 */
export function formatNumber(value: number, locale: Locale, maximumFractionDigits = 2): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits }).format(value);
}

/** Digits worth showing for a value in `unit`: whole people per km², cases, buildings; rates to 0.01. */
export function fractionDigitsFor(unit: string): number {
  return unit === '%' || unit === 'ratio' ? 2 : 0;
}

export function formatValue(value: number, unit: string, locale: Locale): string {
  return formatNumber(value, locale, fractionDigitsFor(unit));
}

/** Units of whole things counted (people, cases, buildings, units), as the heatmap API names them. */
export function isCountUnit(unit: string): boolean {
  return unit === '人' || unit === '起' || unit === '栋' || unit === '套' || unit === '户';
}

/** The heatmap and KPI APIs name units in Chinese ('人/km²'); the screen says them in the user's language. */
const UNIT_KEYS: Record<string, MessageKey> = {
  '人/km²': 'unit.perKm2',
  人: 'unit.people',
  起: 'unit.cases',
  户: 'unit.households',
  栋: 'unit.buildings',
  套: 'unit.dwellings',
  '%': 'unit.percent',
  ratio: 'unit.ratio',
};

/** A unit as the user reads it; one this version does not know is shown as the API wrote it. */
export function unitLabel(unit: string, t: (key: MessageKey) => string): string {
  const key = UNIT_KEYS[unit];
  return key ? t(key) : unit;
}
