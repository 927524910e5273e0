/**
 * Collector allocation (协管员配备, DOMAIN.md "Collector allocation (500:1)"). Pure: no I/O,
 * shared by the server and the web app. Every figure carries the steps that produced it so a
 * planner can check it by hand.
 *
 * Rules, as implemented:
 * - Per grid, mode 'floating_or_rental' (default): needFloating = ceil(floating / 500),
 *   needRental = ceil(rentalHouses / 50), need = the larger. Mode 'population': need =
 *   ceil(population / 600) over the whole real population. Ceiling, not rounding: each
 *   collector owns one grid, so a grid with any floating people or rental houses needs one.
 * - A "rental house" is a rental building: an active building with at least one unit whose use
 *   is 'rented' (the unit of rental scoring in DOMAIN.md). Counted by the repository.
 * - Community minimum ("a community with fewer than 1000 floating people still gets one"):
 *   a community below the threshold needs at least `smallCommunityMinimum` collectors in total.
 *   The top-up (minimum − sum of its grid needs, when positive) is added to ONE grid of the
 *   community, the one with the most floating people (then rental houses, then population, then
 *   the lowest code), so grid, community, street and district needs always add up and the
 *   rebalancer can fill it. It applies in both modes. With ceilings it only bites when the
 *   community's grids need nothing (no floating people, no rental houses).
 * - Part-time: an employer with ≥ 200 floating staff (city-wide, living anywhere) must name one
 *   part-time collector. The requirement is reported in the community where most of its staff
 *   live, separately from the full-time need; part-time collectors never count as full-time.
 * - Gap = assigned full-time collectors − need (negative = short). Shortage and surplus of an
 *   area are the sums of its grids' negative and positive gaps, so one grid's surplus does not
 *   hide another grid's shortage.
 */
import { PREFIX_LENGTH } from './codes.ts';

export const ALLOCATION_MODES = ['floating_or_rental', 'population'] as const;
export type AllocationMode = (typeof ALLOCATION_MODES)[number];

export interface AllocationSettings {
  mode: AllocationMode;
  floatingPerCollector: number;
  rentalHousesPerCollector: number;
  /** The alternative mode: one collector per this many people of the whole real population. */
  populationPerCollector: number;
  /** A community with fewer floating people than this gets at least smallCommunityMinimum. */
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
  rentalHouses: number;
  population: number;
  fullTimeAssigned: number;
  partTimeAssigned: number;
}

export type RatioRule = 'floating' | 'rental' | 'population';
export type DecidingRule = RatioRule | 'community_minimum' | 'none';

/** One ratio applied to one count: ceil(count / perCollector). */
export interface RatioStep {
  rule: RatioRule;
  count: number;
  perCollector: number;
  /** count / perCollector before the ceiling, rounded to 4 decimals for display. */
  quotient: number;
  need: number;
}

export interface GridNeedSteps {
  mode: AllocationMode;
  ratios: RatioStep[];
  /** The largest need among the ratios. */
  ratioNeed: number;
  communityMinimumTopUp: number;
  need: number;
  decidedBy: DecidingRule;
}

export interface GridAllocation extends GridCounts {
  communityCode: string;
  need: number;
  /** fullTimeAssigned − need; negative = short. */
  gap: number;
  steps: GridNeedSteps;
}

export interface CommunityMinimumStep {
  floating: number;
  gridNeedSum: number;
  /** floating < smallCommunityFloatingBelow */
  isSmallCommunity: boolean;
  minimum: number;
  topUp: number;
  /** The grid that carries the top-up, when there is one. */
  topUpGridCode: string | null;
}

export function ratioStep(rule: RatioRule, count: number, perCollector: number): RatioStep {
  return { rule, count, perCollector, quotient: Math.round((count / perCollector) * 10000) / 10000, need: Math.ceil(count / perCollector) };
}

function ratioStepsFor(counts: GridCounts, settings: AllocationSettings): RatioStep[] {
  if (settings.mode === 'population') return [ratioStep('population', counts.population, settings.populationPerCollector)];
  return [
    ratioStep('floating', counts.floating, settings.floatingPerCollector),
    ratioStep('rental', counts.rentalHouses, settings.rentalHousesPerCollector),
  ];
}

