import { z } from 'zod';
import { buildingCode, day, instant, type RouteResponses, row } from '../domain/contract-shapes.ts';
import { INSPECTOR_ROLES, RENTAL_TIERS } from '../domain/rental-scoring.ts';
import { UNIT_CHECK_REASONS, UNIT_USES } from '../domain/word-lists.ts';

export const rentalRule = z.object({ id: z.number().int(), factor: z.string(), params: z.record(z.string(), z.unknown()), points: z.number(), label: z.string(), active: z.boolean() });
export const ruleSetAnswer = z.object({
  version: z.number().int(),
  note: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: instant,
  rules: z.array(rentalRule),
});
const month = z.string().nullable().meta({ description: 'The month scored (YYYY-MM), null before the first run', examples: ['2026-11'] });
const tier = z.enum(RENTAL_TIERS);
/** A scored building on the tier map. */
export const buildingTier = z.object({ code: buildingCode, point: z.tuple([z.number(), z.number()]), tier, score: z.number(), star: z.boolean() });
export const tiersAnswer = z.object({ month, buildings: z.array(buildingTier), truncated: z.boolean() });
/** A household: a let unit of a building let separately (分租), scored on its own. */
export const householdTier = z.object({ unitCode: z.string(), floor: z.number().int(), room: z.string(), score: z.number(), tier });
export const householdsAnswer = z.object({ building: buildingCode, month: z.string().nullable(), households: z.array(householdTier) });
/** One scoring run over a span of months (scoring.ts ScoringRun). */
export const scoringRun = z.object({
  from: day,
  to: day,
  months: z.number().int(),
  rulesVersion: z.number().int(),
  buildings: z.number().int(),
  scores: z.number().int(),
  households: z.number().int().meta({ description: 'Households of buildings let separately (分租), each scored on its own' }),
  householdScores: z.number().int(),
  millis: z.number(),
});
export const overdueVisit = z.object({
  buildingCode,
  gridCode: z.string(),
  address: z.string(),
  tier,
  role: z.enum(INSPECTOR_ROLES),
  intervalDays: z.number().int(),
  lastVisit: day.nullable(),
  dueOn: day,
  daysOverdue: z.number().int(),
});
/** A unit the register changed under (a move-in into a vacant unit, its last occupant left): the collector visits it. */
export const unitToCheck = z.object({
  unitCode: z.string(),
  buildingCode,
  gridCode: z.string(),
  address: z.string(),
  room: z.string(),
  use: z.enum(UNIT_USES),
  reason: z.enum(UNIT_CHECK_REASONS),
  since: day,
});
export const gridTiersAnswer = z.object({ month, grids: z.array(row({ code: z.string() })) });
export const overdueAnswer = z.object({ asOf: day, visits: z.array(overdueVisit), truncated: z.boolean(), unitsToCheck: z.array(unitToCheck).meta({ description: 'Listed to collectors only (empty for police)' }) });
export const overdueSummaryAnswer = z.object({ asOf: day, by: z.string(), rows: z.array(row({})) });
export const inspectionsAnswer = z.object({ inspections: z.array(row({ id: z.number().int() })) });

const json = (description: string, schema: z.ZodType, status = 200): RouteResponses => ({ [status]: { description, schema } });

export const rentalResponses: Record<string, RouteResponses> = {
  'get /api/rentals/rules': json('The scoring rule set (the current one, or the version asked)', ruleSetAnswer),
  'post /api/rentals/rules': json('The new rule set version', ruleSetAnswer, 201),
  'post /api/rentals/scores/run': json('The scoring run', scoringRun),
  'get /api/rentals/tiers': json('Buildings by risk tier for the month', tiersAnswer),
  'get /api/rentals/tiers/grids': json('Tier counts per grid for the month', gridTiersAnswer),
  'get /api/rentals/buildings/:code': json("The building's score with its explanation", row({})),
  'get /api/rentals/buildings/:code/households': json("The building's rented households", householdsAnswer),
  'get /api/rentals/units/:code': json("The unit's score with its explanation", row({})),
  'get /api/rentals/buildings/:code/inspections': json('Inspections of the building, newest first', inspectionsAnswer),
  'post /api/rentals/inspections': json('The recorded inspection', row({ id: z.number().int() }), 201),
  'get /api/rentals/overdue': json('Visits overdue by tier, and units flagged for checking', overdueAnswer),
  'get /api/rentals/overdue/summary': json('Overdue visits counted per area', overdueSummaryAnswer),
  'post /api/rentals/person-flags': json('The flag', row({}), 201),
};
