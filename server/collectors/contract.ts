import { z } from 'zod';
import { ALLOCATION_MODES, ALLOCATION_SORT_COLUMNS, type AreaAllocation, type CommunityNeedSteps, type GridNeedSteps } from '../domain/allocation.ts';
import type { ProposedMove } from '../domain/rebalance.ts';
import { AREA_LEVELS } from '../domain/word-lists.ts';
import { CSV, day, type RouteResponses, row, XLSX } from '../domain/contract-shapes.ts';

export const allocationSettings = z.object({
  mode: z.enum(ALLOCATION_MODES),
  floatingPerCollector: z.number(),
  rentalHousesPerCollector: z.number(),
  populationPerCollector: z.number(),
  smallCommunityFloatingBelow: z.number(),
  smallCommunityMinimum: z.number(),
  employerFloatingStaffForPartTime: z.number(),
});
/** What every allocation view starts with: the area asked, and the settings it was computed with. */
const viewMeta = { within: z.string().nullable(), whatIf: z.boolean(), settings: allocationSettings, savedSettings: allocationSettings };

// The allocation rules' step-by-step figures (domain/allocation.ts), as the planner's table explains a need.
const mode = z.enum(ALLOCATION_MODES);
const ratioRule = z.enum(['floating', 'rental', 'population']);
const decidingRule = z.enum(['floating', 'rental', 'population', 'community_minimum', 'none']);
const apportionBasis = z.enum(['floating', 'rental', 'population', 'equal']);
/** One grid's share of its community's need, by largest remainder (domain/allocation.ts GridShare). */
const gridShare = z.object({
  code: z.string(),
  count: z.number(),
  quota: z.number(),
  floor: z.number().int(),
  remainder: z.number(),
  extra: z.number().int(),
  need: z.number().int(),
});
/** How a community's need was found and shared out (domain/allocation.ts CommunityNeedSteps). */
export const communityNeedSteps = z.object({
  code: z.string(),
  mode,
  grids: z.number().int(),
  floating: z.number(),
  rentalHouses: z.number(),
  rentalBuildings: z.number(),
  population: z.number(),
  ratios: z.array(z.object({ rule: ratioRule, count: z.number(), perCollector: z.number(), quotient: z.number(), need: z.number().int() })),
  ratioNeed: z.number().int(),
  smallCommunity: z.object({
    floating: z.number(),
    floatingBelow: z.number(),
    isSmallCommunity: z.boolean(),
    minimum: z.number(),
    kind: z.enum(['exactly', 'at_least']),
    applied: z.boolean(),
  }),
  need: z.number().int(),
  decidedBy: decidingRule,
  apportionment: z.object({ basis: apportionBasis, total: z.number(), leftAfterFloors: z.number().int(), shares: z.array(gridShare) }),
});
/** A grid's need: its share of its community's (domain/allocation.ts GridNeedSteps). */
export const gridNeedSteps = gridShare.extend({
  mode,
  communityCode: z.string(),
  communityNeed: z.number().int(),
  communityDecidedBy: decidingRule,
  basis: apportionBasis,
  basisTotal: z.number(),
});
/** One area's allocation figures (domain/allocation.ts AreaAllocation); level 'all' for the total of everything asked. */
export const areaAllocation = z.object({
  code: z.string(),
  level: z.enum([...AREA_LEVELS, 'all']),
  grids: z.number().int(),
  floating: z.number(),
  rentalHouses: z.number(),
  rentalBuildings: z.number(),
  population: z.number(),
  need: z.number().int(),
  fullTimeAssigned: z.number().int(),
  partTimeAssigned: z.number().int(),
  gap: z.number().int().meta({ description: 'fullTimeAssigned − need; negative = short' }),
  shortage: z.number().int(),
  surplus: z.number().int(),
  partTimeRequired: z.number().int(),
  partTimeNamed: z.number().int(),
});
/** A row of the staffing table (collectors/service.ts AllocationRow): grid rows carry their steps, community rows theirs. */
export const allocationRow = areaAllocation.extend({
  name: z.string(),
  communityCode: z.string().optional(),
  steps: gridNeedSteps.optional(),
  communitySteps: communityNeedSteps.optional(),
});
const allocationSort = z.enum(ALLOCATION_SORT_COLUMNS.flatMap((column) => [column, `-${column}` as const]));

