import { describe, expect, it } from 'vitest';
import {
  allocate, DEFAULT_ALLOCATION_SETTINGS, employerRequirement, gridNeedFromRatios, rollUp, totalOf,
  type AllocationSettings, type GridCounts,
} from '../../server/domain/allocation.ts';

const settings: AllocationSettings = { ...DEFAULT_ALLOCATION_SETTINGS };
const grid = (code: string, counts: Partial<GridCounts> = {}): GridCounts => ({
  code, floating: 0, rentalHouses: 0, population: 0, fullTimeAssigned: 0, partTimeAssigned: 0, ...counts,
});
const needOf = (counts: Partial<GridCounts>, overrides: Partial<AllocationSettings> = {}) =>
  gridNeedFromRatios(grid('44030700100101', counts), { ...settings, ...overrides });

describe('need of one grid from the ratios', () => {
  it.each([
    // floating, rental houses, expected need, deciding rule — each worked out by hand
    [0, 0, 0, 'none'],
    [1, 0, 1, 'floating'], // ceil(1/500) = 1
    [499, 0, 1, 'floating'],
    [500, 0, 1, 'floating'], // exactly 500 → 1
    [501, 0, 2, 'floating'], // 501 → 2
    [1000, 0, 2, 'floating'],
    [1001, 0, 3, 'floating'],
    [0, 50, 1, 'rental'], // exactly 50 rental houses → 1
    [0, 51, 2, 'rental'],
    [10, 51, 2, 'rental'], // rental-driven: ceil(10/500)=1 < ceil(51/50)=2
    [600, 101, 3, 'rental'], // 2 vs 3
    [500, 1, 1, 'floating'], // 1 vs 1: a tie goes to the first rule
  ])('%i floating, %i rental houses → %i (%s)', (floating, rentalHouses, need, rule) => {
    const steps = needOf({ floating, rentalHouses });
    expect(steps.need).toBe(need);
    expect(steps.ratioNeed).toBe(need);
    expect(steps.decidedBy).toBe(rule);
  });

  it('returns each step: count, ratio, unrounded quotient and its ceiling', () => {
    expect(needOf({ floating: 750, rentalHouses: 20 })).toEqual({
      mode: 'floating_or_rental',
      ratios: [
        { rule: 'floating', count: 750, perCollector: 500, quotient: 1.5, need: 2 },
        { rule: 'rental', count: 20, perCollector: 50, quotient: 0.4, need: 1 },
      ],
      ratioNeed: 2,
      communityMinimumTopUp: 0,
      need: 2,
      decidedBy: 'floating',
    });
  });

  it.each([
    [0, 0, 0, 'none'],
    [600, 1, 1, 'population'], // exactly 600 → 1
    [601, 1.0017, 2, 'population'],
    [1800, 3, 3, 'population'],
  ])('600:1 mode: %i people (quotient %d) → %i, floating and rental houses ignored', (population, quotient, need, rule) => {
    const steps = needOf({ population, floating: 5000, rentalHouses: 500 }, { mode: 'population' });
    expect(steps.ratios).toEqual([{ rule: 'population', count: population, perCollector: 600, quotient, need }]);
    expect([steps.need, steps.decidedBy]).toEqual([need, rule]);
  });

  it('follows changed ratios', () => {
    expect(needOf({ floating: 500 }, { floatingPerCollector: 400 }).need).toBe(2);
    expect(needOf({ rentalHouses: 60 }, { rentalHousesPerCollector: 30 }).need).toBe(2);
  });
});

