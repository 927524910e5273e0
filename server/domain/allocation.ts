/**
 * Collector allocation (协管员配备, DOMAIN.md "Collector allocation (500:1)"). Pure: no I/O,
 * shared by the server and the web app. Every figure carries the steps that produced it so a
 * planner can check it by hand.
 *
 * Rules, as implemented:
 * - The ratios apply to a management area, the community (社区), never to each grid: rounding up
 *   in every grid would make a community of 730 floating people over 3 grids need 3, not 1.
 * - Community need, mode 'floating_or_rental' (default): needFloating = ceil(floating / 500),
 *   needRental = ceil(rentalHouses / 50), ratio need = the larger (a tie goes to floating). A
 *   community with fewer than 1000 floating people (smallCommunityFloatingBelow) needs exactly
 *   smallCommunityMinimum (1), whatever the ratios say: DOMAIN.md "gets exactly one".
 * - Mode 'population': ratio need = ceil(population / 600) over the community's whole real
 *   population. The small-community rule speaks of floating people, so here it is only a floor
 *   (a community always has at least smallCommunityMinimum); a populous community with few
 *   floating people is not cut down to one.
 * - A "rental house" (出租房屋) is a let dwelling, not a building: each let unit, and each
 *   household of a unit let to several (分租), counts (rentalHouses). The number of rental
 *   buildings is carried beside it (rentalBuildings) and never enters the ratio.
 * - The community need is shared out to its grids by largest remainder (Hamilton): each grid's
 *   quota = need × its count ÷ the community's count, every grid gets the whole part of its quota
 *   and the collectors left go one each to the largest fractional remainders. Ties: the larger
 *   count first, then the lower grid code. The count shared by is the one of the rule that
 *   decided the ratio need (floating on a tie); when that count is 0 in the whole community, the
 *   first of floating, rental houses, population that is not; with nothing at all, grids weigh
 *   alike. Grid needs so always sum exactly to the community's; streets and the district are
 *   sums of communities (of their grids), so every level adds up and the rebalancer works per grid.
 * - Part-time: an employer with ≥ 200 floating staff (city-wide, living anywhere) must name one
 *   part-time collector. The requirement is reported in the community where most of its staff
 *   live, separately from the full-time need; part-time collectors never count as full-time.
 * - Gap = assigned full-time collectors − need (negative = short). Shortage and surplus of an
 *   area are the sums of its grids' negative and positive gaps, so one grid's surplus does not
 *   hide another grid's shortage.
 */
import { PREFIX_LENGTH } from './codes.ts';

export const ALLOCATION_MODES = ['floating_or_rental', 'population'] as const;
/** Every column of the planner's table sorts (GET /api/collectors/allocation?sort=); '-column' sorts it largest first. */
export const ALLOCATION_SORT_COLUMNS = ['code', 'floating', 'rentalHouses', 'need', 'fullTimeAssigned', 'gap'] as const;
export type AllocationSortColumn = (typeof ALLOCATION_SORT_COLUMNS)[number];
export type AllocationSort = AllocationSortColumn | `-${AllocationSortColumn}`;
export type AllocationMode = (typeof ALLOCATION_MODES)[number];

export interface AllocationSettings {
  mode: AllocationMode;
  floatingPerCollector: number;
  rentalHousesPerCollector: number;
  /** The alternative mode: one collector per this many people of the whole real population. */
  populationPerCollector: number;
  /** A community with fewer floating people than this gets exactly smallCommunityMinimum (a floor in population mode). */
  smallCommunityFloatingBelow: number;
  smallCommunityMinimum: number;
  /** An employer with at least this many floating staff must name one part-time collector. */
  employerFloatingStaffForPartTime: number;
}

export const DEFAULT_ALLOCATION_SETTINGS: Readonly<AllocationSettings> = Object.freeze({
  mode: 'floating_or_rental',
  floatingPerCollector: 500,
  rentalHousesPerCollector: 50,
  populationPerCollector: 600,
  smallCommunityFloatingBelow: 1000,
  smallCommunityMinimum: 1,
  employerFloatingStaffForPartTime: 200,
});

/** What is counted in one grid (inputs) and who works there. */
export interface GridCounts {
  code: string;
  floating: number;
  /** Let dwellings: let units, each household of a unit let to several (分租) counted apart. */
  rentalHouses: number;
  /** Active buildings with at least one let unit: shown beside rentalHouses, never in the ratio. */
  rentalBuildings: number;
  population: number;
  fullTimeAssigned: number;
  partTimeAssigned: number;
}

export type RatioRule = 'floating' | 'rental' | 'population';
export type DecidingRule = RatioRule | 'community_minimum' | 'none';
/** What a community's need is shared out by: one of the counts, or equal shares when every count is 0. */
export type ApportionBasis = RatioRule | 'equal';

