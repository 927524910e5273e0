import { z } from 'zod';
import { day, row } from '../domain/contract-shapes.ts';
import type { RouteResponses } from '../http/route-registry.ts';

/** Getis-Ord Gi* hot spots of a metric: each cell's z, p and FDR q, and its confidence class. */
export const hotspotAnswer = row({
  metric: z.string().meta({ examples: ['cases'] }),
  label: z.string(),
  unit: z.string(),
  definition: z.string(),
  level: z.string(),
  within: z.string().nullable(),
  time: z.object({ from: day, to: day }),
  method: row({ statistic: z.string(), fdr: z.boolean() }),
  privacy: z.object({ k: z.number().int(), applied: z.boolean(), suppressedCells: z.number().int() }),
  classes: z.array(row({ class: z.number().int(), label: z.string(), labelZh: z.string(), confidence: z.number().nullable(), cells: z.number().int() })),
  // A cell withheld under k has only its code, name and suppressed: true.
  cells: z.array(row({
    code: z.string(), name: z.string(), value: z.number().nullable().optional(), z: z.number().nullable().optional(), p: z.number().nullable().optional(),
    q: z.number().nullable().optional(), class: z.number().int().optional(), neighbours: z.number().int().optional(), suppressed: z.literal(true).optional(),
  })),
});

const privacy = row({ k: z.number().int(), applied: z.boolean(), suppressedCells: z.number().int() });

/** Emerging hot spots (emerging.ts EmergingMap): the months, the categories and each cell's. */
export const emergingAnswer = row({
  metric: z.string(),
  level: z.string(),
  within: z.string().nullable(),
  months: z.array(day),
  method: row({ statistic: z.string(), fdr: z.boolean() }),
  privacy,
  categories: z.array(row({ category: z.string(), label: z.string(), labelZh: z.string(), hot: z.boolean(), cells: z.number().int() })),
  cells: z.array(row({ code: z.string(), name: z.string().nullable(), category: z.string().optional(), suppressed: z.literal(true).optional() })),
});

/** What changed (changes.ts Changes): cells ranked by the change against the base date. */
export const changesAnswer = row({
  metric: z.string(),
  level: z.string(),
  within: z.string().nullable(),
  asOf: day,
  baseDate: day,
  against: z.string(),
  privacy,
  totalCells: z.number().int(),
  rows: z.array(row({
    code: z.string(), name: z.string().nullable(), current: z.number(), previous: z.number(), change: z.number(), changePct: z.number().nullable(),
    p: z.number().nullable(), q: z.number().nullable(), significant: z.boolean(), direction: z.string(),
  })),
});

export const hotspotResponses: Record<string, RouteResponses> = {
  'get /api/hotspots': { 200: { description: 'Hot and cold spots of the metric', schema: hotspotAnswer } },
  'get /api/hotspots/emerging': { 200: { description: 'Per cell the trend of its Gi* z-scores and its emerging hot spot category', schema: emergingAnswer } },
  'get /api/hotspots/changes': { 200: { description: 'Cells ranked by the change, with the test of each', schema: changesAnswer } },
};
