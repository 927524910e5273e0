import { z } from 'zod';
import { recordAudit } from '../audit/service.ts';
import type { Principal } from '../auth/session.ts';
import { parseBuildingCode, parseUnitCode } from '../http/code-params.ts';
import { ROLES, type Role } from '../db/schema.ts';
import { checkUnitCode } from '../domain/codes.ts';
import { chinaToday } from '../domain/calendar.ts';
import { INSPECTOR_ROLES, monthsBetween, PERSON_FLAGS } from '../domain/rental-scoring.ts';
import { assertInJurisdiction, visiblePrefixes } from '../http/jurisdiction.ts';
import { route, type FeatureRoutes, type RouteSpec } from '../http/route-registry.ts';
import { bboxSchema, bilingual, rule, textNumber, visitDate, whenFieldsValid } from '../http/validate.ts';
import { recordInspection } from './inspections.ts';
import { inspectionsOfBuilding } from './repository/inspections.ts';
import type { CodePrefixes } from '../db/code-prefix.ts';
import { buildingTiers, gridTierCounts } from './repository.ts';
import { overdueByCollector, overdueByGrid, overdueVisits } from './repository/schedule.ts';
import {
  flagPerson,
  householdScoreCard,
  householdsOfBuilding,
  publishRuleSet,
  ruleSet,
  ruleSetSchema,
  scoreCard,
  scoreMonths,
  shownScoreMonth,
} from './service.ts';

/** Tiers are about buildings, not people: these roles read them (police and collectors in their area). */
const TIER_READERS: readonly Role[] = ['police', 'collector', 'leader', 'planner'];
const INSPECTORS: readonly Role[] = ['police', 'collector'];
const MAX_MAP_BUILDINGS = 50_000;
const MAX_SCORED_MONTHS = 36;

const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, bilingual('month must be YYYY-MM', '月份须写作 YYYY-MM（如 2026-03）'))
  .transform((text) => `${text}-01`);
const gridCode = z.string().regex(/^\d{14}$/, 'grid code must have 14 digits');
const unitCode = z.string().superRefine((code, context) => {
  const check = checkUnitCode(code);
  if (!check.ok)
    context.addIssue({ code: 'custom', message: check.message ?? 'invalid unit code', params: { code: 'invalid_unit_code', zh: '房屋编码不正确' } });
});
const finding = z.boolean().nullable().optional();

const tiersQuery = z.object({
  month: month.optional(),
  bbox: bboxSchema.optional(),
  gridCode: gridCode.optional(),
  limit: textNumber(z.number().int().min(1).max(MAX_MAP_BUILDINGS).default(MAX_MAP_BUILDINGS)),
});
const monthQuery = z.object({ month: month.optional() });
const rulesQuery = z.object({ version: textNumber(z.number().int().min(1)).optional() });
const inspectionsQuery = z.object({ limit: textNumber(z.number().int().min(1).max(500).default(100)) });
const runBody = z
  .object({ from: month, to: month, rulesVersion: z.number().int().min(1).optional() })
  .refine((body) => body.from <= body.to, {
    ...rule('from_after_to', 'from must not be after to', 'from（起始月）不能晚于 to（结束月）'),
    path: ['to'],
    ...whenFieldsValid('from', 'to'),
  })
  .refine((body) => monthsBetween(body.from, body.to).length <= MAX_SCORED_MONTHS, {
    ...rule('too_many_months', `at most ${MAX_SCORED_MONTHS} months per run`, `每次最多计算 ${MAX_SCORED_MONTHS} 个月`),
    path: ['to'],
    ...whenFieldsValid('from', 'to'),
  });
const FINDINGS = ['doorsOk', 'hygieneGood', 'neighboursGood', 'tenantsRegistered'] as const;
// A visit checks the people of one unit or building: a large dormitory floor, not a district.
const MAX_CHECKED_PEOPLE = 500;
const inspectionBody = (backdateDays: number) =>
  z
    .strictObject({
      buildingCode: z.string(),
      unitCode: unitCode.optional(),
      visitedOn: visitDate(backdateDays),
      doorsOk: finding,
      hygieneGood: finding,
      neighboursGood: finding,
      tenantsRegistered: finding,
      clueGiven: z.boolean().default(false),
      notes: z.string().trim().max(1000).optional(),
      people: z
        .array(z.strictObject({ personId: z.number().int().positive(), foundHere: z.boolean() }))
        .max(MAX_CHECKED_PEOPLE)
        .refine((checks) => new Set(checks.map((check) => check.personId)).size === checks.length, bilingual('each person once', '每人只能出现一次'))
        .optional()
        .describe('人户一致 checks: each person registered in (or found in) the visited unit or building, and whether they were found living there'),
    })
    .refine(
      (body) => FINDINGS.some((key) => typeof body[key] === 'boolean') || body.clueGiven || Boolean(body.notes) || Boolean(body.people?.length),
      bilingual('an inspection needs at least one finding, a clue, a note or a person checked', '走访记录至少要有一项发现、线索、备注或人员核查'),
    );