/** One ratio applied to one count: ceil(count / perCollector). */
export interface RatioStep {
  rule: RatioRule;
  count: number;
  perCollector: number;
  /** count / perCollector before the ceiling, rounded to 4 decimals for display. */
  quotient: number;
  need: number;
}

/** The small-community rule as applied to one community. */
export interface SmallCommunityStep {
  floating: number;
  floatingBelow: number;
  /** floating < floatingBelow */
  isSmallCommunity: boolean;
  minimum: number;
  /** 'exactly' in floating_or_rental mode (the need IS the minimum), 'at_least' in population mode. */
  kind: 'exactly' | 'at_least';
  /** Whether the rule changed the ratio need. */
  applied: boolean;
}

/** One grid's share of its community's need (largest remainder). */
export interface GridShare {
  code: string;
  /** The grid's count of the basis (floating people, rental houses, population; 1 for equal shares). */
  count: number;
  /** need × count ÷ total, rounded to 4 decimals for display. */
  quota: number;
  /** The whole part of the quota. */
  floor: number;
  /** quota − floor, rounded to 4 decimals. */
  remainder: number;
  /** 1 when one of the collectors left after the floors went to this grid. */
  extra: number;
  need: number;
}

export interface Apportionment {
  basis: ApportionBasis;
  /** The community's count of the basis: the denominator of every quota. */
  total: number;
  /** need − Σ floors: the collectors handed out by largest remainder. */
  leftAfterFloors: number;
  /** Every grid of the community, in code order. */
  shares: GridShare[];
}

/** How a community's need was found and shared out, step by step. */
export interface CommunityNeedSteps {
  code: string;
  mode: AllocationMode;
  grids: number;
  floating: number;
  rentalHouses: number;
  rentalBuildings: number;
  population: number;
  ratios: RatioStep[];
  /** The largest need among the ratios (ceilings over the whole community). */
  ratioNeed: number;
  smallCommunity: SmallCommunityStep;
  need: number;
  decidedBy: DecidingRule;
  apportionment: Apportionment;
}

/** A grid's need: its share of its community's need. */
export interface GridNeedSteps extends GridShare {
  mode: AllocationMode;
  communityCode: string;
  communityNeed: number;
  communityDecidedBy: DecidingRule;
  basis: ApportionBasis;
  basisTotal: number;
}

export interface GridAllocation extends GridCounts {
  communityCode: string;
  need: number;
  /** fullTimeAssigned − need; negative = short. */
  gap: number;
  steps: GridNeedSteps;
}

export function ratioStep(rule: RatioRule, count: number, perCollector: number): RatioStep {
  return { rule, count, perCollector, quotient: round4(count / perCollector), need: Math.ceil(count / perCollector) };
}

type CountedFigures = Pick<GridCounts, 'floating' | 'rentalHouses' | 'population'>;

const COUNT_OF: Record<RatioRule, (counts: CountedFigures) => number> = {
  floating: (counts) => counts.floating,
  rental: (counts) => counts.rentalHouses,
  population: (counts) => counts.population,
};

function ratioStepsFor(counts: CountedFigures, settings: AllocationSettings): RatioStep[] {
  if (settings.mode === 'population') return [ratioStep('population', counts.population, settings.populationPerCollector)];
  return [ratioStep('floating', counts.floating, settings.floatingPerCollector), ratioStep('rental', counts.rentalHouses, settings.rentalHousesPerCollector)];
}

/** The small-community rule: exactly the minimum under the floating threshold (a floor in population mode). */
export function smallCommunityStep(floating: number, ratioNeed: number, settings: AllocationSettings): SmallCommunityStep {
  const isSmallCommunity = floating < settings.smallCommunityFloatingBelow;
  const minimum = settings.smallCommunityMinimum;
  const kind = settings.mode === 'population' ? 'at_least' : 'exactly';
  const applied = isSmallCommunity && (kind === 'exactly' ? ratioNeed !== minimum : ratioNeed < minimum);
  return { floating, floatingBelow: settings.smallCommunityFloatingBelow, isSmallCommunity, minimum, kind, applied };
}

/** A community's need from its summed counts: ratios with ceilings, then the small-community rule. */
export function communityNeed(counts: CountedFigures, settings: AllocationSettings) {
  const ratios = ratioStepsFor(counts, settings);
  const winner = ratios.reduce((best, step) => (step.need > best.need ? step : best));
  const smallCommunity = smallCommunityStep(counts.floating, winner.need, settings);
  const need = smallCommunity.applied ? smallCommunity.minimum : winner.need;
  const decidedBy: DecidingRule = smallCommunity.applied ? 'community_minimum' : need > 0 ? winner.rule : 'none';
  return { ratios, ratioNeed: winner.need, ratioWinner: winner.rule, smallCommunity, need, decidedBy };
}

