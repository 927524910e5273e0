import type { Request } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/session.ts';
import { ANALYTICS_READERS } from '../heatmaps/access.ts';
import { createResponseCache, sendCachedJson } from '../heatmaps/response-cache.ts';
import { invalidField, keepPopulationWindowCurrent, suppressesSmallCounts, visiblePrefixes } from '../heatmaps/service.ts';
import { assertInJurisdiction } from '../http/jurisdiction.ts';
import type { FeatureRoutes } from '../http/route-registry.ts';
import { calendarDate, parseQuery, textNumber } from '../http/validate.ts';
import { buildHotspots, HOTSPOT_METRICS, type HotspotRequest } from './service.ts';
import { buildEmergingHotspots, MAX_MONTHS, MIN_MONTHS, type EmergingRequest } from './emerging.ts';
import { buildChanges, CHANGE_BASES, CHANGE_METRICS, MAX_CHANGE_ROWS, type ChangesRequest } from './changes.ts';

const LEVELS = ['grid', 'community'] as const;

const withinQuery = z.string().regex(/^(\d{6}|\d{9}|\d{12}|\d{14})$/, 'must be a district (6), street (9), community (12) or grid (14) code').optional()
  .describe('bound the study area to this area inside your jurisdiction');

const hotspotQuery = z.object({
  metric: z.enum(HOTSPOT_METRICS, { message: `metric must be one of ${HOTSPOT_METRICS.join(', ')}` }),
  level: z.enum(LEVELS, { message: `level must be one of ${LEVELS.join(', ')}` }).default('grid'),
  within: withinQuery,
  asOf: calendarDate.optional(),
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  kind: z.enum(['criminal', 'public_order']).optional(),
  category: z.string().trim().min(1).max(50).optional().describe('case category (metric cases only)'),
  fdr: z.enum(['true', 'false'], { message: 'fdr must be true or false' }).default('true').transform((text) => text === 'true')
    .describe('judge significance by the Benjamini–Hochberg adjusted p-value (default true)'),
});

const emergingQuery = z.object({
  metric: z.enum(HOTSPOT_METRICS, { message: `metric must be one of ${HOTSPOT_METRICS.join(', ')}` }),
  level: z.enum(LEVELS, { message: `level must be one of ${LEVELS.join(', ')}` }).default('grid'),
  within: withinQuery,
  to: calendarDate.optional().describe('the last month\'s last day (default: the latest month end on or before today)'),
  months: textNumber(z.number().int(`months must be a whole number from ${MIN_MONTHS} to ${MAX_MONTHS}`)
    .min(MIN_MONTHS, `months must be at least ${MIN_MONTHS}`).max(MAX_MONTHS, `months must be at most ${MAX_MONTHS}`).default(MAX_MONTHS)),
  fdr: z.enum(['true', 'false'], { message: 'fdr must be true or false' }).default('true').transform((text) => text === 'true')
    .describe('judge each month\'s hot and cold spots by the Benjamini–Hochberg adjusted p-value (default true)'),
});

const changesQuery = z.object({
  metric: z.enum(CHANGE_METRICS, { message: `metric must be one of ${CHANGE_METRICS.join(', ')}` }),
  level: z.enum(LEVELS, { message: `level must be one of ${LEVELS.join(', ')}` }).default('grid'),
  within: withinQuery,
  asOf: calendarDate.optional().describe('the day compared (default today in China)'),
  against: z.enum(CHANGE_BASES, { message: `against must be one of ${CHANGE_BASES.join(', ')}` }).default('last_month'),
  limit: textNumber(z.number().int('limit must be a whole number').min(1, 'limit must be at least 1').max(MAX_CHANGE_ROWS, `limit must be at most ${MAX_CHANGE_ROWS}`).default(50)),
});

/** `within` fits the level and lies inside the caller's jurisdiction (404 outside, as everywhere). */
function checkWithin(request: Request, level: (typeof LEVELS)[number], within: string | undefined): void {
  if (within === undefined) return;
  if (level === 'community' && within.length > 12) {
    throw invalidField('within', 'must be a district, street or community code for level community', '社区层级须给出区、街道或社区代码');
  }
  assertInJurisdiction(principalOf(request), within, 'Area');
}

function hotspotRequest(request: Request): HotspotRequest {
  const { category, ...query } = parseQuery(hotspotQuery, request);
  if (query.metric !== 'cases') {
    if (query.kind !== undefined) throw invalidField('kind', 'applies to metric cases only', '只适用于案件指标（cases）');
    if (category !== undefined) throw invalidField('category', 'applies to metric cases only', '只适用于案件指标（cases）');
  }
  checkWithin(request, query.level, query.within);
  return { ...query, caseCategory: category };
}

function emergingRequest(request: Request): EmergingRequest {
  const query = parseQuery(emergingQuery, request);
  checkWithin(request, query.level, query.within);
  return query;
}

function changesRequest(request: Request): ChangesRequest {
  const query = parseQuery(changesQuery, request);
  checkWithin(request, query.level, query.within);
  return query;
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
    {
      method: 'get',
      path: '/hotspots/emerging',
      access: ANALYTICS_READERS,
      cost: 'cheap',
      summary: 'Emerging hot spots over 12–36 months: per cell the Mann-Kendall trend of its monthly Gi* z-scores and ArcGIS\'s category (new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating, historical; hot and cold)',
      schemas: { query: emergingQuery },
      handler: async (request, response) => {
        const principal = principalOf(request);
        const emerging = emergingRequest(request);
        await keepPopulationWindowCurrent(context.db);
        const requestKey = JSON.stringify(['emerging', emerging, visiblePrefixes(principal), suppressesSmallCounts(principal)]);
        const { body, hit } = await kept.read(context.db, requestKey, (trx) => buildEmergingHotspots(trx, principal, emerging));
        sendCachedJson(request, response, body, hit);
      },
    },
    {
      method: 'get',
      path: '/hotspots/changes',
      access: ANALYTICS_READERS,
      cost: 'cheap',
      summary: 'What changed: cells ranked by the change in floating people or cases against last month or the same month last year, with a conditional Poisson (binomial) test and FDR',
      schemas: { query: changesQuery },
      handler: async (request, response) => {
        const principal = principalOf(request);
        const changes = changesRequest(request);
        await keepPopulationWindowCurrent(context.db);
        const requestKey = JSON.stringify(['changes', changes, visiblePrefixes(principal), suppressesSmallCounts(principal)]);
        const { body, hit } = await kept.read(context.db, requestKey, (trx) => buildChanges(trx, principal, changes));
        sendCachedJson(request, response, body, hit);
      },
    },
  ];
};
