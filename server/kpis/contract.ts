import { z } from 'zod';
import { areaCode, row } from '../domain/contract-shapes.ts';
import type { RouteResponses } from '../http/route-registry.ts';

export const kpiReport = z.object({
  area: z.object({ code: areaCode, level: z.enum(['district', 'street', 'community', 'grid']), name: z.string().nullable() }),
  privacy: z.object({ k: z.number().int(), applied: z.boolean() }),
  kpis: z.array(row({ id: z.string().optional(), label: z.string().optional() })),
});

export const kpiResponses: Record<string, RouteResponses> = {
  'get /api/kpis': { 200: { description: 'The indicators of the area, each with its definition and time', schema: kpiReport } },
};
