import { describe, expect, it } from 'vitest';
import {
  allocate,
  communityAllocation,
  communityNeed,
  DEFAULT_ALLOCATION_SETTINGS,
  employerRequirement,
  largestRemainder,
  rollUp,
  totalOf,
  type AllocationSettings,
  type GridCounts,
} from '../../server/domain/allocation.ts';

const settings: AllocationSettings = { ...DEFAULT_ALLOCATION_SETTINGS };
/** The ratios alone: no community is "small". */
const ratiosOnly: AllocationSettings = { ...settings, smallCommunityFloatingBelow: 0 };
const grid = (code: string, counts: Partial<GridCounts> = {}): GridCounts => ({
  code,
  floating: 0,
  rentalHouses: 0,
  rentalBuildings: 0,
  population: 0,
  fullTimeAssigned: 0,
  partTimeAssigned: 0,
  ...counts,
});
const needOf = (counts: Partial<GridCounts>, overrides: Partial<AllocationSettings> = {}) =>
  communityNeed({ floating: 0, rentalHouses: 0, population: 0, ...counts }, { ...ratiosOnly, ...overrides });
const community = '440307001001';
const needsOf = (grids: GridCounts[], overrides: Partial<AllocationSettings> = {}) =>
  allocate(grids, { ...settings, ...overrides }).grids.map((g) => [g.code.slice(12), g.need]);

describe('need of a community from the ratios (ceilings over the whole community)', () => {
  it.each([
    // floating, rental houses, expected need, deciding rule — each worked out by hand
    [0, 0, 0, 'none'],
    [1, 0, 1, 'floating'], // ceil(1/500) = 1
    [500, 0, 1, 'floating'], // exactly 500 → 1
    [501, 0, 2, 'floating'], // 501 → 2
    [1001, 0, 3, 'floating'],
    [0, 50, 1, 'rental'], // exactly 50 rental houses → 1
    [10, 51, 2, 'rental'], // rental-driven: ceil(10/500)=1 < ceil(51/50)=2
    [600, 101, 3, 'rental'], // 2 vs 3
    [500, 1, 1, 'floating'], // 1 vs 1: a tie goes to the first rule
  ])('%i floating, %i rental houses → %i (%s)', (floating, rentalHouses, need, rule) => {
    const steps = needOf({ floating, rentalHouses });
    expect([steps.need, steps.ratioNeed, steps.decidedBy]).toEqual([need, need, rule]);
  });

  it('returns each step: count, ratio, unrounded quotient and its ceiling', () => {
    expect(needOf({ floating: 750, rentalHouses: 20 }).ratios).toEqual([
      { rule: 'floating', count: 750, perCollector: 500, quotient: 1.5, need: 2 },
      { rule: 'rental', count: 20, perCollector: 50, quotient: 0.4, need: 1 },
    ]);
  });

  it.each([
    [0, 0, 0],
    [600, 1, 1], // exactly 600 → 1
    [601, 1.0017, 2],
    [1800, 3, 3],
  ])('600:1 mode: %i people (quotient %d) → %i, floating and rental houses ignored', (population, quotient, need) => {
    const steps = needOf({ population, floating: 5000, rentalHouses: 500 }, { mode: 'population' });
    expect(steps.ratios).toEqual([{ rule: 'population', count: population, perCollector: 600, quotient, need }]);
    expect(steps.need).toBe(need);
  });

  it('follows changed ratios', () => {
    expect(needOf({ floating: 500 }, { floatingPerCollector: 400 }).need).toBe(2);
    expect(needOf({ rentalHouses: 60 }, { rentalHousesPerCollector: 30 }).need).toBe(2);
  });
});

