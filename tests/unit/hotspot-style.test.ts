import { describe, expect, it } from 'vitest';
import type { EmergingCategory } from '../../web/src/lib/api/types.ts';
import {
  categoryColors,
  classColor,
  formatChange,
  formatChangePct,
  formatP,
  formatZ,
  HOTSPOT_CLASSES,
  NO_PATTERN_COLOR,
  parseChangeSettings,
  parseHotspotSettings,
} from '../../web/src/lib/hotspots/hotspot-style.ts';

/** Relative luminance-ish lightness of #rrggbb (0 dark … 255 light). */
const lightness = (hex: string) => {
  const [r, g, b] = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16)) as [number, number, number];
  return 0.299 * r + 0.587 * g + 0.114 * b;
};
const redness = (hex: string) => parseInt(hex.slice(1, 3), 16) - parseInt(hex.slice(5, 7), 16);

describe('hot-spot classes on the diverging palette', () => {
  it('draws hot in reds and cold in blues, darker with confidence, not significant the lightest', () => {
    expect(HOTSPOT_CLASSES).toEqual([3, 2, 1, 0, -1, -2, -3]);
    for (const level of [1, 2, 3] as const) {
      expect(redness(classColor(level))).toBeGreaterThan(0);
      expect(redness(classColor(-level as -1 | -2 | -3))).toBeLessThan(0);
    }
    expect(lightness(classColor(3))).toBeLessThan(lightness(classColor(2)));
    expect(lightness(classColor(2))).toBeLessThan(lightness(classColor(1)));
    expect(lightness(classColor(-3))).toBeLessThan(lightness(classColor(-2)));
    expect(lightness(classColor(-2))).toBeLessThan(lightness(classColor(-1)));
    for (const level of [3, 2, 1, -1, -2, -3] as const) expect(lightness(classColor(0))).toBeGreaterThan(lightness(classColor(level)));
    expect(classColor(3)).toBe('#d62f27');
    expect(classColor(-3)).toBe('#4575b5');
  });
});

describe('emerging hot-spot colours', () => {
  const category = (name: string, hot: boolean): EmergingCategory => ({
    category: name,
    label: name,
    labelZh: name,
    definition: '',
    definitionZh: '',
    hot,
    cells: 0,
  });

  it('gives each category its own colour: reds for hot, blues for cold, grey for no pattern', () => {
    const categories = [
      category('new_hot', true),
      category('persistent_hot', true),
      category('new_cold', false),
      category('persistent_cold', false),
      category('no_pattern', false),
    ];
    const colors = categoryColors(categories);
    expect(new Set(colors.values()).size).toBe(5);
    expect(redness(colors.get('new_hot')!)).toBeGreaterThan(0);
    expect(redness(colors.get('persistent_hot')!)).toBeGreaterThan(0);
    expect(redness(colors.get('new_cold')!)).toBeLessThan(0);
    expect(colors.get('no_pattern')).toBe(NO_PATTERN_COLOR);
  });
});

describe('numbers of a significance test', () => {
  it('writes p- and q-values to three decimals, below 0.001 as "< 0.001", and missing ones as a dash', () => {
    expect(formatP(0.04321)).toBe('0.043');
    expect(formatP(1)).toBe('1.000');
    expect(formatP(0.0009)).toBe('< 0.001');
    expect(formatP(0)).toBe('< 0.001');
    expect(formatP(null)).toBe('—');
    expect(formatP(undefined)).toBe('—');
    expect(formatP(Number.NaN)).toBe('—');
  });

  it('writes z-scores to two decimals with a true minus sign', () => {
    expect(formatZ(2.5758)).toBe('2.58');
    expect(formatZ(-1.96)).toBe('−1.96');
    expect(formatZ(null)).toBe('—');
  });

  it('writes changes with their sign, and nothing signed for no change', () => {
    expect(formatChange(12)).toBe('+12');
    expect(formatChange(-3)).toBe('−3');
    expect(formatChange(0)).toBe('0');
    expect(formatChange(-0.001, 2)).toBe('0.00');
    expect(formatChangePct(12.345)).toBe('+12.3%');
    expect(formatChangePct(-50)).toBe('−50.0%');
    expect(formatChangePct(null)).toBe('—');
  });
});

describe('hot-spot choices in the URL', () => {
  const from = (params: Record<string, string>) => (key: string) => params[key];

  it('reads mode, metric and level, and falls back to Gi* of cases per grid', () => {
    expect(parseHotspotSettings(from({}))).toEqual({ mode: 'gi', metric: 'cases', level: 'grid' });
    expect(parseHotspotSettings(from({ hs: 'emerging', hm: 'red_rentals', level: 'community' }))).toEqual({
      mode: 'emerging',
      metric: 'red_rentals',
      level: 'community',
    });
    // The leader's hexagons have no hot spots: grids instead.
    expect(parseHotspotSettings(from({ hs: 'x', hm: 'population', level: 'hex' }))).toEqual({ mode: 'gi', metric: 'cases', level: 'grid' });
  });

  it('reads the change metric and baseline, floating people against last month by default', () => {
    expect(parseChangeSettings(from({}))).toEqual({ metric: 'floating', against: 'last_month' });
    expect(parseChangeSettings(from({ chg: 'cases', vs: 'last_year' }))).toEqual({ metric: 'cases', against: 'last_year' });
    expect(parseChangeSettings(from({ chg: 'rates', vs: 'yesterday' }))).toEqual({ metric: 'floating', against: 'last_month' });
  });
});