const overdueQuery = z.object({
  asOf: z.iso.date().optional(),
  gridCode: gridCode.optional(),
  collectorId: textNumber(z.number().int().positive()).optional(),
  role: z.enum(INSPECTOR_ROLES).optional(),
  limit: textNumber(z.number().int().min(1).max(5000).default(500)),
});
const summaryQuery = z.object({ by: z.enum(['grid', 'collector']), asOf: z.iso.date().optional() });
const personFlagBody = z
  .strictObject({ personId: z.number().int().positive(), flag: z.enum(PERSON_FLAGS), fromDate: z.iso.date(), toDate: z.iso.date().optional() })
  .refine((body) => !body.toDate || body.toDate >= body.fromDate, {
    message: bilingual('toDate must not be before fromDate', '截止日期不能早于起始日期'),
    path: ['toDate'],
  });

/** What the caller may see (null: everything), after checking that a grid they named is theirs. */
function visibleScope(principal: Principal, gridCode: string | undefined): CodePrefixes {
  if (gridCode) assertInJurisdiction(principal, gridCode, 'Grid');
  return visiblePrefixes(principal);
}

/** Where a score is read: a building or a unit (household), with its code parser and its name in a 404. */
interface ScoredPlace {
  kind: 'Building' | 'Unit';
  parse: (code: unknown) => string;
}
const BUILDING: ScoredPlace = { kind: 'Building', parse: parseBuildingCode };
const UNIT: ScoredPlace = { kind: 'Unit', parse: parseUnitCode };

/** A tier reader's GET of one building's or unit's scores for ?month=; outside the caller's area it answers 404. */
function monthlyScoresRoute(
  path: string,
  summary: string,
  place: ScoredPlace,
  read: (principal: Principal, code: string, month: string | undefined) => Promise<unknown>,
): RouteSpec {
  return route({
    method: 'get',
    path,
    access: TIER_READERS,
    schemas: { query: monthQuery },
    summary,
    handler: async ({ query, principal }, request, response) => {
      const code = place.parse(request.params.code);
      assertInJurisdiction(principal, code, place.kind);
      response.json(await read(principal, code, query.month));
    },
  });
}

