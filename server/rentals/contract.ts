import { z } from 'zod';
import { buildingCode, day, instant, type RouteResponses, row } from '../domain/contract-shapes.ts';
import { CASE_KINDS, INSPECTOR_ROLES, RENTAL_FACTORS, RENTAL_TIERS } from '../domain/rental-scoring.ts';
import { UNIT_CHECK_REASONS, UNIT_USES } from '../domain/word-lists.ts';

export const rentalRule = z.object({
  id: z.number().int(),
  factor: z.string(),
  params: z.record(z.string(), z.unknown()),
  points: z.number(),
  label: z.string(),
  active: z.boolean(),
});
export const ruleSetAnswer = z.object({
  version: z.number().int(),
  note: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: instant,
  rules: z.array(rentalRule),
});
const month = z
  .string()
  .nullable()
  .meta({ description: 'The month scored (YYYY-MM), null before the first run', examples: ['2026-11'] });
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
export const overdueAnswer = z.object({
  asOf: day,
  visits: z.array(overdueVisit),
  truncated: z.boolean(),
  unitsToCheck: z.array(unitToCheck).meta({ description: 'Listed to collectors only (empty for police)' }),
});
export const overdueSummaryAnswer = z.object({ asOf: day, by: z.string(), rows: z.array(row({})) });
export const inspectionsAnswer = z.object({ inspections: z.array(row({ id: z.number().int() })) });

// Score cards: a month's score with the explanation of every point (rentals/explanation.ts readableExplanation).

/** An event behind a factor (rentals/repository/evidence.ts): a case, a visit, a tenant's stay, or the building's own record. */
const evidence = z.discriminatedUnion('type', [
  z.object({ type: z.literal('case'), caseId: z.number().int(), caseNo: z.string(), kind: z.enum(CASE_KINDS), category: z.string(), occurredOn: day }),
  z.object({
    type: z.literal('inspection'),
    inspectionId: z.number().int(),
    visitedOn: day,
    role: z.enum(INSPECTOR_ROLES),
    doorsOk: z.boolean().nullable(),
    hygieneGood: z.boolean().nullable(),
    neighboursGood: z.boolean().nullable(),
    tenantsRegistered: z.boolean().nullable(),
    clueGiven: z.boolean(),
  }),
  z.object({
    type: z.literal('stay'),
    residencyId: z.number().int(),
    movedIn: day,
    registeredAt: day,
    daysToRegister: z.number().int(),
    personId: z.number().int().optional(),
    unitCode: z.string().optional(),
  }),
  z.object({ type: z.literal('building'), flag: z.literal('has_access_control'), label: z.string() }),
]);
/** One factor that gave points; its counts and events are null (withheld) where they are tenants and the caller sees no person data. */
export const scoreFactor = z.object({
  ruleId: z.number().int(),
  factor: z.enum(RENTAL_FACTORS).nullable(),
  label: z.string().nullable(),
  params: z.record(z.string(), z.unknown()).nullable(),
  pointsEach: z.number().nullable(),
  count: z.number().int().nullable(),
  points: z.number(),
  events: z.number().int().nullable(),
  evidence: z.array(evidence),
  lastEvidencedOn: day.nullable(),
});
const scoreExplanation = z.object({
  base: z.number(),
  factors: z.array(scoreFactor),
  scoreTier: z.enum(['red', 'yellow', 'green']).meta({ description: 'The tier the score alone gives, before overrides' }),
  previousTier: tier.nullable(),
  overrides: z.array(z.object({ code: z.string(), message: z.string() })),
  windows: z.object({
    criminalCasesThisMonth: z.number().int(),
    criminalCases6Months: z.number().int(),
    criminalCases12Months: z.number().int(),
    cooperative: z.boolean(),
    clueWithin12Months: z.boolean(),
  }),
  cleanMonths: z.number().int(),
  unobserved: z.array(z.enum(RENTAL_FACTORS)),
});
/** What a building's and a household's score cards share: one month's score, its explanation, and the whole history. */
const scoredMonth = {
  building: z.object({ code: buildingCode, gridCode: z.string(), address: z.string(), point: z.tuple([z.number(), z.number()]) }),
  month: day,
  score: z.number(),
  tier,
  star: z.boolean(),
  rulesVersion: z.number().int(),
  computedAt: instant,
  explanation: scoreExplanation,
  history: z.array(z.object({ month: day, score: z.number(), tier, rulesVersion: z.number().int() })),
};
/** GET /api/rentals/buildings/:code: the score card with the visit schedule and the tiers of its households (分租; else empty). */
export const scoreCardAnswer = z.object({
  ...scoredMonth,
  schedule: z
    .object({
      tier,
      policeIntervalDays: z.number().int().nullable().meta({ description: 'null: the tier calls for no visits by that role' }),
      collectorIntervalDays: z.number().int().nullable(),
      lastPoliceVisit: day.nullable(),
      lastCollectorVisit: day.nullable(),
      policeDueOn: day.nullable(),
      collectorDueOn: day.nullable(),
    })
    .nullable(),
  households: z.array(householdTier),
});
/** GET /api/rentals/units/:code: a household's score card; no visit schedule of its own. */
export const householdScoreCardAnswer = z.object({
  ...scoredMonth,
  unit: z.object({ code: z.string(), buildingCode, floor: z.number().int(), room: z.string(), use: z.enum(UNIT_USES), rentalRegistered: z.boolean() }),
});

const json = (description: string, schema: z.ZodType, status = 200): RouteResponses => ({ [status]: { description, schema } });

export const rentalResponses: Record<string, RouteResponses> = {
  'get /api/rentals/rules': json('The scoring rule set (the current one, or the version asked)', ruleSetAnswer),
  'post /api/rentals/rules': json('The new rule set version', ruleSetAnswer, 201),
  'post /api/rentals/scores/run': json('The scoring run', scoringRun),
  'get /api/rentals/tiers': json('Buildings by risk tier for the month', tiersAnswer),
  'get /api/rentals/tiers/grids': json('Tier counts per grid for the month', gridTiersAnswer),
  'get /api/rentals/buildings/:code': json("The building's score with its explanation", scoreCardAnswer),
  'get /api/rentals/buildings/:code/households': json("The building's rented households", householdsAnswer),
  'get /api/rentals/units/:code': json("The unit's score with its explanation", householdScoreCardAnswer),
  'get /api/rentals/buildings/:code/inspections': json('Inspections of the building, newest first', inspectionsAnswer),
  'post /api/rentals/inspections': json('The recorded inspection', row({ id: z.number().int() }), 201),
  'get /api/rentals/overdue': json('Visits overdue by tier, and units flagged for checking', overdueAnswer),
  'get /api/rentals/overdue/summary': json('Overdue visits counted per area', overdueSummaryAnswer),
  'post /api/rentals/person-flags': json('The flag', row({}), 201),
};
