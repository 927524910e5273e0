import { describe, expect, it } from 'vitest';
import { planRebalancing, type RebalancePlan, type RebalanceProblem, type RebalanceReach } from '../../server/domain/rebalance.ts';

// Grid codes: street 9 digits + community 3 + grid 2.
const grid = (street: number, community: number, number: number) =>
  `440307${String(street).padStart(3, '0')}${String(community).padStart(3, '0')}${String(number).padStart(2, '0')}`;
const A = grid(1, 1, 1);
const B = grid(1, 1, 2);
const C = grid(1, 1, 3);
const D = grid(1, 2, 1); // other community, same street
const E = grid(2, 1, 1); // other street

interface Objective {
  removed: number;
  moves: number;
  far: number;
  cross: number;
}

const objectiveOf = (plan: RebalancePlan): Objective => ({
  removed: plan.shortageRemoved, moves: plan.moves.length, far: plan.nonAdjacentMoves, cross: plan.crossCommunityMoves,
});

/** Lexicographic: more removed, then fewer moves, then fewer non-adjacent, then fewer cross-community. */
function better(a: Objective, b: Objective): boolean {
  if (a.removed !== b.removed) return a.removed > b.removed;
  if (a.moves !== b.moves) return a.moves < b.moves;
  if (a.far !== b.far) return a.far < b.far;
  return a.cross < b.cross;
}

const key = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** Written from the problem statement alone: may a collector move from u to v? */
function allowed(problem: RebalanceProblem, from: string, to: string): boolean {
  if (from === to) return false;
  if (problem.adjacentPairs.some(([a, b]) => key(a, b) === key(from, to))) return true;
  if (problem.reach !== 'adjacent' && from.slice(0, 12) === to.slice(0, 12)) return true;
  return problem.reach === 'street' && from.slice(0, 9) === to.slice(0, 9);
}

/** Every way to send at most `max` collectors to the targets (counts per target). */
function distributions(targets: number, max: number): number[][] {
  if (targets === 0) return [[]];
  const result: number[][] = [];
  for (let first = 0; first <= max; first += 1) {
    for (const rest of distributions(targets - 1, max - first)) result.push([first, ...rest]);
  }
  return result;
}

/** Tries every combination of moves and keeps the lexicographically best objective. */
function bruteForce(problem: RebalanceProblem): Objective {
  const grids = problem.grids;
  const targetsOf = grids.map((from) => grids.map((to, index) => ({ to, index })).filter(({ to }) => allowed(problem, from.code, to.code)));
  const options = grids.map((from, index) => distributions(targetsOf[index]!.length, from.fullTimeAssigned));
  const shortage = (assigned: number[]) => grids.reduce((total, g, index) => total + Math.max(0, g.need - assigned[index]!), 0);
  const before = shortage(grids.map((g) => g.fullTimeAssigned));
  let best: Objective = { removed: -1, moves: 0, far: 0, cross: 0 };
  const choose = (gridIndex: number, assigned: number[], partial: Objective) => {
    if (gridIndex === grids.length) {
      const candidate = { ...partial, removed: before - shortage(assigned) };
      if (better(candidate, best)) best = candidate;
      return;
    }
    for (const counts of options[gridIndex]!) {
      const next = [...assigned];
      const objective = { ...partial };
      counts.forEach((count, targetIndex) => {
        if (count === 0) return;
        const { to, index } = targetsOf[gridIndex]![targetIndex]!;
        next[gridIndex]! -= count;
        next[index]! += count;
        objective.moves += count;
        if (!problem.adjacentPairs.some(([a, b]) => key(a, b) === key(grids[gridIndex]!.code, to.code))) objective.far += count;
        if (grids[gridIndex]!.code.slice(0, 12) !== to.code.slice(0, 12)) objective.cross += count;
      });
      choose(gridIndex + 1, next, objective);
    }
  };
  choose(0, grids.map((g) => g.fullTimeAssigned), { removed: 0, moves: 0, far: 0, cross: 0 });
  return best;
}

