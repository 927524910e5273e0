import type { Request } from 'express';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { recordAudit } from '../audit/service.ts';
import { principalOf } from '../auth/session.ts';
import { PERSON_CATEGORIES, type DB } from '../db/schema.ts';
import { H3_RESOLUTION, SQUARE_METRES } from '../domain/hex.ts';
import type { FeatureRoutes } from '../http/route-registry.ts';
import { bboxSchema, calendarDate, parseBody, parseParams, parseQuery, textNumber } from '../http/validate.ts';
import { kpisRoutes } from '../kpis/routes.ts';
import { ANALYTICS_READERS } from './access.ts';
import { METRIC_NAMES, METRICS, RENTAL_TIERS, type CategoryChoice } from './metrics.ts';
import { populationWindow, refreshGridStats } from './repository.ts';
import { cellOrder, compactHeatmap, dataVersionOf } from './compact.ts';
import { createMonthEndStore } from './month-ends.ts';
import { createResponseCache, sendCachedJson } from './response-cache.ts';
import { logger } from '../logger.ts';
import { buildHeatmap, invalidField, keepPopulationWindowCurrent, suppressesSmallCounts, visiblePrefixes, type HeatmapRequest } from './service.ts';

/** How often the slider's precomputed months check the data version once in use. */
const MONTH_END_WATCH_MS = 5000;
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
  breaksFrom: calendarDate.optional().describe('fix the legend classes over the months from this day\'s month to today\'s (at most 36; area levels only): the same breaks whichever month is shown'),
  shape: z.enum(SHAPES, { message: `shape must be one of ${SHAPES.join(', ')}` }).default('cells')
    .describe('cells: one object per cell with its figures; values: one value per cell in the order of GET /api/heatmaps/cells (area levels, no bbox)'),
});
const cellsQuery = z.object({ level: z.enum(AREA_LEVELS, { message: `level must be one of ${AREA_LEVELS.join(', ')}` }).default('grid') });
const refreshBody = z.strictObject({ historyFrom: calendarDate.optional() });

function heatmapRequest(request: Request): HeatmapRequest & { shape: (typeof SHAPES)[number] } {
  const { metric } = parseParams(heatmapParams, request);
  const query = parseQuery(heatmapQuery, request);
  const { category, ...rest } = query;
  if (rest.shape === 'values' && (rest.level === 'hex' || rest.level === 'square' || rest.bbox)) {
    throw invalidField('shape', 'values needs an area level (district, street, community, grid) and no bbox: its cells follow the whole level\'s order', '只适用于区、街道、社区和网格层级且不带地图范围');
  }
  if (metric !== 'population') return { ...rest, metric, category: 'all', caseCategory: category };
  if (category !== undefined && !(POPULATION_CATEGORIES as readonly string[]).includes(category)) {
    throw invalidField('category', `must be one of ${POPULATION_CATEGORIES.join(', ')}`, `必须是以下之一：${POPULATION_CATEGORIES.join('、')}`);
  }
  return { ...rest, metric, category: (category ?? 'all') as CategoryChoice };
}

/** Heatmaps (aggregate figures per cell with a shared legend), their upkeep, and the KPI cards of grid analytics. */
export const heatmapsRoutes: FeatureRoutes = (context) => [...heatmapSpecs(context), ...kpisRoutes(context)];

const heatmapSpecs: FeatureRoutes = (context) => {
  const keptHeatmaps = createResponseCache();
  // The slider's month-ends, precomputed once someone slides; watched on PostgreSQL (shared by many readers).
  const monthEnds = createMonthEndStore((message, fields) => logger.info(message, fields));
  const monthEndWatchMs = context.engine === 'postgres' ? MONTH_END_WATCH_MS : undefined;
  return [
    {
      method: 'get',
      path: '/heatmaps',
      access: ANALYTICS_READERS,
      cost: 'cheap',
      summary: 'The heatmap metrics with their labels, units and definitions',
      handler: (_request, response) => {
        const metrics = METRIC_NAMES.map((name) => ({ metric: name, label: METRICS[name].label, unit: METRICS[name].unit, definition: METRICS[name].definition }));
        response.json({ metrics, levels: LEVELS, h3Resolution: H3_RESOLUTION, squareMetres: SQUARE_METRES });
      },
    },
    {
      method: 'get',
      path: '/heatmaps/cells',
      access: ANALYTICS_READERS,
      cost: 'cheap',
      summary: 'The cells of an area level the caller may see, in the order of a heatmap answered with shape=values (kept per data version)',
      schemas: { query: cellsQuery },
      handler: async (request, response) => {
        const principal = principalOf(request);
        const { level } = parseQuery(cellsQuery, request);
        const requestKey = JSON.stringify(['cells', level, visiblePrefixes(principal)]);
        const { body, hit } = await keptHeatmaps.read(context.db, requestKey, (trx) => cellOrder(trx, principal, level));
        sendCachedJson(request, response, body, hit);
      },
    },
    {
      method: 'get',
      path: '/heatmaps/:metric',
      access: ANALYTICS_READERS,
      // Kept (cached) per data version; hex and square cells are binned inside a small bbox only.
      cost: 'cheap',
      summary: 'Values per cell (area, H3 hexagon or ground square) with legend class breaks',
      schemas: { params: heatmapParams, query: heatmapQuery },
      handler: async (request, response) => {
        const principal = principalOf(request);
        const heatmap = heatmapRequest(request);
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
        if (asked.asOf !== undefined || asked.breaksFrom !== undefined) monthEnds.refresh(context.db, monthEndWatchMs);
        const compute = shape === 'values'
          ? async (trx: Transaction<DB>) => compactHeatmap(await buildHeatmap(trx, principal, asked, monthEnds), await dataVersionOf(trx))
          : (trx: Transaction<DB>) => buildHeatmap(trx, principal, asked, monthEnds);
        const { body, hit } = await keptHeatmaps.read(context.db, requestKey, compute);
        sendCachedJson(request, response, body, hit);
      },
    },
    {
      method: 'post',
      path: '/heatmaps/refresh',
      access: ['admin'],
      cost: 'bulk',
      summary: 'Recompute every maintained grid statistic from the base tables (after a bulk load)',
      schemas: { body: refreshBody },
      handler: async (request, response) => {
        const { historyFrom } = parseBody(refreshBody, request);
        const started = Date.now();
        await refreshGridStats(context.db, historyFrom ?? null);
        await recordAudit(context.db, principalOf(request), { action: 'refresh', targetType: 'grid_stats', details: { historyFrom: historyFrom ?? null } });
        const window = await populationWindow(context.db);
        response.json({ refreshed: true, seconds: (Date.now() - started) / 1000, keptDays: { from: window.firstDay, to: window.lastDay } });
      },
    },
  ];
};
