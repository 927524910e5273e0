import type { Transaction } from 'kysely';
import { z } from 'zod';
import { recordAudit } from '../audit/service.ts';
import { PERSON_CATEGORIES, type DB } from '../db/schema.ts';
import { H3_RESOLUTION, SQUARE_METRES } from '../domain/hex.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { bboxSchema, calendarDate, textNumber } from '../http/validate.ts';
import { ANALYTICS_READERS } from '../domain/roles.ts';
import { METRIC_NAMES, METRICS, RENTAL_TIERS, type CategoryChoice } from '../domain/heatmap-metrics.ts';
import { populationWindow, refreshGridStats, type AreaLevel } from './repository.ts';
import { cellOrder, compactHeatmap, dataVersionOf } from './compact.ts';
import { KEPT_FIGURES_WATCH_MS, monthEndStoreOf } from './month-ends.ts';
import { createResponseCache, sendCachedJson } from '../http/kept-answers.ts';
import { logger } from '../logger.ts';
import { visiblePrefixes } from '../http/jurisdiction.ts';
import { buildHeatmap, buildHeatmapColumns, invalidField, keepPopulationWindowCurrent, suppressesSmallCounts, type HeatmapRequest } from './service.ts';

const LEVELS = ['district', 'street', 'community', 'grid', 'hex', 'square'] as const;
const AREA_LEVELS = ['district', 'street', 'community', 'grid'] as const;
const SHAPES = ['cells', 'values'] as const;
const POPULATION_CATEGORIES = ['all', ...PERSON_CATEGORIES] as const;

const heatmapParams = z.object({ metric: z.enum(METRIC_NAMES, { message: `metric must be one of ${METRIC_NAMES.join(', ')}` }) });
const heatmapQuery = z.object({
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
const cellsQuery = z.object({ level: z.enum(AREA_LEVELS, { message: `level must be one of ${AREA_LEVELS.join(', ')}` }).default('grid') });
const refreshBody = z.strictObject({ historyFrom: calendarDate.optional() });

function heatmapRequest(
  { metric }: z.output<typeof heatmapParams>,
  { category, ...rest }: z.output<typeof heatmapQuery>,
): HeatmapRequest & { shape: (typeof SHAPES)[number] } {
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

/** Heatmaps (aggregate figures per cell with a shared legend) and their upkeep; the KPI cards are server/kpis's own routes. */
export const heatmapsRoutes: FeatureRoutes = (context) => heatmapSpecs(context);

const heatmapSpecs: FeatureRoutes = (context) => {
  const keptHeatmaps = createResponseCache();
  // The slider's month-ends and the cases per day, precomputed once someone slides (or, on
  // PostgreSQL, asks for cases); watched on PostgreSQL (shared by many readers).
  const monthEnds = monthEndStoreOf(context.db, (message, fields) => logger.info(message, fields));
  const monthEndWatchMs = context.engine === 'postgres' ? KEPT_FIGURES_WATCH_MS : undefined;
  return [
    route({
      method: 'get',
      path: '/heatmaps',
      access: ANALYTICS_READERS,
      cost: 'cheap',
      summary: 'The heatmap metrics with their labels, units and definitions',
      handler: (_input, _request, response) => {
        const metrics = METRIC_NAMES.map((name) => ({
          metric: name,
          label: METRICS[name].label,
          unit: METRICS[name].unit,
          definition: METRICS[name].definition,
        }));
        response.json({ metrics, levels: LEVELS, h3Resolution: H3_RESOLUTION, squareMetres: SQUARE_METRES });
      },
    }),
    route({
      method: 'get',
      path: '/heatmaps/cells',
      access: ANALYTICS_READERS,
      cost: 'cheap',
      summary: 'The cells of an area level the caller may see, in the order of a heatmap answered with shape=values (kept per data version)',
      schemas: { query: cellsQuery },
      handler: async ({ query: { level }, principal }, request, response) => {
        const requestKey = JSON.stringify(['cells', level, visiblePrefixes(principal)]);
        const { body, hit } = await keptHeatmaps.read(context.db, requestKey, (trx) => cellOrder(trx, principal, level));
        sendCachedJson(request, response, body, hit);
      },
    }),
    route({
      method: 'get',
      path: '/heatmaps/:metric',
      access: ANALYTICS_READERS,
      // Kept (cached) per data version; hex and square cells are binned inside a small bbox only.
      cost: 'cheap',
      summary: 'Values per cell (area, H3 hexagon or ground square) with legend class breaks',
      schemas: { params: heatmapParams, query: heatmapQuery },
      handler: async ({ params, query, principal }, request, response) => {
        const heatmap = heatmapRequest(params, query);
        // Hex and square cells are binned from base-table points inside a small bbox: not kept.
        if (heatmap.level === 'hex' || heatmap.level === 'square') {
          const { shape: _cells, ...asked } = heatmap;
          response.json(await buildHeatmap(context.db, principal, asked));
          return;
        }
        await keepPopulationWindowCurrent(context.db);
        // Everything the response depends on besides the data version: the request and what this caller may see.
        const requestKey = JSON.stringify([heatmap, visiblePrefixes(principal), suppressesSmallCounts(principal)]);
        const { shape, ...asked } = heatmap;
        if (asked.asOf !== undefined || asked.breaksFrom !== undefined || (monthEndWatchMs && METRICS[asked.metric].source === 'cases')) {
          monthEnds.refresh(context.db, monthEndWatchMs);
        }
        const compute =
          shape === 'values'
            ? async (trx: Transaction<DB>) => {
                // An area level: hex and square were answered above.
                const { head, columns } = await buildHeatmapColumns(trx, principal, { ...asked, level: asked.level as AreaLevel }, monthEnds);
                return compactHeatmap(head, columns, await dataVersionOf(trx));
              }
            : (trx: Transaction<DB>) => buildHeatmap(trx, principal, asked, monthEnds);
        const { body, hit } = await keptHeatmaps.read(context.db, requestKey, compute);
        sendCachedJson(request, response, body, hit);
      },
    }),
    route({
      method: 'post',
      path: '/heatmaps/refresh',
      access: ['admin'],
      cost: 'bulk',
      summary: 'Recompute every maintained grid statistic from the base tables (after a bulk load)',
      schemas: { body: refreshBody },
      handler: async ({ body: { historyFrom }, principal }, _request, response) => {
        const started = Date.now();
        await refreshGridStats(context.db, historyFrom ?? null);
        await recordAudit(context.db, principal, { action: 'refresh', targetType: 'grid_stats', details: { historyFrom: historyFrom ?? null } });
        const window = await populationWindow(context.db);
        response.json({ refreshed: true, seconds: (Date.now() - started) / 1000, keptDays: { from: window.firstDay, to: window.lastDay } });
      },
    }),
  ];
};
