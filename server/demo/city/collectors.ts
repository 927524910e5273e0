/**
 * Information collectors (协管员/信息员): staffed close to what the planner's rule asks (need per
 * community, shared out to its grids, server/domain/allocation.ts), but unevenly, so that planners
 * find most grids near balance, some short of staff and some with a surplus to move; employers
 * with big dormitories name part-time collectors of their own.
 */
import { allocate, DEFAULT_ALLOCATION_SETTINGS, type GridCounts } from '../../domain/allocation.ts';
import type { CityLayout } from './areas.ts';
import { fromDays, toDays } from './dates.ts';
import { ValueNoise } from './noise.ts';
import { chineseName, mobilePhone } from './names.ts';
import type { Household } from './people.ts';
import { rngFor, type Rng } from './random.ts';
import type { Assignment, Collector, Grid, Site } from './types.ts';

const PART_TIME_STAFF = 200;
/** Staff over need ranges from STAFFING_LOW to STAFFING_LOW + STAFFING_SPREAD across the district (smooth noise). */
const STAFFING_LOW = 0.6;
const STAFFING_SPREAD = 0.8;

export interface CollectorPlan {
  collectors: Collector[];
  assignments: Assignment[];
}

export function planCollectors(seed: number, layout: CityLayout, tally: StaffingTally, today: string, firstId: number): CollectorPlan {
  const rng = rngFor(seed, 'collectors');
  const needs = gridNeeds(layout.grids, tally);
  const staffing = new ValueNoise(rng, Math.max(...layout.grids.map((grid) => grid.i)) + 2, Math.max(...layout.grids.map((grid) => grid.j)) + 2, 2.5);
  // Half smooth (whole neighbourhoods better or worse staffed), half each grid's own luck.
  const share = (grid: Grid) => 0.5 * staffing.at(grid.i + 0.5, grid.j + 0.5) + 0.5 * rng.next();
  const counts = layout.grids.map((grid) => Math.round(needs.get(grid.code)! * (STAFFING_LOW + STAFFING_SPREAD * share(grid))));
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

/** Each grid's need under the default rule, from the counts the planner will see on the generation day. */
function gridNeeds(grids: Grid[], tally: StaffingTally): Map<string, number> {
  const counts: GridCounts[] = grids.map((grid) => {
    const floating = tally.floatingByGrid.get(grid.code) ?? 0;
    const rentalHouses = tally.rentalHousesByGrid.get(grid.code) ?? 0;
    return { code: grid.code, floating, rentalHouses, rentalBuildings: 0, population: floating, fullTimeAssigned: 0, partTimeAssigned: 0 };
  });
  return new Map(allocate(counts, { ...DEFAULT_ALLOCATION_SETTINGS }).grids.map((grid) => [grid.code, grid.need]));
}

/** What allocating collectors needs to know of the city, counted while its people are planned. */
export class StaffingTally {
  /** Floating people living in each grid today. */
  readonly floatingByGrid = new Map<string, number>();
  /** Rental houses (let units of active buildings) in each grid. */
  readonly rentalHousesByGrid = new Map<string, number>();
  /** Workers each employer houses in its dormitories, and the grid of its first one. */
  private readonly dormStaff = new Map<string, { count: number; gridCode: string }>();

  addSite(site: Site): void {
    if (site.rentedUnits > 0) this.rentalHousesByGrid.set(site.gridCode, (this.rentalHousesByGrid.get(site.gridCode) ?? 0) + site.rentedUnits);
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
  const collector: Collector = {
    id: state.nextId,
    name: chineseName(rng, rng.chance(0.55) ? 'M' : 'F'),
    phone: mobilePhone(rng),
    employment,
    employer,
    active: true,
  };
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