/**
 * Shares `seats` out over weights by largest remainder, in exact integer arithmetic: quota_i =
 * seats·w_i/W; floors first, then one each to the largest remainders (ties: larger weight, then
 * the earlier key in `keys` order, which callers give sorted by code).
 */
export function largestRemainder(seats: number, weights: number[], keys: string[]): GridShare[] {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (total <= 0) throw new RangeError('largestRemainder needs a positive total weight');
  const rows = weights.map((weight, index) => {
    const scaled = seats * weight;
    const floor = Math.floor(scaled / total);
    return { index, weight, floor, remainderNumerator: scaled - floor * total };
  });
  const left = seats - rows.reduce((sum, row) => sum + row.floor, 0);
  const order = [...rows].sort((a, b) => b.remainderNumerator - a.remainderNumerator || b.weight - a.weight || a.index - b.index);
  const extras = new Set(order.slice(0, left).map((row) => row.index));
  return rows.map((row) => {
    const extra = extras.has(row.index) ? 1 : 0;
    return {
      code: keys[row.index]!,
      count: row.weight,
      quota: round4((seats * row.weight) / total),
      floor: row.floor,
      remainder: round4(row.remainderNumerator / total),
      extra,
      need: row.floor + extra,
    };
  });
}

/** The count to share by: the deciding ratio's, else the first count that is not 0, else equal shares. */
function apportionBasis(grids: GridCounts[], preferred: RatioRule): ApportionBasis {
  const candidates: RatioRule[] = [preferred, ...(['floating', 'rental', 'population'] as const).filter((rule) => rule !== preferred)];
  return candidates.find((rule) => sumOf(grids, COUNT_OF[rule]) > 0) ?? 'equal';
}

function apportion(grids: GridCounts[], need: number, preferred: RatioRule): Apportionment {
  const sorted = [...grids].sort((a, b) => a.code.localeCompare(b.code));
  const basis = apportionBasis(sorted, preferred);
  const weights = sorted.map((grid) => (basis === 'equal' ? 1 : COUNT_OF[basis](grid)));
  const shares = largestRemainder(
    need,
    weights,
    sorted.map((grid) => grid.code),
  );
  const leftAfterFloors = need - sumOf(shares, (share) => share.floor);
  return { basis, total: weights.reduce((sum, weight) => sum + weight, 0), leftAfterFloors, shares };
}

/** Need of one community (all its grids must be given), and its share-out to the grids. */
export function communityAllocation(code: string, grids: GridCounts[], settings: AllocationSettings): CommunityNeedSteps {
  const totals = {
    floating: sumOf(grids, (grid) => grid.floating),
    rentalHouses: sumOf(grids, (grid) => grid.rentalHouses),
    rentalBuildings: sumOf(grids, (grid) => grid.rentalBuildings),
    population: sumOf(grids, (grid) => grid.population),
  };
  const { ratios, ratioNeed, ratioWinner, smallCommunity, need, decidedBy } = communityNeed(totals, settings);
  return {
    code,
    mode: settings.mode,
    grids: grids.length,
    ...totals,
    ratios,
    ratioNeed,
    smallCommunity,
    need,
    decidedBy,
    apportionment: apportion(grids, need, ratioWinner),
  };
}

const communityOf = (gridCode: string) => gridCode.slice(0, PREFIX_LENGTH.community);

function gridAllocation(counts: GridCounts, community: CommunityNeedSteps, share: GridShare): GridAllocation {
  const steps: GridNeedSteps = {
    ...share,
    mode: community.mode,
    communityCode: community.code,
    communityNeed: community.need,
    communityDecidedBy: community.decidedBy,
    basis: community.apportionment.basis,
    basisTotal: community.apportionment.total,
  };
  return { ...counts, communityCode: community.code, need: share.need, gap: counts.fullTimeAssigned - share.need, steps };
}

export interface AllocationResult {
  grids: GridAllocation[];
  /** One entry per community that has at least one grid in the input. */
  communities: Map<string, CommunityNeedSteps>;
}

/**
 * Needs and gaps: each community's need from its grids' summed counts, shared out to its grids.
 * Give every grid of each community: a community given in part is computed from that part only.
 */
export function allocate(counts: GridCounts[], settings: AllocationSettings): AllocationResult {
  const communities = new Map<string, CommunityNeedSteps>();
  const grids: GridAllocation[] = [];
  for (const [code, communityGrids] of groupBy(counts, (grid) => communityOf(grid.code))) {
    const community = communityAllocation(code, communityGrids, settings);
    communities.set(code, community);
    const shareOf = new Map(community.apportionment.shares.map((share) => [share.code, share]));
    for (const grid of communityGrids) grids.push(gridAllocation(grid, community, shareOf.get(grid.code)!));
  }
  grids.sort((a, b) => a.code.localeCompare(b.code));
  return { grids, communities };
}

