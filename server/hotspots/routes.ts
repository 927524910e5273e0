import type { Request, Response } from 'express';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import type { Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';
import { ANALYTICS_READERS } from '../domain/roles.ts';
import { createResponseCache, sendCachedJson } from '../http/kept-answers.ts';
import { invalidField, keepPopulationWindowCurrent, KEPT_FIGURES_WATCH_MS, monthEndStoreOf, suppressesSmallCounts } from '../heatmaps/service.ts';
import { assertInJurisdiction, visiblePrefixes } from '../http/jurisdiction.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { calendarDate, textNumber } from '../http/validate.ts';
import { hotspotsJson, HOTSPOT_METRICS, type HotspotRequest } from './service.ts';
import { buildEmergingHotspots, MAX_MONTHS, MIN_MONTHS, type EmergingRequest } from './emerging.ts';
import { buildChanges, CHANGE_BASES, CHANGE_METRICS, MAX_CHANGE_ROWS, type ChangesRequest } from './changes.ts';

const LEVELS = ['grid', 'community'] as const;

const withinQuery = z
  .string()
  .regex(/^(\d{6}|\d{9}|\d{12}|\d{14})$/, 'must be a district (6), street (9), community (12) or grid (14) code')
  .optional()
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
  fdr: z
    .enum(['true', 'false'], { message: 'fdr must be true or false' })
    .default('true')
    .transform((text) => text === 'true')
    .describe('judge significance by the Benjamini–Hochberg adjusted p-value (default true)'),
});

const emergingQuery = z.object({
  metric: z.enum(HOTSPOT_METRICS, { message: `metric must be one of ${HOTSPOT_METRICS.join(', ')}` }),
  level: z.enum(LEVELS, { message: `level must be one of ${LEVELS.join(', ')}` }).default('grid'),
  within: withinQuery,
  to: calendarDate.optional().describe("the last month's last day (default: the latest month end on or before today)"),
  months: textNumber(
    z
      .number()
      .int(`months must be a whole number from ${MIN_MONTHS} to ${MAX_MONTHS}`)
      .min(MIN_MONTHS, `months must be at least ${MIN_MONTHS}`)
      .max(MAX_MONTHS, `months must be at most ${MAX_MONTHS}`)
      .default(MAX_MONTHS),
  ),
  fdr: z
    .enum(['true', 'false'], { message: 'fdr must be true or false' })
    .default('true')
    .transform((text) => text === 'true')
    .describe("judge each month's hot and cold spots by the Benjamini–Hochberg adjusted p-value (default true)"),
});

const changesQuery = z.object({
  metric: z.enum(CHANGE_METRICS, { message: `metric must be one of ${CHANGE_METRICS.join(', ')}` }),
  level: z.enum(LEVELS, { message: `level must be one of ${LEVELS.join(', ')}` }).default('grid'),
  within: withinQuery,
  asOf: calendarDate.optional().describe('the day compared (default today in China)'),
  against: z.enum(CHANGE_BASES, { message: `against must be one of ${CHANGE_BASES.join(', ')}` }).default('last_month'),
  limit: textNumber(
    z
      .number()
      .int('limit must be a whole number')
      .min(1, 'limit must be at least 1')
      .max(MAX_CHANGE_ROWS, `limit must be at most ${MAX_CHANGE_ROWS}`)
      .default(50),
  ),
});

/** `within` fits the level and lies inside the caller's jurisdiction (404 outside, as everywhere). */
function checkWithin(principal: Principal, level: (typeof LEVELS)[number], within: string | undefined): void {
  if (within === undefined) return;
  if (level === 'community' && within.length > 12) {
    throw invalidField('within', 'must be a district, street or community code for level community', '社区层级须给出区、街道或社区代码');
  }
  assertInJurisdiction(principal, within, 'Area');
}

function hotspotRequest({ category, ...query }: z.output<typeof hotspotQuery>, principal: Principal): HotspotRequest {
  if (query.metric !== 'cases') {
    if (query.kind !== undefined) throw invalidField('kind', 'applies to metric cases only', '只适用于案件指标（cases）');
    if (category !== undefined) throw invalidField('category', 'applies to metric cases only', '只适用于案件指标（cases）');
  }
  checkWithin(principal, query.level, query.within);
  return { ...query, caseCategory: category };
}

function emergingRequest(query: z.output<typeof emergingQuery>, principal: Principal): EmergingRequest {
  checkWithin(principal, query.level, query.within);
  return query;
}

function changesRequest(query: z.output<typeof changesQuery>, principal: Principal): ChangesRequest {
  checkWithin(principal, query.level, query.within);
  return query;
}

/** Hot and cold spots (Getis-Ord Gi*) per grid or community. */
export const hotspotsRoutes: FeatureRoutes = (context) => {
  const kept = createResponseCache();
  // The heatmaps' kept figures (cases per day, month-end population): on PostgreSQL, started by the
  // first hot-spot request and watched from then on; on the embedded engine, read when the
  // heatmaps have them (computing them there would hold its one connection for seconds).
  const keptFigures = monthEndStoreOf(context.db);
  /** One answer, kept per data version and what the caller may see, after the kept days and figures are brought up to date. */
  const sendKept = async (request: Request, response: Response, principal: Principal, asked: unknown, build: (trx: Transaction<DB>) => Promise<unknown>) => {
    await keepPopulationWindowCurrent(context.db);
    if (context.engine === 'postgres') keptFigures.refresh(context.db, KEPT_FIGURES_WATCH_MS);
    const requestKey = JSON.stringify([request.path, asked, visiblePrefixes(principal), suppressesSmallCounts(principal)]);
    const { body, hit } = await kept.read(context.db, requestKey, build);
    sendCachedJson(request, response, body, hit);
  };
  return [
    route({
      method: 'get',
      path: '/hotspots',
      access: ANALYTICS_READERS,
      // Kept (cached) per data version, as the heatmaps are.
      cost: 'cheap',
      summary: 'Getis-Ord Gi* hot and cold spots per grid or community: z, p, FDR-adjusted q and class at 90/95/99% confidence',
      schemas: { query: hotspotQuery },
      handler: async ({ query, principal }, request, response) => {
        const hotspots = hotspotRequest(query, principal);
        await sendKept(request, response, principal, hotspots, (trx) => hotspotsJson(trx, principal, hotspots, keptFigures));
      },
    }),
    route({
      method: 'get',
      path: '/hotspots/emerging',
      access: ANALYTICS_READERS,
      cost: 'cheap',
      summary:
        "Emerging hot spots over 12–36 months: per cell the Mann-Kendall trend of its monthly Gi* z-scores and ArcGIS's category (new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating, historical; hot and cold)",
      schemas: { query: emergingQuery },
      handler: async ({ query, principal }, request, response) => {
        const emerging = emergingRequest(query, principal);
        await sendKept(request, response, principal, emerging, (trx) => buildEmergingHotspots(trx, principal, emerging, keptFigures));
      },
    }),
    route({
      method: 'get',
      path: '/hotspots/changes',
      access: ANALYTICS_READERS,
      cost: 'cheap',
      summary:
        'What changed: cells ranked by the change in floating people or cases against last month or the same month last year, with a conditional Poisson (binomial) test and FDR',
      schemas: { query: changesQuery },
      handler: async ({ query, principal }, request, response) => {
        const changes = changesRequest(query, principal);
        await sendKept(request, response, principal, changes, (trx) => buildChanges(trx, principal, changes, keptFigures));
      },
    }),
  ];
};
