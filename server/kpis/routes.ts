import { z } from 'zod';
import { assertInJurisdiction } from '../http/jurisdiction.ts';
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

export const kpisRoutes: FeatureRoutes = (context) => [
  route({
    method: 'get',
    path: '/kpis',
    access: ANALYTICS_READERS,
    summary: 'Key indicators (四率 and more) of one area as of a day, each with numerator and denominator',
    schemas: { query: kpiQuery },
    handler: async ({ query: { caseKind, ...query }, principal }, _request, response) => {
      assertInJurisdiction(principal, query.area, 'Area');
      response.json(await buildKpis(context.db, principal, { ...query, kind: caseKind }));
    },
  }),
];