// ---------------------------------------------------------------------------------------------
// Part-time collectors named by employers

export interface EmployerStaff {
  employer: string;
  floatingStaff: number;
  /** The community where most of its floating staff live (ties: lowest code). */
  homeCommunityCode: string;
  /** Active part-time collectors whose employer is this employer. */
  namedPartTime: number;
}

export interface EmployerRequirement extends EmployerStaff {
  threshold: number;
  required: number;
  /** namedPartTime − required, capped below at −required; negative = not yet named. */
  gap: number;
}

/** One part-time collector per employer at or above the threshold (not one per 200: DOMAIN.md says "must name one"). */
export function employerRequirement(staff: EmployerStaff, settings: AllocationSettings): EmployerRequirement {
  const threshold = settings.employerFloatingStaffForPartTime;
  const required = staff.floatingStaff >= threshold ? 1 : 0;
  return { ...staff, threshold, required, gap: Math.min(staff.namedPartTime, required) - required };
}

// ---------------------------------------------------------------------------------------------
// Roll-ups to community, street and district

export type AreaLevel = 'grid' | 'community' | 'street' | 'district';

export interface AreaAllocation {
  code: string;
  /** 'all' for the total of everything summed. */
  level: AreaLevel | 'all';
  grids: number;
  floating: number;
  rentalHouses: number;
  rentalBuildings: number;
  population: number;
  need: number;
  fullTimeAssigned: number;
  partTimeAssigned: number;
  /** Σ grid gaps = fullTimeAssigned − need. */
  gap: number;
  /** Σ of the grids' shortages (−gap where gap < 0): what rebalancing inside the area could at best fix. */
  shortage: number;
  surplus: number;
  partTimeRequired: number;
  partTimeNamed: number;
}

const SUMMED_FIELDS = ['floating', 'rentalHouses', 'rentalBuildings', 'population', 'need', 'fullTimeAssigned', 'partTimeAssigned', 'gap'] as const;

function emptyArea(code: string, level: AreaAllocation['level']): AreaAllocation {
  return {
    code,
    level,
    grids: 0,
    floating: 0,
    rentalHouses: 0,
    rentalBuildings: 0,
    population: 0,
    need: 0,
    fullTimeAssigned: 0,
    partTimeAssigned: 0,
    gap: 0,
    shortage: 0,
    surplus: 0,
    partTimeRequired: 0,
    partTimeNamed: 0,
  };
}

/** Sums grids, and employer requirements by their home community, into areas keyed by a code prefix. */
function summarise(grids: GridAllocation[], employers: EmployerRequirement[], prefixLength: number, level: AreaAllocation['level']): AreaAllocation[] {
  const areas = new Map<string, AreaAllocation>();
  const areaFor = (code: string) => {
    const key = code.slice(0, prefixLength);
    const area = areas.get(key) ?? emptyArea(key, level);
    areas.set(key, area);
    return area;
  };
  for (const grid of grids) {
    const area = areaFor(grid.code);
    area.grids += 1;
    for (const field of SUMMED_FIELDS) area[field] += grid[field];
    area.shortage += Math.max(0, -grid.gap);
    area.surplus += Math.max(0, grid.gap);
  }
  for (const employer of employers) {
    const area = areaFor(employer.homeCommunityCode);
    area.partTimeRequired += employer.required;
    area.partTimeNamed += Math.min(employer.namedPartTime, employer.required);
  }
  return [...areas.values()].sort((a, b) => a.code.localeCompare(b.code));
}

export function rollUp(grids: GridAllocation[], employers: EmployerRequirement[], level: Exclude<AreaLevel, 'grid'>): AreaAllocation[] {
  return summarise(grids, employers, PREFIX_LENGTH[level], level);
}

/** Everything given, summed into one row. */
export function totalOf(grids: GridAllocation[], employers: EmployerRequirement[]): AreaAllocation {
  return summarise(grids, employers, 0, 'all')[0] ?? emptyArea('', 'all');
}

/** A grid as an area row, so all levels share one table shape. */
export function gridAsArea(grid: GridAllocation): AreaAllocation {
  return {
    code: grid.code,
    level: 'grid',
    grids: 1,
    floating: grid.floating,
    rentalHouses: grid.rentalHouses,
    rentalBuildings: grid.rentalBuildings,
    population: grid.population,
    need: grid.need,
    fullTimeAssigned: grid.fullTimeAssigned,
    partTimeAssigned: grid.partTimeAssigned,
    gap: grid.gap,
    shortage: Math.max(0, -grid.gap),
    surplus: Math.max(0, grid.gap),
    partTimeRequired: 0,
    partTimeNamed: 0,
  };
}

function sumOf<T>(items: T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

const round4 = (value: number) => Math.round(value * 10000) / 10000;

/** Items grouped by a key, in first-seen order of keys and input order within a group. */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
