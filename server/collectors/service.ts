import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/service.ts';
import type { Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';
import {
  allocate,
  DEFAULT_ALLOCATION_SETTINGS,
  employerRequirement,
  gridAsArea,
  groupBy,
  rollUp,
  totalOf,
  type AllocationSettings,
  type AreaAllocation,
  type AreaLevel,
  type CommunityNeedSteps,
  type EmployerRequirement,
  type GridAllocation,
} from '../domain/allocation.ts';
import { PREFIX_LENGTH } from '../domain/codes.ts';
import { planRebalancing, type MoveEnd, type PlannedMove, type ProposedMove } from '../domain/rebalance.ts';
import { codeRange, type CodeRange } from '../db/code-prefix.ts';
import { HttpError } from '../http/errors.ts';
import { logger } from '../logger.ts';
import {
  adjacentPairs,
  areaNames,
  employersWithStaff,
  fullTimeCollectorsIn,
  gridCentroids,
  gridCounts,
  readSetting,
  refreshAdjacencyIfStale,
  writeSetting,
  type MovableCollector,
} from './repository.ts';
import { allocationSettingsBody, type AllocationSort, type AllocationSortColumn } from './schemas.ts';

const SETTINGS_KEY = 'allocation';

/** The saved settings over the defaults in code; a row that no longer validates falls back to the defaults. */
export async function savedAllocationSettings(db: Kysely<DB>): Promise<AllocationSettings> {
  const stored = await readSetting(db, SETTINGS_KEY);
  if (stored === undefined) return { ...DEFAULT_ALLOCATION_SETTINGS };
  const parsed = allocationSettingsBody.safeParse({ ...DEFAULT_ALLOCATION_SETTINGS, ...(stored as object) });
  if (parsed.success) return parsed.data;
  logger.warn('stored allocation settings are invalid; using the defaults', { issues: parsed.error.issues.length });
  return { ...DEFAULT_ALLOCATION_SETTINGS };
}

export async function saveAllocationSettings(db: Kysely<DB>, principal: Principal, settings: AllocationSettings): Promise<AllocationSettings> {
  return db.transaction().execute(async (trx) => {
    const before = await savedAllocationSettings(trx);
    await writeSetting(trx, SETTINGS_KEY, settings);
    await recordAudit(trx, principal, { action: 'update', targetType: 'setting', targetId: SETTINGS_KEY, details: { before, after: settings } });
    return settings;
  });
}

/** Saved settings with what-if overrides on top; whatIf says whether any override changed anything. */
export function withOverrides(saved: AllocationSettings, overrides: Partial<AllocationSettings>): { settings: AllocationSettings; whatIf: boolean } {
  const settings = { ...saved };
  let whatIf = false;
  for (const key of Object.keys(saved) as (keyof AllocationSettings)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    whatIf ||= value !== saved[key];
    (settings as Record<string, unknown>)[key] = value;
  }
  return { settings, whatIf };
}

// ---------------------------------------------------------------------------------------------
// Need, assigned, gap

export interface NamedGrid extends GridAllocation {
  name: string;
}

export interface AllocationView {
  settings: AllocationSettings;
  range: CodeRange | null;
  grids: NamedGrid[];
  /** Every community with a grid in the range: its need, step by step, shared out to all its grids. */
  communities: Map<string, CommunityNeedSteps>;
  employers: EmployerRequirement[];
}

/**
 * The range to count: the ratios apply to whole communities, so a grid asked for alone is
 * counted with the other grids of its community (its need is its share of the community's).
 */
function wholeCommunities(range: CodeRange | null): CodeRange | null {
  return range && range.prefix.length > PREFIX_LENGTH.community ? codeRange(range.prefix.slice(0, PREFIX_LENGTH.community)) : range;
}

/**
 * Counts the area once and applies the settings. The employers' part-time requirement costs a
 * second pass over floating residents, so views that never show it (map, plan) skip it.
 */
export async function computeAllocation(
  db: Kysely<DB>,
  settings: AllocationSettings,
  range: CodeRange | null,
  options: { withEmployers: boolean },
): Promise<AllocationView> {
  const [counts, staff] = await Promise.all([
    gridCounts(db, wholeCommunities(range)),
    options.withEmployers ? employersWithStaff(db, settings.employerFloatingStaffForPartTime, range) : [],
  ]);
  const { grids, communities } = allocate(counts, settings);
  const names = new Map(counts.map((row) => [row.code, row.name]));
  const inRange = (code: string) => range === null || code.startsWith(range.prefix);
  return {
    settings,
    range,
    grids: grids.filter((grid) => inRange(grid.code)).map((grid) => ({ ...grid, name: names.get(grid.code) ?? '' })),
    communities,
    employers: staff.map((row) => employerRequirement(row, settings)),
  };
}

export type { AllocationSort };

export interface AllocationRow extends AreaAllocation {
  name: string;
  communityCode?: string;
  steps?: GridAllocation['steps'];
  /** Community rows: how the community's need was found and shared out to its grids. */
  communitySteps?: CommunityNeedSteps;
}

/** Ascending order of one column; codes as text, everything else as numbers. */
function compareBy(column: AllocationSortColumn): (a: AllocationRow, b: AllocationRow) => number {
  return column === 'code' ? (a, b) => a.code.localeCompare(b.code) : (a, b) => a[column] - b[column];
}

/** Rows of one level, each with its steps (grid: its share) or the community's steps (community); sortAndPage orders them. */
export async function allocationRows(db: Kysely<DB>, view: AllocationView, level: AreaLevel): Promise<AllocationRow[]> {
  if (level === 'grid') {
    return view.grids.map((grid) => ({ ...gridAsArea(grid), name: grid.name, communityCode: grid.communityCode, steps: grid.steps }));
  }
  const areas = rollUp(view.grids, view.employers, level);
  const names = await areaNames(
    db,
    areas.map((area) => area.code),
  );
  return areas.map((area) => ({
    ...area,
    name: names.get(area.code) ?? '',
    ...(level === 'community' ? { communitySteps: view.communities.get(area.code) } : {}),
  }));
}

export function sortAndPage(rows: AllocationRow[], sort: AllocationSort, limit: number, offset: number): AllocationRow[] {
  const ascending = compareBy(sort.replace(/^-/, '') as AllocationSortColumn);
  const sorter = sort.startsWith('-') ? (a: AllocationRow, b: AllocationRow) => ascending(b, a) : ascending;
  return [...rows].sort((a, b) => sorter(a, b) || a.code.localeCompare(b.code)).slice(offset, offset + limit);
}

/** The steps of the communities of the given rows' grids (or of the community rows themselves), in code order. */
export function communityStepsOf(view: AllocationView, rows: AllocationRow[]): CommunityNeedSteps[] {
  const codes = new Set(rows.filter((row) => row.code.length >= PREFIX_LENGTH.community).map((row) => row.code.slice(0, PREFIX_LENGTH.community)));
  return [...codes].sort().flatMap((code) => view.communities.get(code) ?? []);
}

/** The whole area in scope as one row. */
export function totalsOf(view: AllocationView): AreaAllocation {
  return totalOf(view.grids, view.employers);
}

// ---------------------------------------------------------------------------------------------
// Rebalancing proposal

export type { MoveEnd, ProposedMove };

export interface RebalanceProposal {
  /** Hops over shared grid boundaries a move may span. */
  reach: number;
  summary: {
    shortageBefore: number;
    shortageAfter: number;
    shortageRemoved: number;
    surplusBefore: number;
    moves: number;
    totalHops: number;
    nonAdjacentMoves: number;
    crossCommunityMoves: number;
  };
  moves: ProposedMove[];
}

export async function proposeRebalancing(db: Kysely<DB>, view: AllocationView, reach: number): Promise<RebalanceProposal> {
  await refreshAdjacencyIfStale(db);
  const pairs = await adjacentPairs(db, view.range);
  const plan = solveOrExplain(() => planRebalancing({ grids: view.grids, adjacentPairs: pairs, reach }));
  const codes = [...new Set(plan.moves.flatMap((move) => [move.from, move.to]))];
  const [centroids, roster] = await Promise.all([gridCentroids(db, codes), fullTimeCollectorsIn(db, [...new Set(plan.moves.map((move) => move.from))])]);
  const names = new Map(view.grids.map((grid) => [grid.code, grid.name]));
  const nextCollector = collectorQueue(roster);
  const end = (code: string, before: number, after: number): MoveEnd => ({
    code,
    name: names.get(code) ?? '',
    centroid: centroids.get(code) ?? null,
    gapBefore: before,
    gapAfter: after,
  });
  const moves = plan.moves.map(
    (move: PlannedMove, index): ProposedMove => ({
      step: index + 1,
      from: end(move.from, move.fromGapBefore, move.fromGapAfter),
      to: end(move.to, move.toGapBefore, move.toGapAfter),
      hops: move.hops,
      adjacent: move.adjacent,
      sameCommunity: move.sameCommunity,
      collector: nextCollector(move.from),
    }),
  );
  const { shortageBefore, shortageAfter, shortageRemoved, surplusBefore, totalHops, nonAdjacentMoves, crossCommunityMoves } = plan;
  return {
    reach,
    summary: { shortageBefore, shortageAfter, shortageRemoved, surplusBefore, moves: moves.length, totalHops, nonAdjacentMoves, crossCommunityMoves },
    moves,
  };
}

function solveOrExplain<T>(solve: () => T): T {
  try {
    return solve();
  } catch (error) {
    if (error instanceof RangeError) throw new HttpError(422, 'area_too_large', error.message);
    throw error;
  }
}

/** Hands out each grid's own collectors in order; every collector is suggested at most once. */
function collectorQueue(roster: MovableCollector[]): (gridCode: string) => { id: number; name: string } | null {
  const queues = groupBy(roster, (collector) => collector.gridCode);
  return (gridCode) => {
    const next = queues.get(gridCode)?.shift();
    return next ? { id: next.id, name: next.name } : null;
  };
}
