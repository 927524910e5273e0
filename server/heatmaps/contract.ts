import { z } from 'zod';
import { day, row } from '../domain/contract-shapes.ts';
import type { RouteResponses } from '../http/route-registry.ts';

const bounds = z.object({ min: z.number(), max: z.number(), default: z.number() });
export const heatmapCatalogue = z.object({
  metrics: z.array(row({ metric: z.string().meta({ examples: ['floating_density'] }), label: z.string(), unit: z.string(), definition: z.string() })),
  levels: z.array(z.string()).meta({ examples: [['district', 'street', 'community', 'grid', 'h3', 'square']] }),
  h3Resolution: bounds,
  squareMetres: bounds,
});

/** One heat map: cells with values, the class breaks, and how small counts were withheld. */
export const heatmapAnswer = row({
  metric: z.string(),
  label: z.string(),
  level: z.string(),
  resolution: z.number().int().optional(),
  metres: z.number().optional(),
  unit: z.string(),
  definition: z.string(),
  time: row({}),
  filters: z.record(z.string(), z.string()),
  computedFrom: z.string(),
  privacy: z.object({ k: z.number().int(), applied: z.boolean(), suppressedCells: z.number().int() }),
  cells: z.array(row({})),
  breaks: row({}),
  breaksOver: z.object({ from: day, to: day, months: z.number().int() }).nullable(),
});
export const refreshAnswer = z.object({ refreshed: z.literal(true), seconds: z.number(), keptDays: z.object({ from: day, to: day }) });

export const heatmapResponses: Record<string, RouteResponses> = {
  'get /api/heatmaps': { 200: { description: 'The metrics and levels a heat map can show', schema: heatmapCatalogue } },
  'get /api/heatmaps/:metric': { 200: { description: 'The heat map', schema: heatmapAnswer } },
  'post /api/heatmaps/refresh': { 200: { description: 'The statistics are recomputed', schema: refreshAnswer } },
};
