import type { Request } from 'express';
import { z } from 'zod';
import { recordAudit } from '../audit/service.ts';
import { principalOf } from '../auth/session.ts';
import { PERSON_CATEGORIES } from '../db/schema.ts';
import { H3_RESOLUTION, SQUARE_METRES } from '../domain/hex.ts';
import type { FeatureRoutes } from '../http/route-registry.ts';
import { bboxSchema, calendarDate, parseBody, parseParams, parseQuery, textNumber } from '../http/validate.ts';
import { kpisRoutes } from '../kpis/routes.ts';
import { ANALYTICS_READERS } from './access.ts';
import { METRIC_NAMES, METRICS, RENTAL_TIERS, type CategoryChoice } from './metrics.ts';
import { populationWindow, refreshGridStats } from './repository.ts';
import { createResponseCache, sendCachedJson } from './response-cache.ts';
import { buildHeatmap, invalidField, keepPopulationWindowCurrent, suppressesSmallCounts, visiblePrefixes, type HeatmapRequest } from './service.ts';

const LEVELS = ['district', 'street', 'community', 'grid', 'hex', 'square'] as const;
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
});
const refreshBody = z.strictObject({ historyFrom: calendarDate.optional() });

function heatmapRequest(request: Request): HeatmapRequest {
  const { metric } = parseParams(heatmapParams, request);
  const query = parseQuery(heatmapQuery, request);
  const { category, ...rest } = query;
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
          response.json(await buildHeatmap(context.db, principal, heatmap));
          return;
        }
        await keepPopulationWindowCurrent(context.db);
        // Everything the response depends on besides the data version: the request and what this caller may see.
        const requestKey = JSON.stringify([heatmap, visiblePrefixes(principal), suppressesSmallCounts(principal)]);
        const { body, hit } = await keptHeatmaps.read(context.db, requestKey, (trx) => buildHeatmap(trx, principal, heatmap));
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
