import { z } from 'zod';
import { assertInJurisdiction, visiblePrefixes } from '../http/jurisdiction.ts';
import { createResponseCache, sendCachedJson } from '../http/kept-answers.ts';
import { keepPopulationWindowCurrent, suppressesSmallCounts } from '../heatmaps/service.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { calendarDate } from '../http/validate.ts';
import { ANALYTICS_READERS } from '../domain/roles.ts';
import { CASE_KINDS } from '../domain/rental-scoring.ts';
import { buildKpis } from './service.ts';

const kpiQuery = z.object({
  area: z.string().regex(/^(\d{6}|\d{9}|\d{12}|\d{14})$/, 'must be a district (6), street (9), community (12) or grid (14) code'),
  asOf: calendarDate.optional(),
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  caseKind: z.enum(CASE_KINDS).optional().describe('count only cases of this kind in the case figures (出租屋发案占比 of criminal cases)'),
});

export const kpisRoutes: FeatureRoutes = (context) => {
  // Kept per data version like the heatmaps (sql/0008_analytics_version.sql watches every table the
  // figures read): a whole city's cards cost about a second to sum, and every leader opens them.
  const keptKpis = createResponseCache(8 * 1024 * 1024);
  return [
    route({
      method: 'get',
      path: '/kpis',
      access: ANALYTICS_READERS,
      summary: 'Key indicators (四率 and more) of one area as of a day, each with numerator and denominator',
      schemas: { query: kpiQuery },
      handler: async ({ query: { caseKind, ...query }, principal }, request, response) => {
        assertInJurisdiction(principal, query.area, 'Area');
        // Outside the kept answer's snapshot, as for the heatmaps: a new day's rows are written first.
        await keepPopulationWindowCurrent(context.db);
        // What the answer depends on besides the data version: the request and the caller's suppression.
        const requestKey = JSON.stringify([query, caseKind ?? null, visiblePrefixes(principal), suppressesSmallCounts(principal)]);
        const { body, hit } = await keptKpis.read(context.db, requestKey, (trx) => buildKpis(trx, principal, { ...query, kind: caseKind }));
        sendCachedJson(request, response, body, hit);
      },
    }),
  ];
};