describe('the ratio applies to the community, not to each grid', () => {
  it('a community of 730 floating people over 3 grids needs 1, not 3 (one ceiling per grid would give 3; small community: exactly 1)', () => {
    const grids = [grid(`${community}01`, { floating: 300 }), grid(`${community}02`, { floating: 250 }), grid(`${community}03`, { floating: 180 })];
    const { grids: result, communities } = allocate(grids, settings);
    expect(result.map((g) => g.need)).toEqual([1, 0, 0]);
    expect(communities.get(community)).toMatchObject({ floating: 730, ratioNeed: 2, need: 1, decidedBy: 'community_minimum' });
  });

  it('adds the grids up first: 3 grids of 400 floating people need ceil(1200/500) = 3 (not 3 × 1); 3 grids of 300 (900) exactly 1', () => {
    const even = (floating: number) => [1, 2, 3].map((n) => grid(`${community}0${n}`, { floating }));
    expect(allocate(even(400), settings).communities.get(community)).toMatchObject({ ratioNeed: 3, need: 3, decidedBy: 'floating' });
    expect(allocate(even(300), settings).communities.get(community)).toMatchObject({ ratioNeed: 2, need: 1, decidedBy: 'community_minimum' });
  });

  it('rental houses are summed too: 30 + 30 houses in two grids need ceil(60/50) = 2, not 1 + 1 and not 1', () => {
    const grids = [grid(`${community}01`, { floating: 600, rentalHouses: 30 }), grid(`${community}02`, { floating: 600, rentalHouses: 30 })];
    expect(allocate(grids, settings).communities.get(community)).toMatchObject({ floating: 1200, rentalHouses: 60, ratioNeed: 3, need: 3 });
    expect(allocate(grids, { ...settings, floatingPerCollector: 5000 }).communities.get(community)).toMatchObject({ ratioNeed: 2, decidedBy: 'rental' });
  });

  it('treats each community apart', () => {
    const { communities } = allocate([grid('44030700100101', { floating: 1500 }), grid('44030700100201', { floating: 1500 })], settings);
    expect([...communities.values()].map((c) => [c.code, c.need])).toEqual([
      ['440307001001', 3],
      ['440307001002', 3],
    ]);
  });
});

describe('small community: fewer than 1000 floating people → exactly one', () => {
  it.each([
    [0, 0, 1, 0], // nothing at all still gets one
    [999, 0, 1, 2], // ceil(999/500) = 2, but the community is small: exactly 1
    [999, 120, 1, 3], // the rule is "exactly": rental houses do not raise a small community
    [1000, 0, 2, 2], // not small: the ratio
  ])('%i floating, %i rental houses → %i (ratio need %i)', (floating, rentalHouses, need, ratioNeed) => {
    const steps = communityAllocation(community, [grid(`${community}01`, { floating, rentalHouses })], settings);
    expect([steps.need, steps.ratioNeed]).toEqual([need, ratioNeed]);
    expect(steps.smallCommunity).toMatchObject({ isSmallCommunity: floating < 1000, minimum: 1, kind: 'exactly', applied: need !== ratioNeed });
  });

  it('a what-if minimum of 2 gives every small community exactly 2', () => {
    expect(communityAllocation(community, [grid(`${community}01`, { floating: 10 })], { ...settings, smallCommunityMinimum: 2 }).need).toBe(2);
  });

  it('population mode: the minimum is a floor, so a populous community with few floating people keeps its 600:1 need', () => {
    const populous = communityAllocation(community, [grid(`${community}01`, { floating: 10, population: 3000 })], { ...settings, mode: 'population' });
    expect(populous).toMatchObject({ need: 5, decidedBy: 'population', smallCommunity: { isSmallCommunity: true, kind: 'at_least', applied: false } });
    const empty = communityAllocation(community, [grid(`${community}01`)], { ...settings, mode: 'population' });
    expect(empty).toMatchObject({ need: 1, decidedBy: 'community_minimum', smallCommunity: { applied: true } });
  });
});