export const rentalsRoutes: FeatureRoutes = (context) => {
  const visitBody = inspectionBody(context.config.inspectionBackdateDays);
  return [
    route({
      method: 'get',
      path: '/rentals/rules',
      access: ROLES,
      schemas: { query: rulesQuery },
      summary: 'The rental scoring rule set: the latest version, or ?version=N',
      handler: async ({ query: { version } }, _request, response) => {
        response.json(await ruleSet(context.db, version));
      },
    }),
    route({
      method: 'post',
      path: '/rentals/rules',
      access: ['admin'],
      schemas: { body: ruleSetSchema },
      summary: 'Publish an edited rule set as a new version (rules on origin are refused: discriminatory_rule)',
      handler: async ({ body, principal }, _request, response) => {
        response.status(201).json(await publishRuleSet(context.db, principal, body));
      },
    }),
    route({
      method: 'post',
      path: '/rentals/scores/run',
      access: ['admin'],
      cost: 'bulk',
      schemas: { body: runBody },
      summary:
        'Score every rental building, and each household of buildings let separately (分租), for months from..to (YYYY-MM); re-running replaces them with the same result',
      handler: async ({ body, principal }, _request, response) => {
        const run = await scoreMonths(context.db, body.from, body.to, { rulesVersion: body.rulesVersion });
        await recordAudit(context.db, principal, { action: 'score', targetType: 'rental_scores', details: { ...run } });
        response.json(run);
      },
    }),
    route({
      method: 'get',
      path: '/rentals/tiers',
      access: TIER_READERS,
      schemas: { query: tiersQuery },
      summary: 'Tier, score and star flag of each scored rental building in a bbox or grid, for a map layer (default: latest month)',
      handler: async ({ query, principal }, _request, response) => {
        const prefixes = visibleScope(principal, query.gridCode);
        const shown = await shownScoreMonth(context.db, query.month);
        if (!shown) {
          response.json({ month: null, buildings: [], truncated: false });
          return;
        }
        const area = { bbox: query.bbox, gridCode: query.gridCode, prefixes };
        response.json({ month: shown, ...(await buildingTiers(context.db, shown, area, query.limit)) });
      },
    }),
    route({
      method: 'get',
      path: '/rentals/tiers/grids',
      access: TIER_READERS,
      schemas: { query: monthQuery },
      summary: 'Red, yellow, green and star building counts per grid for one month (feeds the rental_tiers heatmap)',
      handler: async ({ query, principal }, _request, response) => {
        const shown = await shownScoreMonth(context.db, query.month);
        const grids = shown ? await gridTierCounts(context.db, shown, visibleScope(principal, undefined)) : [];
        response.json({ month: shown, grids });
      },
    }),
    monthlyScoresRoute(
      '/rentals/buildings/:code',
      "A rental building's score card: score, tier and the explanation of every point for ?month= (default latest), its tier history, visit schedule and households' tiers (分租)",
      BUILDING,
      (principal, code, month) => scoreCard(context.db, principal, code, month),
    ),
    monthlyScoresRoute(
      '/rentals/buildings/:code/households',
      'Tier and score of each household of a building let separately (分租) for ?month= (default: its latest scored month); empty for other buildings',
      BUILDING,
      (_principal, code, month) => householdsOfBuilding(context.db, code, month),
    ),
    monthlyScoresRoute(
      '/rentals/units/:code',
      "A rental household's score card (a let unit of a building let separately, 分租): score, tier and explanation for ?month= (default latest), and its tier history",
      UNIT,
      (principal, code, month) => householdScoreCard(context.db, principal, code, month),
    ),
    route({
      method: 'get',
      path: '/rentals/buildings/:code/inspections',
      access: INSPECTORS,
      schemas: { query: inspectionsQuery },
      summary: 'Visits recorded at a building, newest first',
      handler: async ({ query: { limit }, principal }, request, response) => {
        const code = parseBuildingCode(request.params.code);
        assertInJurisdiction(principal, code, 'Building');
        response.json({ inspections: await inspectionsOfBuilding(context.db, code, limit) });
      },
    }),
    route({
      method: 'post',
      path: '/rentals/inspections',
      access: INSPECTORS,
      schemas: { body: visitBody },
      summary: 'Record a visit and its findings (doors, hygiene, neighbours, tenants registered, clue); feeds the next scoring',
      handler: async ({ body, principal }, _request, response) => {
        const buildingCode = parseBuildingCode(body.buildingCode);
        assertInJurisdiction(principal, buildingCode, 'Building');
        response.status(201).json(await recordInspection(context.db, principal, { ...body, buildingCode }));
      },
    }),
    route({
      method: 'get',
      path: '/rentals/overdue',
      access: TIER_READERS,
      schemas: { query: overdueQuery },
      summary: 'Visits past due per the tier schedule (red: police 10 days, collector weekly; yellow: 2 weeks; green: monthly), by grid or collector',
      handler: async ({ query, principal }, _request, response) => {
        const prefixes = visibleScope(principal, query.gridCode);
        const asOf = query.asOf ?? chinaToday();
        const result = await overdueVisits(context.db, { ...query, asOf, prefixes });
        response.json({ asOf, ...result });
      },
    }),
    route({
      method: 'get',
      path: '/rentals/overdue/summary',
      access: TIER_READERS,
      schemas: { query: summaryQuery },
      summary: 'Scheduled rental buildings and overdue visits per grid or per collector',
      handler: async ({ query, principal }, _request, response) => {
        const asOf = query.asOf ?? chinaToday();
        const prefixes = visibleScope(principal, undefined);
        const rows = query.by === 'grid' ? await overdueByGrid(context.db, asOf, prefixes) : await overdueByCollector(context.db, asOf, prefixes);
        response.json({ asOf, by: query.by, rows });
      },
    }),
    route({
      method: 'post',
      path: '/rentals/person-flags',
      access: ['police'],
      schemas: { body: personFlagBody },
      summary: 'Flag a person living in the jurisdiction as a key person (重点人员) or work target (工作对象) for a period',
      handler: async ({ body, principal }, _request, response) => {
        response.status(201).json(await flagPerson(context.db, principal, body));
      },
    }),
  ];
};
