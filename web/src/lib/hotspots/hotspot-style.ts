import {
  CHANGE_BASES as changeBaselines,
  CHANGE_METRICS as changeMetrics,
  HOTSPOT_LEVELS as hotspotLevels,
  HOTSPOT_METRICS as hotspotMetrics,
} from '../../../../server/domain/word-lists.ts';
import type { ChangeBaseline, ChangeMetric, EmergingCategory, HotspotClass, HotspotLevel, HotspotMetric } from '../api/types.ts';

/**
 * How hot spots look and read (issue 21): the diverging palette of the usual Gi* maps (ArcGIS's
 * Hot Spot Analysis: reds for hot, blues for cold, darker with confidence, a pale grey for not
 * significant), the emerging categories' colours, number formats, and the URL's choices.
 * Pure: no map, no DOM, so tests/unit can check it.
 */

export const HOTSPOT_CLASSES: readonly HotspotClass[] = [3, 2, 1, 0, -1, -2, -3];

const CLASS_COLORS: Record<HotspotClass, string> = {
  3: '#d62f27',
  2: '#ed7551',
  1: '#fab984',
  0: '#eeeee8',
  [-1]: '#b5c7e8',
  [-2]: '#7a9fd1',
  [-3]: '#4575b5',
};

export function classColor(level: HotspotClass): string {
  return CLASS_COLORS[level];
}

// Darkest first: the first categories the server lists (the strongest patterns) take the darkest shades.
const HOT_SHADES = ['#99000d', '#cb181d', '#ef3b2c', '#fb6a4a', '#fc9272', '#fcbba1', '#fdd0a2', '#fee6ce'];
const COLD_SHADES = ['#08306b', '#08519c', '#2171b5', '#4292c6', '#6baed6', '#9ecae1', '#c6dbef', '#deebf7'];
export const NO_PATTERN_COLOR = '#eeeee8';

/** Hot or cold from the category's name when the server does not flag it hot (cold ones say "cold"). */
const isCold = (category: EmergingCategory) => !category.hot && /cold/i.test(category.category);

/**
 * One colour per emerging category, in the server's order: hot ones in reds, cold ones in blues,
 * the rest (no pattern) grey. The legend and the map read the same map, so they always agree.
 */
export function categoryColors(categories: readonly EmergingCategory[]): Map<string, string> {
  const colors = new Map<string, string>();
  let hot = 0;
  let cold = 0;
  for (const category of categories) {
    if (category.hot) colors.set(category.category, HOT_SHADES[Math.min(hot++, HOT_SHADES.length - 1)]!);
    else if (isCold(category)) colors.set(category.category, COLD_SHADES[Math.min(cold++, COLD_SHADES.length - 1)]!);
    else colors.set(category.category, NO_PATTERN_COLOR);
  }
  return colors;
}

const DASH = '—';

/** A p- or q-value as a statistician writes it: three decimals, and "< 0.001" below that. */
export function formatP(p: number | null | undefined): string {
  if (p == null || !Number.isFinite(p)) return DASH;
  if (p < 0.001) return '< 0.001';
  return p.toFixed(3);
}

/** A z-score to two decimals, with a true minus sign. */
export function formatZ(z: number | null | undefined): string {
  if (z == null || !Number.isFinite(z)) return DASH;
  const text = z.toFixed(2);
  return text.startsWith('-') ? `−${text.slice(1)}` : text;
}

/** A change with its sign (+12, −3, 0); null as a dash. */
export function formatChange(change: number | null | undefined, digits = 0): string {
  if (change == null || !Number.isFinite(change)) return DASH;
  const text = Math.abs(change).toFixed(digits);
  if (Number(text) === 0) return (0).toFixed(digits);
  return `${change > 0 ? '+' : '−'}${text}`;
}

/** A change in percent to one decimal, with its sign: +12.5%; null (no previous value) as a dash. */
export function formatChangePct(changePct: number | null | undefined): string {
  const text = formatChange(changePct, 1);
  return text === DASH ? DASH : `${text}%`;
}

// --- the URL's choices -----------------------------------------------------------------------------

export const hotspotModes = ['gi', 'emerging'] as const;
export type HotspotMode = (typeof hotspotModes)[number];
// The server's word lists (server/domain/word-lists.ts), under the names the web reads them by.
export { changeBaselines, changeMetrics, hotspotLevels, hotspotMetrics };

const pick = <T extends string>(choices: readonly T[], text: string | undefined, fallback: T): T => (choices.includes(text as T) ? (text as T) : fallback);

export interface HotspotSettings {
  mode: HotspotMode;
  metric: HotspotMetric;
  level: HotspotLevel;
}

/** hs=emerging, hm=<metric>, level=community; anything else falls back to the defaults (Gi* of cases per grid). */
export function parseHotspotSettings(get: (key: string) => string | undefined): HotspotSettings {
  return {
    mode: pick(hotspotModes, get('hs'), 'gi'),
    metric: pick(hotspotMetrics, get('hm'), 'cases'),
    level: pick(hotspotLevels, get('level'), 'grid'),
  };
}

export interface ChangeSettings {
  metric: ChangeMetric;
  against: ChangeBaseline;
}

/** chg=cases, vs=last_year; defaults floating people against last month. */
export function parseChangeSettings(get: (key: string) => string | undefined): ChangeSettings {
  return { metric: pick(changeMetrics, get('chg'), 'floating'), against: pick(changeBaselines, get('vs'), 'last_month') };
}
