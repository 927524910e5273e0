import type { HeatmapLevel, HeatmapMetric } from '../api/types.ts';
import type { SequentialScheme } from '../map/scales.ts';

/**
 * The leader's map layers (issue 5: density / cases / tiers / rates; issue 21: hot spots) and how
 * each maps onto a heatmap metric and a colour scheme. The URL holds layer, rate and level by these names.
 */
export const leaderLayers = ['density', 'cases', 'tiers', 'rates', 'hotspots'] as const;
export type LeaderLayer = (typeof leaderLayers)[number];

// 发证率 first and the default: it varies from grid to grid, where 居住登记率 is near 100% in most (issue 16.5).
export const rateChoices = ['permit', 'registration'] as const;
export type RateChoice = (typeof rateChoices)[number];

export const leaderLevels = ['grid', 'community', 'hex'] as const satisfies readonly HeatmapLevel[];
export type LeaderLevel = (typeof leaderLevels)[number];

const RATE_METRICS: Record<RateChoice, HeatmapMetric> = { registration: 'registration_rate', permit: 'permit_rate' };
const LAYER_METRICS: Record<Exclude<LeaderLayer, 'rates' | 'hotspots'>, HeatmapMetric> = {
  density: 'floating_density',
  cases: 'cases',
  tiers: 'rental_tiers',
};

/** The heatmap a layer draws; undefined for hot spots, which draw their own answer (lib/hotspots). */
export function metricOf(layer: LeaderLayer, rate: RateChoice): HeatmapMetric | undefined {
  if (layer === 'hotspots') return undefined;
  return layer === 'rates' ? RATE_METRICS[rate] : LAYER_METRICS[layer];
}

export const schemeOf: Record<LeaderLayer, SequentialScheme> = {
  density: 'warm',
  cases: 'purple',
  tiers: 'warm',
  rates: 'green',
  hotspots: 'warm',
};

const pick = <T extends string>(choices: readonly T[], text: string | undefined, fallback: T): T => (choices.includes(text as T) ? (text as T) : fallback);

export const parseLayer = (text: string | undefined) => pick(leaderLayers, text, 'density');
export const parseRate = (text: string | undefined) => pick(rateChoices, text, 'permit');

/** Legend classes fixed over the slider's months (the default, so months compare) or each month's own. */
export const breakModes = ['period', 'month'] as const;
export type BreakMode = (typeof breakModes)[number];
export const parseBreakMode = (text: string | undefined) => pick(breakModes, text, 'period');
export const parseLevel = (text: string | undefined) => pick(leaderLevels, text, 'grid');

/** H3 resolution for the zoom: cells a few dozen pixels across. */
export function hexResolutionFor(zoom: number): number {
  if (zoom < 12) return 7;
  if (zoom < 13.5) return 8;
  if (zoom < 15) return 9;
  return 10;
}

/**
 * From this zoom the grid level draws grids (a ~300 m grid is ~8 px wide at z11, ~2 px at a
 * city's first view); below it, its communities (issue 18: grids appear where they are larger
 * than a few pixels).
 */
export const GRID_DETAIL_ZOOM = 11;
