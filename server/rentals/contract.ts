import { z } from 'zod';
import { buildingCode, day, instant, row } from '../domain/contract-shapes.ts';
import type { RouteResponses } from '../http/route-registry.ts';

export const ruleSetAnswer = z.object({
  version: z.number().int(),
  note: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: instant,
  rules: z.array(z.object({ id: z.number().int(), factor: z.string(), params: z.record(z.string(), z.unknown()), points: z.number(), label: z.string(), active: z.boolean() })),
});
const month = z.string().nullable().meta({ description: 'The month scored (YYYY-MM), null before the first run', examples: ['2026-11'] });
export const tiersAnswer = z.object({ month, buildings: z.array(row({ code: buildingCode })), truncated: z.boolean() });
export const gridTiersAnswer = z.object({ month, grids: z.array(row({ code: z.string() })) });
export const overdueAnswer = row({ asOf: day, visits: z.array(row({})), truncated: z.boolean(), unitsToCheck: z.array(row({})) });
export const overdueSummaryAnswer = z.object({ asOf: day, by: z.string(), rows: z.array(row({})) });
export const inspectionsAnswer = z.object({ inspections: z.array(row({ id: z.number().int() })) });

const json = (description: string, schema: z.ZodType, status = 200): RouteResponses => ({ [status]: { description, schema } });

export const rentalResponses: Record<string, RouteResponses> = {
  'get /api/rentals/rules': json('The scoring rule set (the current one, or the version asked)', ruleSetAnswer),
  'post /api/rentals/rules': json('The new rule set version', ruleSetAnswer, 201),
  'post /api/rentals/scores/run': json('The scoring run', row({})),
  'get /api/rentals/tiers': json('Buildings by risk tier for the month', tiersAnswer),
  'get /api/rentals/tiers/grids': json('Tier counts per grid for the month', gridTiersAnswer),
  'get /api/rentals/buildings/:code': json("The building's score with its explanation", row({})),
  'get /api/rentals/buildings/:code/households': json("The building's rented households", row({})),
  'get /api/rentals/units/:code': json("The unit's score with its explanation", row({})),
  'get /api/rentals/buildings/:code/inspections': json('Inspections of the building, newest first', inspectionsAnswer),
  'post /api/rentals/inspections': json('The recorded inspection', row({ id: z.number().int() }), 201),
  'get /api/rentals/overdue': json('Visits overdue by tier, and units flagged for checking', overdueAnswer),
  'get /api/rentals/overdue/summary': json('Overdue visits counted per area', overdueSummaryAnswer),
  'post /api/rentals/person-flags': json('The flag', row({}), 201),
};