describe('community minimum', () => {
  const community = '440307001001';

  it('tops up a community without floating people or rental houses to one, on its first grid when all are equal', () => {
    const { grids, communityMinimums } = allocate([grid(`${community}02`), grid(`${community}01`)], settings);
    expect(grids.map((g) => [g.code, g.need, g.steps.decidedBy])).toEqual([
      [`${community}01`, 1, 'community_minimum'],
      [`${community}02`, 0, 'none'],
    ]);
    expect(communityMinimums.get(community)).toEqual({ floating: 0, gridNeedSum: 0, isSmallCommunity: true, minimum: 1, topUp: 1, topUpGridCode: `${community}01` });
  });

  it('puts the top-up on the grid with most floating people, then rental houses, then population', () => {
    const choose = (grids: GridCounts[]) => allocate(grids, { ...settings, smallCommunityMinimum: 5 }).communityMinimums.get(community)!.topUpGridCode;
    expect(choose([grid(`${community}01`, { floating: 3 }), grid(`${community}02`, { floating: 7 })])).toBe(`${community}02`);
    expect(choose([grid(`${community}01`, { rentalHouses: 9 }), grid(`${community}02`, { rentalHouses: 2 })])).toBe(`${community}01`);
    expect(choose([grid(`${community}01`, { population: 1 }), grid(`${community}02`, { population: 4 })])).toBe(`${community}02`);
  });

  it('adds nothing when the grids already need the minimum, or when the community has 1000 floating people or more', () => {
    const small = allocate([grid(`${community}01`, { floating: 999 })], settings);
    expect(small.communityMinimums.get(community)).toMatchObject({ isSmallCommunity: true, gridNeedSum: 2, topUp: 0 });
    // With a minimum of 3 a community of 999 floating people (need 2) gets one more; at 1000 it does not.
    const raised = { ...settings, smallCommunityMinimum: 3 };
    expect(allocate([grid(`${community}01`, { floating: 999 })], raised).grids[0]!.need).toBe(3);
    expect(allocate([grid(`${community}01`, { floating: 1000 })], raised).grids[0]!.need).toBe(2);
  });

  it('treats each community apart', () => {
    const { grids } = allocate([grid('44030700100101', { floating: 10 }), grid('44030700100201')], settings);
    expect(grids.map((g) => [g.code, g.need])).toEqual([['44030700100101', 1], ['44030700100201', 1]]);
    expect(grids[1]!.steps.communityMinimumTopUp).toBe(1);
  });
});

describe('gaps and their sums', () => {
  // Community 001001: 01 needs 2 (600 floating) and has 3; 02 needs 1 (one floating person) and has 0.
  // Community 001002: 01 needs 1 (top-up) has 0. Street 002: 002001 01 needs 2 (51 rental) has 2.
  const counts = [
    grid('44030700100101', { floating: 600, fullTimeAssigned: 3, partTimeAssigned: 1 }),
    grid('44030700100102', { floating: 1, fullTimeAssigned: 0 }),
    grid('44030700100201', {}),
    grid('44030700200101', { rentalHouses: 51, fullTimeAssigned: 2 }),
  ];
  const { grids } = allocate(counts, settings);

  it('gap = assigned − need per grid', () => {
    expect(grids.map((g) => [g.need, g.gap])).toEqual([[2, 1], [1, -1], [1, -1], [2, 0]]);
  });

  it('communities, streets, the district and the total add up the grids', () => {
    expect(rollUp(grids, [], 'community').map((a) => [a.code, a.need, a.fullTimeAssigned, a.gap, a.shortage, a.surplus])).toEqual([
      ['440307001001', 3, 3, 0, 1, 1],
      ['440307001002', 1, 0, -1, 1, 0],
      ['440307002001', 2, 2, 0, 0, 0],
    ]);
    expect(rollUp(grids, [], 'street').map((a) => [a.code, a.need, a.gap, a.shortage, a.surplus])).toEqual([
      ['440307001', 4, -1, 2, 1],
      ['440307002', 2, 0, 0, 0],
    ]);
    const total = totalOf(grids, []);
    expect(total).toMatchObject({ level: 'all', grids: 4, floating: 601, rentalHouses: 51, need: 6, fullTimeAssigned: 5, partTimeAssigned: 1, gap: -1, shortage: 2, surplus: 1 });
    expect(total.gap).toBe(total.surplus - total.shortage);
    expect(rollUp(grids, [], 'district')[0]).toMatchObject({ code: '440307', need: total.need, gap: total.gap });
  });
});

describe('part-time collectors named by employers', () => {
  const staff = (floatingStaff: number, namedPartTime = 0) => ({ employer: '厂', floatingStaff, homeCommunityCode: '440307001001', namedPartTime });

  it.each([
    [199, 0, 0, 0],
    [200, 0, 1, -1], // exactly 200 must name one
    [200, 1, 1, 0],
    [5000, 0, 1, -1], // one, not one per 200
    [5000, 3, 1, 0],
  ])('%i floating staff, %i named → required %i, gap %i', (floatingStaff, named, required, gap) => {
    expect(employerRequirement(staff(floatingStaff, named), settings)).toMatchObject({ threshold: 200, required, gap });
  });

  it('counts requirements into the home community; extra named collectors do not hide a missing one elsewhere', () => {
    const employers = [
      { ...employerRequirement(staff(300, 2), settings) },
      { ...employerRequirement({ ...staff(250), employer: '店' }, settings) },
    ];
    const [community] = rollUp([], employers, 'community');
    expect(community).toMatchObject({ code: '440307001001', grids: 0, partTimeRequired: 2, partTimeNamed: 1 });
  });
});
