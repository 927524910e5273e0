import { z } from 'zod';
import { areaCode, timeFrame } from '../domain/contract-shapes.ts';
import { AREA_LEVELS } from '../domain/word-lists.ts';
import type { RouteResponses } from '../domain/contract-shapes.ts';

/** One indicator (kpis/service.ts Kpi): withheld (suppressed, figures null) under k for roles that see aggregates only. */
export const kpi = z.object({
  key: z.string().meta({ examples: ['registration_rate'] }),
  label: z.string(),
  unit: z.enum(['%', 'ratio']),
  target: z.number().nullable().meta({ description: 'Percent target, where the domain names one' }),
  definition: z.string(),
  time: timeFrame,
  available: z.boolean().meta({ description: 'false: the system does not hold the data (reason says why)' }),
  reason: z.string().optional(),
  suppressed: z.literal(true).optional(),
  numerator: z.number().nullable(),
  denominator: z.number().nullable(),
  value: z.number().nullable(),
  beside: z.record(z.string(), z.number()).optional().meta({ description: 'Related counts shown beside the figure (never person data)' }),
});

export const kpiReport = z.object({
  area: z.object({ code: areaCode, level: z.enum(AREA_LEVELS), name: z.string().nullable() }),
  privacy: z.object({ k: z.number().int(), applied: z.boolean() }),
  kpis: z.array(kpi),
});

export const kpiResponses: Record<string, RouteResponses> = {
  'get /api/kpis': { 200: { description: 'The indicators of the area, each with its definition and time', schema: kpiReport } },
};