export const settingsAnswer = z.object({ settings: allocationSettings, defaults: allocationSettings });
export const allocationAnswer = z.object({
  ...viewMeta,
  level: z.enum(AREA_LEVELS),
  sort: allocationSort,
  totals: areaAllocation,
  total: z.number().int(),
  rows: z.array(allocationRow),
  communities: z.array(communityNeedSteps).optional().meta({ description: 'Grid level: the steps of the communities of the rows’ grids' }),
});
export const shortageAnswer = z.object({
  ...viewMeta,
  level: z.enum(AREA_LEVELS),
  scale: z.object({ maxShortage: z.number(), maxSurplus: z.number(), maxAbsGap: z.number() }),
  areas: z.array(z.object({ code: z.string(), need: z.number(), assigned: z.number(), gap: z.number() })),
});
export const employersAnswer = z.object({ ...viewMeta, employers: z.array(row({})) });
/** One end of a proposed move (domain/rebalance.ts MoveEnd). */
const moveEnd = z.object({
  code: z.string(),
  name: z.string(),
  centroid: z.tuple([z.number(), z.number()]).nullable(),
  gapBefore: z.number().int(),
  gapAfter: z.number().int(),
});
/** A move of one full-time collector (domain/rebalance.ts ProposedMove). */
export const proposedMove = z.object({
  step: z.number().int(),
  from: moveEnd,
  to: moveEnd,
  hops: z.number().int().meta({ description: 'Hops over shared boundaries (1 = neighbours)' }),
  adjacent: z.boolean(),
  sameCommunity: z.boolean(),
  collector: z.object({ id: z.number().int(), name: z.string() }).nullable(),
});
export const rebalanceAnswer = z.object({
  ...viewMeta,
  reach: z.number().int(),
  summary: z.object({
    shortageBefore: z.number().int(),
    shortageAfter: z.number().int(),
    shortageRemoved: z.number().int(),
    surplusBefore: z.number().int(),
    moves: z.number().int(),
    totalHops: z.number().int(),
    nonAdjacentMoves: z.number().int(),
    crossCommunityMoves: z.number().int(),
  }),
  moves: z.array(proposedMove),
});
export const publicCardAnswer = z.object({
  area: row({ code: z.string(), name: z.string() }),
  collectors: z.array(z.object({ name: z.string(), photoUrl: z.string().nullable(), area: z.object({ code: z.string(), name: z.string() }) })),
});
/** A collector with their assignments (roster.ts CollectorDetail). */
export const collectorView = z.object({
  id: z.number().int(),
  name: z.string(),
  phone: z.string().nullable(),
  photoUrl: z.string().nullable(),
  employment: z.enum(['full_time', 'part_time']),
  employer: z.string().nullable(),
  active: z.boolean(),
  assignments: z.array(
    z.object({ id: z.number().int(), collectorId: z.number().int(), gridCode: z.string(), gridName: z.string(), assignedOn: day, endedOn: day.nullable() }),
  ),
});
export const collectorListAnswer = z.object({ total: z.number().int(), collectors: z.array(collectorView) });

const json = (description: string, schema: z.ZodType, status = 200): RouteResponses => ({ [status]: { description, schema } });

export const collectorResponses: Record<string, RouteResponses> = {
  'get /api/collectors/settings': json('The saved allocation settings and the defaults', settingsAnswer),
  'put /api/collectors/settings': json('The saved settings', z.object({ settings: allocationSettings })),
  'get /api/collectors/allocation': json('Collectors needed and assigned per area', allocationAnswer),
  'get /api/collectors/shortage': json('Shortage and surplus per area, for the map', shortageAnswer),
  'get /api/collectors/employers': json('Employers whose floating staff call for part-time collectors', employersAnswer),
  'get /api/collectors/rebalance': json('Proposed moves of collectors from surplus to shortage', rebalanceAnswer),
  'get /api/collectors/plan.csv': { 200: { description: 'The allocation plan as CSV', contentType: CSV } },
  'get /api/collectors/plan.xlsx': { 200: { description: 'The allocation plan as an Excel workbook', contentType: XLSX } },
  'get /api/collectors/public/:areaCode': json('The public card of the area', publicCardAnswer),
  'get /api/collectors': json('Collectors with their open assignments', collectorListAnswer),
  'post /api/collectors': { ...json('The new collector', collectorView, 201), 409: { description: 'A collector with that ID number exists' } },
  'get /api/collectors/:id': json('The collector with assignments', collectorView),
  'patch /api/collectors/:id': json('The changed collector', collectorView),
  'post /api/collectors/:id/assignments': {
    ...json('The new assignment', row({ id: z.number().int() }), 201),
    409: { description: 'The collector already serves that grid' },
  },
  'post /api/collectors/:id/assignments/:assignmentId/end': json('The ended assignment', row({ id: z.number().int() })),
};

/** The schemas above spell out the allocation rules' own types: this stops compiling when the two drift apart. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<Check extends true> = Check;
export type AllocationShapesMatchTheRules = [
  Holds<Same<z.infer<typeof areaAllocation>, AreaAllocation>>,
  Holds<Same<z.infer<typeof gridNeedSteps>, GridNeedSteps>>,
  Holds<Same<z.infer<typeof communityNeedSteps>, CommunityNeedSteps>>,
  Holds<Same<z.infer<typeof proposedMove>, ProposedMove>>,
];