describe('sharing a community need out to its grids by largest remainder', () => {
  it('Hamilton by hand: 5 collectors over 1000/800/700 floating (2500): quotas 2, 1.6, 1.4 → floors 2,1,1, the one left to the .6', () => {
    const shares = largestRemainder(5, [1000, 800, 700], ['01', '02', '03']);
    expect(shares).toEqual([
      { code: '01', count: 1000, quota: 2, floor: 2, remainder: 0, extra: 0, need: 2 },
      { code: '02', count: 800, quota: 1.6, floor: 1, remainder: 0.6, extra: 1, need: 2 },
      { code: '03', count: 700, quota: 1.4, floor: 1, remainder: 0.4, extra: 0, need: 1 },
    ]);
  });

  it('ties: equal remainders go to the larger count, then to the lower code (the order given)', () => {
    // 1 over [1, 1, 1]: remainders equal, counts equal → the first code.
    expect(largestRemainder(1, [1, 1, 1], ['01', '02', '03']).map((share) => share.need)).toEqual([1, 0, 0]);
    // 2 over [3, 1, 2] (6): quotas 1, 0.333, 0.667 → 01 gets 1 by its floor, 03 the one left.
    expect(largestRemainder(2, [3, 1, 2], ['01', '02', '03']).map((share) => share.need)).toEqual([1, 0, 1]);
    // 1 over [2, 2, 4] (8): quotas .25 .25 .5 → 03.
    expect(largestRemainder(1, [2, 2, 4], ['01', '02', '03']).map((share) => share.need)).toEqual([0, 0, 1]);
    // 3 over [1, 1, 1, 1]: each .75; the first three codes.
    expect(largestRemainder(3, [1, 1, 1, 1], ['01', '02', '03', '04']).map((share) => share.need)).toEqual([1, 1, 1, 0]);
  });

  it('grid needs always sum to the community need, whatever the counts', () => {
    let seed = 7;
    const random = (below: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % below;
    for (let round = 0; round < 200; round += 1) {
      const grids = Array.from({ length: 1 + random(6) }, (_, index) =>
        grid(`${community}${String(index + 1).padStart(2, '0')}`, {
          floating: random(3) === 0 ? 0 : random(2000),
          rentalHouses: random(150),
          population: random(4000),
        }),
      );
      for (const mode of ['floating_or_rental', 'population'] as const) {
        const { grids: result, communities } = allocate(grids, { ...settings, mode });
        expect(result.reduce((sum, g) => sum + g.need, 0)).toBe(communities.get(community)!.need);
      }
    }
  });

  it('shares by the count that decided: rental houses when the rental ratio needs more', () => {
    const grids = [grid(`${community}01`, { floating: 900, rentalHouses: 10 }), grid(`${community}02`, { floating: 200, rentalHouses: 140 })];
    // floating 1100 → 3; rental 150 → 3; a tie goes to floating: 3 × 900/1100 = 2.45, 3 × 200/1100 = 0.55 → 2 + 1.
    expect(allocate(grids, settings).communities.get(community)!.apportionment.basis).toBe('floating');
    expect(needsOf(grids)).toEqual([
      ['01', 2],
      ['02', 1],
    ]);
    // 40 rental houses per collector: rental 4 > floating 3 → by rental houses: 4 × 10/150 = 0.27, 4 × 140/150 = 3.73 → 0 + 4.
    expect(needsOf(grids, { rentalHousesPerCollector: 40 })).toEqual([
      ['01', 0],
      ['02', 4],
    ]);
  });

  it('a small community with no floating people shares its one by rental houses, then population, then equally (lowest code)', () => {
    expect(needsOf([grid(`${community}01`, { rentalHouses: 2 }), grid(`${community}02`, { rentalHouses: 5 })])).toEqual([
      ['01', 0],
      ['02', 1],
    ]);
    expect(needsOf([grid(`${community}01`, { population: 9 }), grid(`${community}02`, { population: 4 })])).toEqual([
      ['01', 1],
      ['02', 0],
    ]);
    expect(needsOf([grid(`${community}02`), grid(`${community}01`)])).toEqual([
      ['01', 1],
      ['02', 0],
    ]);
    expect(allocate([grid(`${community}01`)], settings).communities.get(community)!.apportionment).toMatchObject({ basis: 'equal', total: 1 });
  });

  it('population mode shares by population', () => {
    const grids = [grid(`${community}01`, { population: 700 }), grid(`${community}02`, { population: 500 })];
    // 1200 → 2; quotas 1.1667 and 0.8333 → floors 1 and 0, the one left to 02.
    expect(needsOf(grids, { mode: 'population' })).toEqual([
      ['01', 1],
      ['02', 1],
    ]);
  });

  it('each grid carries its step: community need, basis, count, quota, floor, remainder, extra', () => {
    const grids = [grid(`${community}01`, { floating: 1000 }), grid(`${community}02`, { floating: 800 }), grid(`${community}03`, { floating: 700 })];
    const { grids: result, communities } = allocate(grids, settings);
    expect(result[1]!.steps).toEqual({
      mode: 'floating_or_rental',
      communityCode: community,
      communityNeed: 5,
      communityDecidedBy: 'floating',
      basis: 'floating',
      basisTotal: 2500,
      code: `${community}02`,
      count: 800,
      quota: 1.6,
      floor: 1,
      remainder: 0.6,
      extra: 1,
      need: 2,
    });
    expect(communities.get(community)).toMatchObject({
      grids: 3,
      floating: 2500,
      ratios: [
        { rule: 'floating', count: 2500, perCollector: 500, quotient: 5, need: 5 },
        { rule: 'rental', count: 0, need: 0 },
      ],
      ratioNeed: 5,
      need: 5,
      decidedBy: 'floating',
      apportionment: { basis: 'floating', total: 2500, leftAfterFloors: 1 },
    });
  });
});

describe('gaps and their sums', () => {
  // Community 001001: 01 has 600 floating, 02 one (601: small → exactly 1, shared by floating → 01); 01 has 3 assigned.
  // Community 001002: nobody (small → 1 on its only grid), none assigned. Street 002: 002001 01 needs ceil(51/50) = 2 with
  // 1200 floating (not small; floating 3 > rental 2 → 3), 2 assigned.
  const counts = [
    grid('44030700100101', { floating: 600, fullTimeAssigned: 3, partTimeAssigned: 1 }),
    grid('44030700100102', { floating: 1, fullTimeAssigned: 0 }),
    grid('44030700100201', {}),
    grid('44030700200101', { floating: 1200, rentalHouses: 51, rentalBuildings: 7, fullTimeAssigned: 2 }),
  ];
  const { grids } = allocate(counts, settings);

  it('gap = assigned − need per grid', () => {
    expect(grids.map((g) => [g.need, g.gap])).toEqual([
      [1, 2],
      [0, 0],
      [1, -1],
      [3, -1],
    ]);
  });

  it('communities, streets, the district and the total add up the grids', () => {
    expect(rollUp(grids, [], 'community').map((a) => [a.code, a.need, a.fullTimeAssigned, a.gap, a.shortage, a.surplus])).toEqual([
      ['440307001001', 1, 3, 2, 0, 2],
      ['440307001002', 1, 0, -1, 1, 0],
      ['440307002001', 3, 2, -1, 1, 0],
    ]);
    expect(rollUp(grids, [], 'street').map((a) => [a.code, a.need, a.gap, a.shortage, a.surplus])).toEqual([
      ['440307001', 2, 1, 1, 2],
      ['440307002', 3, -1, 1, 0],
    ]);
    const total = totalOf(grids, []);
    expect(total).toMatchObject({
      level: 'all',
      grids: 4,
      floating: 1801,
      rentalHouses: 51,
      rentalBuildings: 7,
      need: 5,
      fullTimeAssigned: 5,
      partTimeAssigned: 1,
      gap: 0,
      shortage: 2,
      surplus: 2,
    });
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
    const employers = [{ ...employerRequirement(staff(300, 2), settings) }, { ...employerRequirement({ ...staff(250), employer: '店' }, settings) }];
    const [community] = rollUp([], employers, 'community');
    expect(community).toMatchObject({ code: '440307001001', grids: 0, partTimeRequired: 2, partTimeNamed: 1 });
  });
});