/** A grid's need from the ratios alone (before any community top-up). Ties go to the first rule. */
export function gridNeedFromRatios(counts: GridCounts, settings: AllocationSettings): GridNeedSteps {
  const ratios = ratioStepsFor(counts, settings);
  const winner = ratios.reduce((best, step) => (step.need > best.need ? step : best));
  const ratioNeed = winner.need;
  return { mode: settings.mode, ratios, ratioNeed, communityMinimumTopUp: 0, need: ratioNeed, decidedBy: ratioNeed > 0 ? winner.rule : 'none' };
}

const communityOf = (gridCode: string) => gridCode.slice(0, PREFIX_LENGTH.community);

/** The grid that carries a community's top-up: most floating, then rental houses, then population, then lowest code. */
function topUpGrid(grids: GridCounts[]): GridCounts {
  return [...grids].sort(
    (a, b) => b.floating - a.floating || b.rentalHouses - a.rentalHouses || b.population - a.population || a.code.localeCompare(b.code),
  )[0]!;
}

export function communityMinimumStep(grids: GridAllocation[], settings: AllocationSettings): CommunityMinimumStep {
  const floating = sumOf(grids, (grid) => grid.floating);
  const gridNeedSum = sumOf(grids, (grid) => grid.steps.ratioNeed);
  const isSmallCommunity = floating < settings.smallCommunityFloatingBelow;
  const minimum = isSmallCommunity ? settings.smallCommunityMinimum : 0;
  const topUp = Math.max(0, minimum - gridNeedSum);
  return { floating, gridNeedSum, isSmallCommunity, minimum, topUp, topUpGridCode: topUp > 0 && grids.length > 0 ? topUpGrid(grids).code : null };
}

function withNeed(counts: GridCounts, steps: GridNeedSteps): GridAllocation {
  return { ...counts, communityCode: communityOf(counts.code), need: steps.need, gap: counts.fullTimeAssigned - steps.need, steps };
}

export interface AllocationResult {
  grids: GridAllocation[];
  /** One entry per community that has at least one grid in the input. */
  communityMinimums: Map<string, CommunityMinimumStep>;
}

/** Needs and gaps for every grid, with each community's minimum applied to one of its grids. */
export function allocate(counts: GridCounts[], settings: AllocationSettings): AllocationResult {
  const byCommunity = groupBy(counts.map((grid) => withNeed(grid, gridNeedFromRatios(grid, settings))), (grid) => grid.communityCode);
  const communityMinimums = new Map<string, CommunityMinimumStep>();
  const grids: GridAllocation[] = [];
  for (const [communityCode, communityGrids] of byCommunity) {
    const minimum = communityMinimumStep(communityGrids, settings);
    communityMinimums.set(communityCode, minimum);
    for (const grid of communityGrids) grids.push(grid.code === minimum.topUpGridCode ? withTopUp(grid, minimum.topUp) : grid);
  }
  grids.sort((a, b) => a.code.localeCompare(b.code));
  return { grids, communityMinimums };
}

function withTopUp(grid: GridAllocation, topUp: number): GridAllocation {
  const steps: GridNeedSteps = { ...grid.steps, communityMinimumTopUp: topUp, need: grid.steps.ratioNeed + topUp, decidedBy: 'community_minimum' };
  return withNeed(grid, steps);
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

const SUMMED_FIELDS = ['floating', 'rentalHouses', 'population', 'need', 'fullTimeAssigned', 'partTimeAssigned', 'gap'] as const;

function emptyArea(code: string, level: AreaAllocation['level']): AreaAllocation {
  return { code, level, grids: 0, floating: 0, rentalHouses: 0, population: 0, need: 0, fullTimeAssigned: 0, partTimeAssigned: 0, gap: 0, shortage: 0, surplus: 0, partTimeRequired: 0, partTimeNamed: 0 };
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
    code: grid.code, level: 'grid', grids: 1, floating: grid.floating, rentalHouses: grid.rentalHouses, population: grid.population,
    need: grid.need, fullTimeAssigned: grid.fullTimeAssigned, partTimeAssigned: grid.partTimeAssigned, gap: grid.gap,
    shortage: Math.max(0, -grid.gap), surplus: Math.max(0, grid.gap), partTimeRequired: 0, partTimeNamed: 0,
  };
}

function sumOf<T>(items: T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

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
