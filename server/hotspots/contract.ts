import { z } from 'zod';
import { day, privacyNote, type RouteResponses, timeFrame } from '../domain/contract-shapes.ts';
import { CHANGE_BASES, CHANGE_METRICS, FIGURES_READ, HOTSPOT_CLASSES, HOTSPOT_LEVELS, HOTSPOT_METRICS } from '../domain/word-lists.ts';

const hotspotClass = z.literal(HOTSPOT_CLASSES).meta({ description: 'Gi* class: 3/2/1 hot at 99/95/90% confidence, 0 not significant, -1/-2/-3 cold' });
const privacy = privacyNote.extend({ rule: z.string().optional() });
const level = z.enum(HOTSPOT_LEVELS);
const figuresRead = z.enum(FIGURES_READ).meta({ description: 'kept in memory for the data version, or summed from the tables: the same figures either way' });

/** A cell withheld under k has only its code, name and suppressed: true. */
export const hotspotCell = z.object({
  code: z.string(),
  name: z.string().nullable().optional(),
  value: z.number().optional(),
  z: z.number().nullable().optional().meta({ description: 'Gi* z-score; null where undefined (all values equal)' }),
  p: z.number().nullable().optional(),
  q: z.number().nullable().optional().meta({ description: 'Benjamini–Hochberg adjusted p-value' }),
  class: hotspotClass.optional(),
  neighbours: z.number().int().optional().meta({ description: 'Neighbours in the study area (the cell itself not counted)' }),
  suppressed: z.literal(true).optional(),
});
/** Getis-Ord Gi* hot spots of a metric: each cell's z, p and FDR q, and its confidence class. */
export const hotspotAnswer = z.object({
  metric: z.enum(HOTSPOT_METRICS).meta({ examples: ['cases'] }),
  label: z.string(),
  unit: z.string(),
  definition: z.string(),
  level,
  within: z.string().nullable(),
  time: timeFrame,
  method: z.object({ statistic: z.string(), neighbourhood: z.string(), pValue: z.string(), fdr: z.boolean(), studyArea: z.string(), figures: figuresRead }),
  privacy: privacyNote,
  classes: z
    .array(z.object({ class: hotspotClass, label: z.string(), labelZh: z.string(), confidence: z.number().nullable(), cells: z.number().int() }))
    .meta({ description: 'The legend, hot to cold, with the number of cells in each class' }),
  cells: z.array(hotspotCell),
});

export const emergingCategory = z.object({
  category: z.string().meta({ examples: ['intensifying_hot'] }),
  label: z.string(),
  labelZh: z.string(),
  definition: z.string(),
  definitionZh: z.string(),
  hot: z.boolean(),
  cells: z.number().int(),
});
/** A cell withheld under k carries its code and name only. */
export const emergingCell = z.object({
  code: z.string(),
  name: z.string().nullable(),
  category: z.string().optional(),
  trend: z
    .object({ tau: z.number(), z: z.number(), p: z.number() })
    .nullable()
    .optional()
    .meta({ description: "Mann-Kendall trend of the cell's monthly Gi* z-scores" }),
  latest: z.object({ z: z.number(), p: z.number(), q: z.number(), class: hotspotClass }).nullable().optional(),
  hotMonths: z.number().int().optional(),
  coldMonths: z.number().int().optional(),
  suppressed: z.literal(true).optional(),
});
/** Emerging hot spots (emerging.ts EmergingMap): the months, the categories and each cell's. */
export const emergingAnswer = z.object({
  metric: z.enum(HOTSPOT_METRICS),
  level,
  within: z.string().nullable(),
  months: z.array(day),
  method: z.object({
    statistic: z.string(),
    neighbourhood: z.string(),
    trend: z.string(),
    reference: z.string(),
    fdr: z.boolean(),
    monthValues: z.string(),
    studyArea: z.string(),
    figures: figuresRead,
  }),
  privacy,
  categories: z.array(emergingCategory),
  cells: z.array(emergingCell),
});

export const changeRow = z.object({
  code: z.string(),
  name: z.string().nullable(),
  current: z.number(),
  previous: z.number(),
  change: z.number(),
  changePct: z.number().nullable(),
  p: z.number().nullable(),
  q: z.number().nullable(),
  significant: z.boolean(),
  direction: z.enum(['up', 'down', 'same']),
});
/** What changed (changes.ts Changes): cells ranked by the change against the base date. */
export const changesAnswer = z.object({
  metric: z.enum(CHANGE_METRICS),
  level,
  within: z.string().nullable(),
  asOf: day,
  baseDate: day,
  against: z.enum(CHANGE_BASES),
  method: z.object({ test: z.string(), fdr: z.boolean(), alpha: z.number(), minimumTotal: z.number(), definition: z.string(), ranking: z.string() }),
  privacy,
  totalCells: z.number().int().meta({ description: 'Cells in the study area, tested or not, before the limit' }),
  rows: z.array(changeRow),
});

export const hotspotResponses: Record<string, RouteResponses> = {
  'get /api/hotspots': { 200: { description: 'Hot and cold spots of the metric', schema: hotspotAnswer } },
  'get /api/hotspots/emerging': { 200: { description: 'Per cell the trend of its Gi* z-scores and its emerging hot spot category', schema: emergingAnswer } },
  'get /api/hotspots/changes': { 200: { description: 'Cells ranked by the change, with the test of each', schema: changesAnswer } },
};
