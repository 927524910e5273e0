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
 * The zoom from which each level's cells are drawn: where a cell is larger than about 8 pixels
 * (issue 18). A ~300 m grid is ~8 px wide at z11 and ~2 px at a city's first view; a ~600 m
 * community is ~9 px at z10 and ~2 px at z8. Below it the level gives way to its parent.
 */
export const DETAIL_ZOOM = { community: 10, grid: 11 } as const;
export const GRID_DETAIL_ZOOM = DETAIL_ZOOM.grid;

/** The area level drawn at `zoom` for the one chosen: grids, else their communities, else streets. */
export function levelDrawnAt(chosen: 'grid' | 'community', zoom: number): 'grid' | 'community' | 'street' {
  if (chosen === 'grid' && zoom >= DETAIL_ZOOM.grid) return 'grid';
  return zoom >= DETAIL_ZOOM.community ? 'community' : 'street';
}
