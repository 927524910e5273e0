import type { Request } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/session.ts';
import { ANALYTICS_READERS, calendarDate } from '../heatmaps/access.ts';
import { createResponseCache, sendCachedJson } from '../heatmaps/response-cache.ts';
import { invalidField, keepPopulationWindowCurrent, suppressesSmallCounts, visiblePrefixes } from '../heatmaps/service.ts';
import { assertInJurisdiction } from '../http/jurisdiction.ts';
import type { FeatureRoutes } from '../http/route-registry.ts';
import { parseQuery } from '../http/validate.ts';
import { buildHotspots, HOTSPOT_METRICS, type HotspotRequest } from './service.ts';

const LEVELS = ['grid', 'community'] as const;

const hotspotQuery = z.object({
  metric: z.enum(HOTSPOT_METRICS, { message: `metric must be one of ${HOTSPOT_METRICS.join(', ')}` }),
  level: z.enum(LEVELS, { message: `level must be one of ${LEVELS.join(', ')}` }).default('grid'),
  within: z.string().regex(/^(\d{6}|\d{9}|\d{12}|\d{14})$/, 'must be a district (6), street (9), community (12) or grid (14) code').optional()
    .describe('bound the study area to this area inside your jurisdiction'),
  asOf: calendarDate.optional(),
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  kind: z.enum(['criminal', 'public_order']).optional(),
  category: z.string().trim().min(1).max(50).optional().describe('case category (metric cases only)'),
  fdr: z.enum(['true', 'false'], { message: 'fdr must be true or false' }).default('true').transform((text) => text === 'true')
    .describe('judge significance by the Benjamini–Hochberg adjusted p-value (default true)'),
});

function hotspotRequest(request: Request): HotspotRequest {
  const { category, ...query } = parseQuery(hotspotQuery, request);
  if (query.metric !== 'cases') {
    if (query.kind !== undefined) throw invalidField('kind', 'applies to metric cases only', '只适用于案件指标（cases）');
    if (category !== undefined) throw invalidField('category', 'applies to metric cases only', '只适用于案件指标（cases）');
  }
  if (query.within !== undefined) {
    if (query.level === 'community' && query.within.length > 12) {
      throw invalidField('within', 'must be a district, street or community code for level community', '社区层级须给出区、街道或社区代码');
    }
    assertInJurisdiction(principalOf(request), query.within, 'Area');
  }
  return { ...query, caseCategory: category };
}

/** Hot and cold spots (Getis-Ord Gi*) per grid or community. */
export const hotspotsRoutes: FeatureRoutes = (context) => {
  const kept = createResponseCache();
  return [
    {
      method: 'get',
      path: '/hotspots',
      access: ANALYTICS_READERS,
      // Kept (cached) per data version, as the heatmaps are.
      cost: 'cheap',
      summary: 'Getis-Ord Gi* hot and cold spots per grid or community: z, p, FDR-adjusted q and class at 90/95/99% confidence',
      schemas: { query: hotspotQuery },
      handler: async (request, response) => {
        const principal = principalOf(request);
        const hotspots = hotspotRequest(request);
        await keepPopulationWindowCurrent(context.db);
        const requestKey = JSON.stringify([hotspots, visiblePrefixes(principal), suppressesSmallCounts(principal)]);
        const { body, hit } = await kept.read(context.db, requestKey, (trx) => buildHotspots(trx, principal, hotspots));
        sendCachedJson(request, response, body, hit);
      },
    },
  ];
};
