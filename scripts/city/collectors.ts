/**
 * Information collectors (协管员/信息员): about one full-time collector per 500 floating
 * residents overall, but handed out unevenly so that planners find grids short of staff and
 * grids with a surplus; employers with big dormitories name part-time collectors of their own.
 */
import type { CityLayout } from './areas.ts';
import { fromDays, toDays } from './dates.ts';
import { ValueNoise } from './noise.ts';
import { chineseName, mobilePhone } from './names.ts';
import type { Household } from './people.ts';
import { rngFor, type Rng } from './random.ts';
import type { Assignment, Collector, Grid, Site } from './types.ts';

const FLOATING_PER_COLLECTOR = 500;
const RENTAL_BUILDINGS_PER_COLLECTOR = 50;
const PART_TIME_STAFF = 200;

export interface CollectorPlan {
  collectors: Collector[];
  assignments: Assignment[];
}

export function planCollectors(seed: number, layout: CityLayout, tally: StaffingTally, today: string, firstId: number): CollectorPlan {
  const rng = rngFor(seed, 'collectors');
  const { floatingByGrid: floating, rentalHousesByGrid: rentals } = tally;
  const needs = layout.grids.map((grid) => Math.max((floating.get(grid.code) ?? 0) / FLOATING_PER_COLLECTOR, (rentals.get(grid.code) ?? 0) / RENTAL_BUILDINGS_PER_COLLECTOR));
  const staffing = new ValueNoise(rng, Math.max(...layout.grids.map((grid) => grid.i)) + 2, Math.max(...layout.grids.map((grid) => grid.j)) + 2, 2.5);
  const skewed = needs.map((need, index) => need * (0.25 + 1.5 * staffing.at(layout.grids[index]!.i + 0.5, layout.grids[index]!.j + 0.5)));
  let totalFloating = 0;
  for (const count of floating.values()) totalFloating += count;
  const counts = apportion(skewed, Math.max(1, Math.round(totalFloating / FLOATING_PER_COLLECTOR)));
  const plan: CollectorPlan = { collectors: [], assignments: [] };
  const state = { plan, nextId: firstId, today: toDays(today) };
  layout.grids.forEach((grid, index) => {
    for (let n = 0; n < counts[index]!; n += 1) addFullTime(rng, state, grid, layout.grids);
  });
  for (const [grid, employer] of tally.bigEmployers(layout.grids)) {
    if (rng.chance(0.6)) addCollector(rng, state, grid, 'part_time', employer, rng.int(state.today - 900, state.today - 20));
  }
  for (let n = 0; n < Math.ceil(plan.collectors.length * 0.04); n += 1) addRetired(rng, state, rng.pick(layout.grids));
  return plan;
}

/** What allocating collectors needs to know of the city, counted while its people are planned. */
export class StaffingTally {
  /** Floating people living in each grid today. */
  readonly floatingByGrid = new Map<string, number>();
  /** Rental houses (active buildings with a rented unit) in each grid. */
  readonly rentalHousesByGrid = new Map<string, number>();
  /** Workers each employer houses in its dormitories, and the grid of its first one. */
  private readonly dormStaff = new Map<string, { count: number; gridCode: string }>();

  addSite(site: Site): void {
    if (site.isRentalHouse) this.rentalHousesByGrid.set(site.gridCode, (this.rentalHousesByGrid.get(site.gridCode) ?? 0) + 1);
  }

  addHouseholds(households: readonly Household[]): void {
    for (const household of households) {
      if (!household.current) continue;
      const { gridCode, employer } = household.site;
      const floating = household.members.filter((person) => person.category === 'floating').length;
      this.floatingByGrid.set(gridCode, (this.floatingByGrid.get(gridCode) ?? 0) + floating);
      if (household.kind !== 'dorm' || !employer) continue;
      const entry = this.dormStaff.get(employer) ?? { count: 0, gridCode };
      entry.count += household.members.length;
      this.dormStaff.set(employer, entry);
    }
  }

  /** Employers housing at least 200 workers, with the grid of their (first) dormitory. */
  bigEmployers(grids: Grid[]): [Grid, string][] {
    const byCode = new Map(grids.map((grid) => [grid.code, grid]));
    return [...this.dormStaff].filter(([, entry]) => entry.count >= PART_TIME_STAFF).map(([employer, entry]) => [byCode.get(entry.gridCode)!, employer]);
  }
}

interface State {
  plan: CollectorPlan;
  nextId: number;
  today: number;
}

function addCollector(rng: Rng, state: State, grid: Grid, employment: Collector['employment'], employer: string | null, since: number): Collector {
  const collector: Collector = { id: state.nextId, name: chineseName(rng, rng.chance(0.55) ? 'M' : 'F'), phone: mobilePhone(rng), employment, employer, active: true };
  state.nextId += 1;
  state.plan.collectors.push(collector);
  state.plan.assignments.push({ collectorId: collector.id, gridCode: grid.code, assignedOn: fromDays(since), endedOn: null });
  return collector;
}

/** A full-time collector; one in eight moved here from another grid. */
function addFullTime(rng: Rng, state: State, grid: Grid, grids: Grid[]): void {
  const since = rng.int(state.today - 1400, state.today - 10);
  const collector = addCollector(rng, state, grid, 'full_time', null, since);
  if (!rng.chance(0.125)) return;
  const before = rng.pick(grids);
  if (before.code === grid.code) return;
  const earlier = rng.int(since - 900, since - 60);
  state.plan.assignments.push({ collectorId: collector.id, gridCode: before.code, assignedOn: fromDays(earlier), endedOn: fromDays(since - 1) });
}

/** A collector who has left the job: inactive, with an ended assignment. */
function addRetired(rng: Rng, state: State, grid: Grid): void {
  const collector = addCollector(rng, state, grid, 'full_time', null, rng.int(state.today - 1500, state.today - 400));
  collector.active = false;
  const assignment = state.plan.assignments.at(-1)!;
  assignment.endedOn = fromDays(rng.int(Math.min(toDays(assignment.assignedOn) + 90, state.today - 30), state.today - 30));
}

/** Rounds shares to whole numbers summing to `total` (largest remainder). */
function apportion(weights: number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0) || 1;
  const exact = weights.map((weight) => (weight / sum) * total);
  const counts = exact.map(Math.floor);
  const order = exact.map((value, index) => ({ index, rest: value - Math.floor(value) })).sort((a, b) => b.rest - a.rest || a.index - b.index);
  const missing = total - counts.reduce((a, b) => a + b, 0);
  for (let n = 0; n < missing; n += 1) counts[order[n % order.length]!.index]! += 1;
  return counts;
}
