import { describe, expect, it } from 'vitest';
import { planRebalancing, type RebalancePlan, type RebalanceProblem } from '../../server/domain/rebalance.ts';
import { bruteForce, hopTable, objectiveOf } from '../helpers/rebalance-oracle.ts';

// Grid codes: street 9 digits + community 3 + grid 2.
const grid = (street: number, community: number, number: number) =>
  `440307${String(street).padStart(3, '0')}${String(community).padStart(3, '0')}${String(number).padStart(2, '0')}`;
const A = grid(1, 1, 1);
const B = grid(1, 1, 2);
const C = grid(1, 1, 3);
const D = grid(1, 2, 1); // other community
const E = grid(2, 1, 1); // other street

/** The plan must be doable: direct moves within reach, surplus to short only, nobody relayed, gaps add up. */
function expectFeasible(problem: RebalanceProblem, plan: RebalancePlan) {
  const hops = hopTable(problem);
  const gaps = new Map(problem.grids.map((g) => [g.code, g.fullTimeAssigned - g.need]));
  const givers = new Set<string>();
  const receivers = new Set<string>();
  for (const move of plan.moves) {
    expect(move.hops).toBe(hops.get(`${move.from}>${move.to}`));
    expect(move.hops).toBeGreaterThanOrEqual(1);
    expect(move.hops).toBeLessThanOrEqual(problem.reach);
    expect(move.adjacent).toBe(move.hops === 1);
    expect(move.fromGapBefore).toBe(gaps.get(move.from));
    expect(move.toGapBefore).toBe(gaps.get(move.to));
    expect(move.fromGapBefore).toBeGreaterThan(0);
    expect(move.toGapBefore).toBeLessThan(0);
    givers.add(move.from);
    receivers.add(move.to);
    gaps.set(move.from, gaps.get(move.from)! - 1);
    gaps.set(move.to, gaps.get(move.to)! + 1);
    expect([move.fromGapAfter, move.toGapAfter]).toEqual([gaps.get(move.from), gaps.get(move.to)]);
  }
  expect([...givers].filter((code) => receivers.has(code))).toEqual([]);
  expect(plan.gapsAfter).toEqual(Object.fromEntries(gaps));
  expect(plan.totalHops).toBe(plan.moves.reduce((sum, move) => sum + move.hops, 0));
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

function randomProblem(random: () => number, gridCount: number, reach: number): RebalanceProblem {
  const pool = [A, B, C, D, E, grid(1, 2, 2), grid(2, 1, 2)];
  const codes = pool
    .sort(() => random() - 0.5)
    .slice(0, gridCount)
    .sort();
  const grids = codes.map((code) => ({ code, fullTimeAssigned: Math.floor(random() * 3), need: Math.floor(random() * 4) }));
  const adjacentPairs: [string, string][] = [];
  for (let i = 0; i < codes.length; i += 1) {
    for (let j = i + 1; j < codes.length; j += 1) if (random() < 0.4) adjacentPairs.push([codes[i]!, codes[j]!]);
  }
  return { grids, adjacentPairs, reach };
}

const fromTo = (plan: RebalancePlan) => plan.moves.map((move) => [move.from, move.to]);

describe('rebalancing: hand-made cases', () => {
  it('moves a surplus collector into the adjacent short grid: one move, shortage 1 → 0', () => {
    const problem: RebalanceProblem = {
      grids: [
        { code: A, fullTimeAssigned: 3, need: 2 },
        { code: B, fullTimeAssigned: 0, need: 1 },
      ],
      adjacentPairs: [[A, B]],
      reach: 1,
    };
    const plan = planRebalancing(problem);
    expect(plan.moves).toEqual([
      { from: A, to: B, hops: 1, adjacent: true, sameCommunity: true, fromGapBefore: 1, fromGapAfter: 0, toGapBefore: -1, toGapAfter: 0 },
    ]);
    expect([plan.shortageBefore, plan.shortageAfter, plan.shortageRemoved, plan.surplusBefore]).toEqual([1, 0, 1, 1]);
  });

  it('never relays through a balanced grid: a shortage two hops away gets one direct move, or none when out of reach', () => {
    const grids = [
      { code: A, fullTimeAssigned: 2, need: 1 },
      { code: B, fullTimeAssigned: 1, need: 1 },
      { code: C, fullTimeAssigned: 0, need: 1 },
    ];
    const adjacentPairs: [string, string][] = [
      [A, B],
      [B, C],
    ];
    const direct = planRebalancing({ grids, adjacentPairs, reach: 2 });
    expect(direct.moves.map((move) => [move.from, move.to, move.hops, move.adjacent])).toEqual([[A, C, 2, false]]);
    expect(direct.gapsAfter).toEqual({ [A]: 0, [B]: 0, [C]: 0 });
    expect(planRebalancing({ grids, adjacentPairs, reach: 1 })).toMatchObject({ moves: [], shortageRemoved: 0, shortageAfter: 1 });
  });

  it('helps the worst-off grid first: a grid short by 3 before a neighbour short by 1', () => {
    const problem: RebalanceProblem = {
      grids: [
        { code: A, fullTimeAssigned: 0, need: 1 },
        { code: B, fullTimeAssigned: 3, need: 1 },
        { code: C, fullTimeAssigned: 0, need: 3 },
      ],
      adjacentPairs: [
        [A, B],
        [B, C],
      ],
      reach: 1,
    };
    const plan = planRebalancing(problem);
    expect(fromTo(plan)).toEqual([
      [B, C],
      [B, C],
    ]);
    expect(plan.gapsAfter).toEqual({ [A]: -1, [B]: 0, [C]: -1 });
  });

  it('among equally good plans takes the nearer grid, then the same community', () => {
    const nearer: RebalanceProblem = {
      grids: [
        { code: A, fullTimeAssigned: 2, need: 1 },
        { code: B, fullTimeAssigned: 1, need: 1 },
        { code: C, fullTimeAssigned: 0, need: 1 },
        { code: D, fullTimeAssigned: 0, need: 1 },
      ],
      adjacentPairs: [
        [A, B],
        [B, C],
        [A, D],
      ],
      reach: 3,
    };
    expect(fromTo(planRebalancing(nearer))).toEqual([[A, D]]);
    const sameCommunity: RebalanceProblem = {
      ...nearer,
      adjacentPairs: [
        [A, C],
        [A, D],
      ],
    };
    const plan = planRebalancing(sameCommunity);
    expect(fromTo(plan)).toEqual([[A, C]]);
    expect(plan.crossCommunityMoves).toBe(0);
  });

  it('moves across a street boundary only when the grids are within reach', () => {
    const grids = [
      { code: A, fullTimeAssigned: 2, need: 1 },
      { code: E, fullTimeAssigned: 0, need: 1 },
    ];
    expect(planRebalancing({ grids, adjacentPairs: [], reach: 10 }).moves).toEqual([]);
    expect(planRebalancing({ grids, adjacentPairs: [[A, E]], reach: 1 }).moves.map((move) => move.sameCommunity)).toEqual([false]);
  });

  it('never moves a collector out of a grid that is not in surplus just to shift a shortage', () => {
    const problem: RebalanceProblem = {
      grids: [
        { code: A, fullTimeAssigned: 1, need: 1 },
        { code: B, fullTimeAssigned: 0, need: 1 },
      ],
      adjacentPairs: [[A, B]],
      reach: 1,
    };
    expect(planRebalancing(problem)).toMatchObject({ moves: [], shortageBefore: 1, shortageAfter: 1, surplusBefore: 0 });
  });

  it('returns no moves for an empty area', () => {
    expect(planRebalancing({ grids: [], adjacentPairs: [], reach: 3 })).toMatchObject({ moves: [], shortageBefore: 0, surplusBefore: 0 });
  });
});

describe('rebalancing is optimal: same objective as trying every set of direct moves', () => {
  const cases: [number, number, number][] = [];
  for (let seed = 1; seed <= 150; seed += 1) cases.push([seed, 4, 1 + (seed % 3)]);
  for (let seed = 500; seed < 530; seed += 1) cases.push([seed, 5, 1 + (seed % 3)]);

  it.each(cases)('random case seed %i with %i grids, reach %i hops', (seed, gridCount, reach) => {
    const problem = randomProblem(seededRandom(seed), gridCount, reach);
    const plan = planRebalancing(problem);
    expectFeasible(problem, plan);
    expect(objectiveOf(problem, plan)).toEqual(bruteForce(problem));
  });
});

describe('rebalancing a larger area', () => {
  it('gives a doable plan on a 12 × 12 lattice: one move per unit of shortage removed, none relayed', () => {
    const random = seededRandom(7);
    const codes = Array.from({ length: 144 }, (_, index) => grid(1 + Math.floor(index / 48), 1 + Math.floor((index % 48) / 12), 1 + (index % 12)));
    const grids = codes.map((code) => ({ code, fullTimeAssigned: Math.floor(random() * 4), need: Math.floor(random() * 4) }));
    const adjacentPairs: [string, string][] = [];
    codes.forEach((code, index) => {
      if (index % 12 < 11) adjacentPairs.push([code, codes[index + 1]!]);
      if (index + 12 < 144) adjacentPairs.push([code, codes[index + 12]!]);
    });
    let previousRemoved = -1;
    for (const reach of [1, 2, 3, 6]) {
      const problem: RebalanceProblem = { grids, adjacentPairs, reach };
      const plan = planRebalancing(problem);
      expectFeasible(problem, plan);
      expect(plan.moves.length).toBe(plan.shortageRemoved);
      expect(plan.shortageRemoved).toBeLessThanOrEqual(Math.min(plan.surplusBefore, plan.shortageBefore));
      // A longer reach allows every plan of a shorter one.
      expect(plan.shortageRemoved).toBeGreaterThanOrEqual(previousRemoved);
      previousRemoved = plan.shortageRemoved;
    }
    expect(previousRemoved).toBeGreaterThan(0);
  });
});
