import { z } from 'zod';
import { PERSON_CATEGORIES } from '../db/schema.ts';
import { monthStart, recentMonths } from '../domain/calendar.ts';
import { H3_RESOLUTION, SQUARE_METRES } from '../domain/hex.ts';
import { METRIC_NAMES, RENTAL_TIERS, type CategoryChoice } from '../domain/heatmap-metrics.ts';
import { bboxSchema, calendarDate, textNumber } from '../http/validate.ts';
import type { AreaLevel } from './repository.ts';
import { invalidField, type HeatmapRequest } from './service.ts';

/** What a heatmap request is: its query's schema, the request it parses to, and the map a leader's overview asks first. */

export const LEVELS = ['district', 'street', 'community', 'grid', 'hex', 'square'] as const;
const AREA_LEVELS = ['district', 'street', 'community', 'grid'] as const;
const SHAPES = ['cells', 'values'] as const;
const POPULATION_CATEGORIES = ['all', ...PERSON_CATEGORIES] as const;

export const heatmapParams = z.object({ metric: z.enum(METRIC_NAMES, { message: `metric must be one of ${METRIC_NAMES.join(', ')}` }) });
export const heatmapQuery = z.object({
  level: z.enum(LEVELS, { message: `level must be one of ${LEVELS.join(', ')}` }).default('grid'),
  resolution: textNumber(z.number().int().min(H3_RESOLUTION.min).max(H3_RESOLUTION.max).default(H3_RESOLUTION.default)),
  metres: textNumber(z.number().int().min(SQUARE_METRES.min).max(SQUARE_METRES.max).default(SQUARE_METRES.default)),
  bbox: bboxSchema.optional(),
  asOf: calendarDate.optional(),
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  kind: z.enum(['criminal', 'public_order']).optional(),
  /** population: a person category or 'all'; cases: a case category. */
  category: z.string().trim().min(1).max(50).optional(),
  tier: z.enum(RENTAL_TIERS).default('red'),
  breaksFrom: calendarDate
    .optional()
    .describe(
      "fix the legend classes over the months from this day's month to today's (at most 36; area levels only): the same breaks whichever month is shown",
    ),
  shape: z
    .enum(SHAPES, { message: `shape must be one of ${SHAPES.join(', ')}` })
    .default('cells')
    .describe('cells: one object per cell with its figures; values: one value per cell in the order of GET /api/heatmaps/cells (area levels, no bbox)'),
});
export const cellsQuery = z.object({ level: z.enum(AREA_LEVELS, { message: `level must be one of ${AREA_LEVELS.join(', ')}` }).default('grid') });
export const refreshBody = z.strictObject({ historyFrom: calendarDate.optional() });

export type MapRequest = HeatmapRequest & { shape: (typeof SHAPES)[number] };
export type AreaMapRequest = MapRequest & { level: AreaLevel };

export function heatmapRequest({ metric }: z.output<typeof heatmapParams>, { category, ...rest }: z.output<typeof heatmapQuery>): MapRequest {
  if (rest.shape === 'values' && (rest.level === 'hex' || rest.level === 'square' || rest.bbox)) {
    throw invalidField(
      'shape',
      "values needs an area level (district, street, community, grid) and no bbox: its cells follow the whole level's order",
      '只适用于区、街道、社区和网格层级且不带地图范围',
    );
  }
  if (metric !== 'population') return { ...rest, metric, category: 'all', caseCategory: category };
  if (category !== undefined && !(POPULATION_CATEGORIES as readonly string[]).includes(category)) {
    throw invalidField('category', `must be one of ${POPULATION_CATEGORIES.join(', ')}`, `必须是以下之一：${POPULATION_CATEGORIES.join('、')}`);
  }
  return { ...rest, metric, category: (category ?? 'all') as CategoryChoice };
}

/**
 * The map a leader's overview shows first (web/src/pages/LeaderHome.svelte's defaults): floating
 * population density, values only, its legend fixed over the slider's months, at the levels a
 * city's first view draws (a city fills the screen at street level, a district at community level).
 */
export const FIRST_MAP_LEVELS = ['street', 'community'] as const;
/** Whose first maps are built ahead: the jurisdictions most leaders share, this many at most. */
export const FIRST_JURISDICTIONS_BUILT_AHEAD = 4;

export function firstMapOf(level: (typeof FIRST_MAP_LEVELS)[number], today: string): AreaMapRequest {
  // Parsed as a request is, so that it has the very key of the dashboard's request.
  const query = heatmapQuery.parse({ level, breaksFrom: monthStart(recentMonths(today)[0]!), shape: 'values' });
  return { ...heatmapRequest(heatmapParams.parse({ metric: 'floating_density' }), query), level };
}
