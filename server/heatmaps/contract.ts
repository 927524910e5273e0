import { z } from 'zod';
import { day, privacyNote, type RouteResponses, row, timeFrame } from '../domain/contract-shapes.ts';
import { AREA_LEVELS, HEATMAP_LEVELS, HEATMAP_METRICS } from '../domain/word-lists.ts';

const bounds = z.object({ min: z.number(), max: z.number(), default: z.number() });
export const heatmapCatalogue = z.object({
  metrics: z.array(row({ metric: z.string().meta({ examples: ['floating_density'] }), label: z.string(), unit: z.string(), definition: z.string() })),
  levels: z.array(z.string()).meta({ examples: [['district', 'street', 'community', 'grid', 'h3', 'square']] }),
  h3Resolution: bounds,
  squareMetres: bounds,
});

/** One cell: an area code, an H3 index (level hex) or a square's code (level square). */
export const heatmapCell = z.object({
  code: z.string(),
  name: z.string().nullable().optional(),
  areaKm2: z.number(),
  bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional().meta({ description: '[minLon, minLat, maxLon, maxLat]' }),
  value: z.number().nullable().optional(),
  suppressed: z.literal(true).optional().meta({ description: 'Withheld: fewer than k people (roles that work with aggregates)' }),
  figures: z.record(z.string(), z.number()).optional(),
});
/** One heat map: cells with values, the class breaks, and how small counts were withheld. */
export const heatmapAnswer = z.object({
  metric: z.enum(HEATMAP_METRICS),
  label: z.string(),
  level: z.enum(HEATMAP_LEVELS),
  resolution: z.number().int().optional(),
  metres: z.number().optional(),
  unit: z.string(),
  definition: z.string(),
  time: timeFrame,
  filters: z.record(z.string(), z.string()),
  computedFrom: z.string(),
  privacy: privacyNote,
  cells: z.array(heatmapCell),
  breaks: z
    .object({ quantile: z.array(z.number()), jenks: z.array(z.number()) })
    .meta({ description: 'Class boundaries [b0 … bn]: class 0 holds b0 ≤ v ≤ b1, class i holds b(i) < v ≤ b(i+1)' }),
  breaksOver: z
    .object({ from: day, to: day, months: z.number().int() })
    .nullable()
    .meta({ description: "The months the breaks are fixed over (query breaksFrom), or null: this map's own values" }),
});
/** The same heat map with values only, one per cell in the order of GET /api/heatmaps/cells (shape=values). */
export const heatmapValuesAnswer = z.object({
  ...heatmapAnswer.omit({ cells: true }).shape,
  dataVersion: z.string(),
  order: z
    .string()
    .meta({ description: 'The cell order the values follow: the `order` of GET /api/heatmaps/cells', examples: ['grid-20000-3q2x8YQy0m1Vb7xP'] }),
  values: z.array(z.number().nullable()).meta({ description: 'One per cell of the order; null where undefined or withheld' }),
  suppressed: z.array(z.number().int()).meta({ description: 'Indexes of the cells withheld (fewer than k people)' }),
});
/** The cells of an area level the caller may see, in heatmap order. */
export const cellOrderAnswer = z.object({
  order: z.string(),
  level: z.enum(AREA_LEVELS),
  shapesVersion: z
    .string()
    .meta({ description: 'The version of the grid and area shapes the order was read at: a boundary import moves it, a registration does not' }),
  codes: z.array(z.string()),
  names: z.array(z.string().nullable()),
});
export const refreshAnswer = z.object({ refreshed: z.literal(true), seconds: z.number(), keptDays: z.object({ from: day, to: day }) });

export const heatmapResponses: Record<string, RouteResponses> = {
  'get /api/heatmaps': { 200: { description: 'The metrics and levels a heat map can show', schema: heatmapCatalogue } },
  'get /api/heatmaps/cells': { 200: { description: 'The cell order of a level', schema: cellOrderAnswer } },
  'get /api/heatmaps/:metric': {
    200: {
      description: 'The heat map: cells (shape=cells, the default) or values in cell order (shape=values)',
      schema: z.union([heatmapAnswer, heatmapValuesAnswer]),
    },
  },
  'post /api/heatmaps/refresh': { 200: { description: 'The statistics are recomputed', schema: refreshAnswer } },
};
