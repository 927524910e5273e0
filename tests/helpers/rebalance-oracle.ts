import type { RebalancePlan, RebalanceProblem } from '../../server/domain/rebalance.ts';

/**
 * The rebalancing optimum found the slow, obvious way, written from the problem statement alone
 * (not from server/domain/rebalance.ts): the oracle of tests/unit/rebalance.test.ts and of the
 * API test, whose grid gaps come from the allocation rules of the day.
 */

/** Lexicographic: more shortage removed, then fewer moves, fewer Σ remaining², fewer hops, fewer cross-community moves. */
export interface Objective {
  removed: number;
  moves: number;
  remainingSquares: number;
  hops: number;
  cross: number;
}

export function better(a: Objective, b: Objective): boolean {
  if (a.removed !== b.removed) return a.removed > b.removed;
  for (const key of ['moves', 'remainingSquares', 'hops', 'cross'] as const) if (a[key] !== b[key]) return a[key] < b[key];
  return false;
}

/** Hops between every two grids, written from the problem statement alone (Floyd–Warshall). */
export function hopTable(problem: RebalanceProblem): Map<string, number> {
  const codes = problem.grids.map((g) => g.code);
  const n = codes.length;
  const index = new Map(codes.map((code, at) => [code, at]));
  const hops = new Float64Array(n * n).fill(Infinity);
  for (let at = 0; at < n; at += 1) hops[at * n + at] = 0;
  for (const [a, b] of problem.adjacentPairs) {
    hops[index.get(a)! * n + index.get(b)!] = 1;
    hops[index.get(b)! * n + index.get(a)!] = 1;
  }
  for (let k = 0; k < n; k += 1) {
    for (let i = 0; i < n; i += 1) {
      for (let j = 0; j < n; j += 1) hops[i * n + j] = Math.min(hops[i * n + j]!, hops[i * n + k]! + hops[k * n + j]!);
    }
  }
  const table = new Map<string, number>();
  codes.forEach((a, i) => codes.forEach((b, j) => table.set(`${a}>${b}`, hops[i * n + j]!)));
  return table;
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

/**
 * Tries every set of direct moves within reach — from ANY grid with collectors, not only surplus
 * ones, to any grid — where no grid both gives and receives, and keeps the best objective.
 */
export function bruteForce(problem: RebalanceProblem): Objective {
  const grids = problem.grids;
  const hops = hopTable(problem);
  const hopsBetween = (a: string, b: string) => hops.get(`${a}>${b}`) ?? Infinity;
  const targetsOf = grids.map((from) =>
    grids
      .map((_, index) => index)
      .filter((index) => {
        const distance = hopsBetween(from.code, grids[index]!.code);
        return distance >= 1 && distance <= problem.reach;
      }),
  );
  const options = grids.map((from, index) => distributions(targetsOf[index]!.length, from.fullTimeAssigned));
  const shortages = (assigned: number[]) => grids.map((g, index) => Math.max(0, g.need - assigned[index]!));
  const before = shortages(grids.map((g) => g.fullTimeAssigned)).reduce((sum, value) => sum + value, 0);
  let best: Objective | undefined;
  const choose = (gridIndex: number, assigned: number[], gives: boolean[], receives: boolean[], partial: Omit<Objective, 'removed' | 'remainingSquares'>) => {
    if (gridIndex === grids.length) {
      if (gives.some((giving, index) => giving && receives[index])) return;
      const after = shortages(assigned);
      const candidate = {
        ...partial,
        removed: before - after.reduce((sum, value) => sum + value, 0),
        remainingSquares: after.reduce((sum, value) => sum + value * value, 0),
      };
      if (!best || better(candidate, best)) best = candidate;
      return;
    }
    for (const counts of options[gridIndex]!) {
      const next = [...assigned];
      const nextGives = [...gives];
      const nextReceives = [...receives];
      const objective = { ...partial };
      counts.forEach((count, targetIndex) => {
        if (count === 0) return;
        const to = targetsOf[gridIndex]![targetIndex]!;
        next[gridIndex]! -= count;
        next[to]! += count;
        nextGives[gridIndex] = true;
        nextReceives[to] = true;
        objective.moves += count;
        objective.hops += count * hopsBetween(grids[gridIndex]!.code, grids[to]!.code);
        if (grids[gridIndex]!.code.slice(0, 12) !== grids[to]!.code.slice(0, 12)) objective.cross += count;
      });
      choose(gridIndex + 1, next, nextGives, nextReceives, objective);
    }
  };
  choose(
    0,
    grids.map((g) => g.fullTimeAssigned),
    grids.map(() => false),
    grids.map(() => false),
    { moves: 0, hops: 0, cross: 0 },
  );
  return best!;
}

export const objectiveOf = (problem: RebalanceProblem, plan: RebalancePlan): Objective => {
  const remaining = problem.grids.map((g) => Math.max(0, -plan.gapsAfter[g.code]!));
  return {
    removed: plan.shortageRemoved,
    moves: plan.moves.length,
    remainingSquares: remaining.reduce((sum, value) => sum + value * value, 0),
    hops: plan.totalHops,
    cross: plan.crossCommunityMoves,
  };
};