/** The plan must be doable: allowed pairs, nobody leaves a grid more often than it has collectors, gaps add up. */
function expectFeasible(problem: RebalanceProblem, plan: RebalancePlan) {
  const leaving = new Map<string, number>();
  const gaps = new Map(problem.grids.map((g) => [g.code, g.fullTimeAssigned - g.need]));
  for (const move of plan.moves) {
    expect(allowed(problem, move.from, move.to)).toBe(true);
    leaving.set(move.from, (leaving.get(move.from) ?? 0) + 1);
    expect(move.fromGapBefore).toBe(gaps.get(move.from));
    expect(move.toGapBefore).toBe(gaps.get(move.to));
    gaps.set(move.from, gaps.get(move.from)! - 1);
    gaps.set(move.to, gaps.get(move.to)! + 1);
    expect([move.fromGapAfter, move.toGapAfter]).toEqual([gaps.get(move.from), gaps.get(move.to)]);
  }
  for (const g of problem.grids) expect(leaving.get(g.code) ?? 0).toBeLessThanOrEqual(g.fullTimeAssigned);
  expect(plan.gapsAfter).toEqual(Object.fromEntries(gaps));
}

function seededRandom(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomProblem(random: () => number, gridCount: number, reach: RebalanceReach): RebalanceProblem {
  const pool = [A, B, C, D, E, grid(1, 2, 2), grid(2, 1, 2)];
  const codes = pool.sort(() => random() - 0.5).slice(0, gridCount).sort();
  const grids = codes.map((code) => ({ code, fullTimeAssigned: Math.floor(random() * 3), need: Math.floor(random() * 4) }));
  const adjacentPairs: [string, string][] = [];
  for (let i = 0; i < codes.length; i += 1) {
    for (let j = i + 1; j < codes.length; j += 1) if (random() < 0.45) adjacentPairs.push([codes[i]!, codes[j]!]);
  }
  return { grids, adjacentPairs, reach };
}

describe('rebalancing: hand-made cases', () => {
  it('moves a surplus collector into the adjacent short grid: one move, shortage 1 → 0', () => {
    const problem: RebalanceProblem = {
      grids: [{ code: A, fullTimeAssigned: 3, need: 2 }, { code: B, fullTimeAssigned: 0, need: 1 }],
      adjacentPairs: [[A, B]],
      reach: 'adjacent',
    };
    const plan = planRebalancing(problem);
    expect(plan.moves).toEqual([
      { from: A, to: B, adjacent: true, sameCommunity: true, fromGapBefore: 1, fromGapAfter: 0, toGapBefore: -1, toGapAfter: 0 },
    ]);
    expect([plan.shortageBefore, plan.shortageAfter, plan.shortageRemoved]).toEqual([1, 0, 1]);
  });

  it('fixes a shortage two grids away by a chain of two neighbour moves, in the order they are done', () => {
    const problem: RebalanceProblem = {
      grids: [{ code: A, fullTimeAssigned: 2, need: 1 }, { code: B, fullTimeAssigned: 1, need: 1 }, { code: C, fullTimeAssigned: 0, need: 1 }],
      adjacentPairs: [[A, B], [B, C]],
      reach: 'adjacent',
    };
    const plan = planRebalancing(problem);
    expect(plan.moves.map((move) => [move.from, move.to, move.fromGapBefore, move.toGapAfter])).toEqual([
      [A, B, 1, 1],
      [B, C, 1, 0],
    ]);
    expect(plan.gapsAfter).toEqual({ [A]: 0, [B]: 0, [C]: 0 });
  });

  it('cannot pass through a grid without collectors when only neighbours may move; with reach community it jumps', () => {
    const grids = [{ code: A, fullTimeAssigned: 1, need: 0 }, { code: B, fullTimeAssigned: 0, need: 0 }, { code: C, fullTimeAssigned: 0, need: 1 }];
    const adjacentPairs: [string, string][] = [[A, B], [B, C]];
    expect(planRebalancing({ grids, adjacentPairs, reach: 'adjacent' })).toMatchObject({ moves: [], shortageRemoved: 0, shortageAfter: 1 });
    const jump = planRebalancing({ grids, adjacentPairs, reach: 'community' });
    expect(jump.moves.map((move) => [move.from, move.to, move.adjacent])).toEqual([[A, C, false]]);
    expect(jump.nonAdjacentMoves).toBe(1);
  });

  it('prefers a neighbour in the same community over one across the community boundary', () => {
    const problem: RebalanceProblem = {
      grids: [{ code: A, fullTimeAssigned: 0, need: 1 }, { code: B, fullTimeAssigned: 2, need: 1 }, { code: D, fullTimeAssigned: 2, need: 1 }],
      adjacentPairs: [[A, B], [A, D]],
      reach: 'adjacent',
    };
    const plan = planRebalancing(problem);
    expect(plan.moves.map((move) => [move.from, move.to, move.sameCommunity])).toEqual([[B, A, true]]);
    expect(plan.crossCommunityMoves).toBe(0);
  });

  it('prefers one move from a non-adjacent grid of the same community over a two-move chain', () => {
    const problem: RebalanceProblem = {
      grids: [{ code: A, fullTimeAssigned: 2, need: 1 }, { code: B, fullTimeAssigned: 1, need: 1 }, { code: C, fullTimeAssigned: 0, need: 1 }],
      adjacentPairs: [[A, B], [B, C]],
      reach: 'community',
    };
    const plan = planRebalancing(problem);
    expect(plan.moves.map((move) => [move.from, move.to])).toEqual([[A, C]]);
  });

  it('uses a street-wide move only under reach street, and leaves grids of another street alone', () => {
    const grids = [{ code: A, fullTimeAssigned: 2, need: 1 }, { code: D, fullTimeAssigned: 0, need: 1 }, { code: E, fullTimeAssigned: 3, need: 0 }];
    expect(planRebalancing({ grids, adjacentPairs: [], reach: 'community' }).moves).toEqual([]);
    const street = planRebalancing({ grids, adjacentPairs: [], reach: 'street' });
    expect(street.moves.map((move) => [move.from, move.to, move.adjacent, move.sameCommunity])).toEqual([[A, D, false, false]]);
  });

  it('never moves a collector out of a grid that is not in surplus just to shift a shortage', () => {
    const problem: RebalanceProblem = {
      grids: [{ code: A, fullTimeAssigned: 1, need: 1 }, { code: B, fullTimeAssigned: 0, need: 1 }],
      adjacentPairs: [[A, B]],
      reach: 'adjacent',
    };
    expect(planRebalancing(problem)).toMatchObject({ moves: [], shortageBefore: 1, shortageAfter: 1 });
  });

  it('returns no moves for an empty area', () => {
    expect(planRebalancing({ grids: [], adjacentPairs: [], reach: 'street' })).toMatchObject({ moves: [], shortageBefore: 0 });
  });
});

describe('rebalancing is optimal: same objective as trying every combination of moves', () => {
  const cases: [number, number, RebalanceReach][] = [];
  for (let seed = 1; seed <= 120; seed += 1) cases.push([seed, 4, (['adjacent', 'community', 'street'] as const)[seed % 3]!]);
  for (let seed = 500; seed < 520; seed += 1) cases.push([seed, 5, (['adjacent', 'community', 'street'] as const)[seed % 3]!]);

  it.each(cases)('random case seed %i with %i grids, reach %s', (seed, gridCount, reach) => {
    const problem = randomProblem(seededRandom(seed), gridCount, reach);
    const plan = planRebalancing(problem);
    expectFeasible(problem, plan);
    expect(objectiveOf(plan)).toEqual(bruteForce(problem));
  });
});

describe('rebalancing a larger area', () => {
  it('gives a doable plan on a 12 × 12 lattice, with each grid’s arrivals listed before its departures', () => {
    const random = seededRandom(7);
    const codes = Array.from({ length: 144 }, (_, index) => grid(1 + Math.floor(index / 48), 1 + Math.floor((index % 48) / 12), 1 + (index % 12)));
    const grids = codes.map((code) => ({ code, fullTimeAssigned: Math.floor(random() * 4), need: Math.floor(random() * 4) }));
    const adjacentPairs: [string, string][] = [];
    codes.forEach((code, index) => {
      if (index % 12 < 11) adjacentPairs.push([code, codes[index + 1]!]);
      if (index + 12 < 144) adjacentPairs.push([code, codes[index + 12]!]);
    });
    for (const reach of ['adjacent', 'street'] as const) {
      const problem: RebalanceProblem = { grids, adjacentPairs, reach };
      const plan = planRebalancing(problem);
      expectFeasible(problem, plan);
      const surplus = grids.reduce((total, g) => total + Math.max(0, g.fullTimeAssigned - g.need), 0);
      expect(plan.shortageRemoved).toBeGreaterThan(0);
      expect(plan.shortageRemoved).toBeLessThanOrEqual(Math.min(surplus, plan.shortageBefore));
      const departed = new Set<string>();
      for (const move of plan.moves) {
        expect(departed.has(move.to)).toBe(false);
        departed.add(move.from);
      }
    }
  });
});
