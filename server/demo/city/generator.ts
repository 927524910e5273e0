/**
 * The city as a stream of row batches. Each step draws from its own random stream (see
 * random.ts), so handing buildings over a grid at a time gives exactly the rows that planning
 * everything at once gave: the demo city and a 14-million-people city come from the same code.
 *
 * Order: every building and unit first (people move between units anywhere in the district,
 * so the register of units must be complete), then people with their stays building by
 * building, then permits (numbered in order of issue, known only at the end), then cases.
 * Areas and collectors are small and are written by the caller (store.ts).
 */
import { districtExtent, planAreas, type CityLayout } from './areas.ts';
import { buildingsByGrid } from './buildings.ts';
import { planCases } from './cases.ts';
import { planCollectors, StaffingTally, type CollectorPlan } from './collectors.ts';
import { resolveScale, type Scale, type ScalePlan } from './config.ts';
import { isValidDate } from './dates.ts';
import { ResidencyPlanner } from './events.ts';
import { PeoplePlanner } from './people.ts';
import { PermitPlanner } from './permits.ts';
import { CityRegister } from './register.ts';
import type { Assignment, Building, CaseRow, Collector, Permit, Person, Residency, Unit } from './types.ts';

/** The rows of each table the generator fills. */
export interface CityRows {
  buildings: Building;
  units: Unit;
  persons: Person;
  residencies: Residency;
  permits: Permit;
  cases: CaseRow;
  collectors: Collector;
  collector_assignments: Assignment;
}
export type CityTable = keyof CityRows;

/** The tables streamed through a RowSink, in an order that satisfies their foreign keys. */
export const STREAMED_TABLES = ['buildings', 'units', 'persons', 'residencies', 'permits', 'cases'] as const;
export type StreamedTable = (typeof STREAMED_TABLES)[number];

/** Where the row batches go: resolves when it can take the next batch (back-pressure). */
export interface RowSink {
  write<T extends StreamedTable>(table: T, rows: readonly CityRows[T][]): Promise<void>;
}

export type Progress = (step: string, done: number, total: number) => void;

export interface FirstIds {
  person: number;
  permit: number;
  collector: number;
  /** Next number of permit_number_seq: permits are numbered JZZ + 10 digits like the application's. */
  permitNumber: number;
}

export const FIRST_IDS: FirstIds = { person: 1, permit: 1, collector: 1, permitNumber: 1 };

export interface CitySummary {
  districts: number;
  streets: number;
  communities: number;
  grids: number;
  buildings: number;
  units: number;
  persons: number;
  residencies: number;
  permits: number;
  cases: number;
  collectors: number;
  districtCode: string;
  center: [number, number];
  bbox: [number, number, number, number];
}

/** People are handed to the sink in batches of about this many. */
const PEOPLE_BATCH = 5000;
const CASE_BATCH = 10_000;

export class CityGenerator {
  readonly plan: ScalePlan;
  readonly layout: CityLayout;
  private readonly counts = { buildings: 0, units: 0, persons: 0, residencies: 0, permits: 0, cases: 0 };
  private staffing: CollectorPlan | undefined;

  constructor(
    readonly seed: number,
    scale: Scale,
    readonly today: string,
    private readonly firstIds: FirstIds = FIRST_IDS,
  ) {
    if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    if (!isValidDate(today)) throw new Error(`today must be a date YYYY-MM-DD, got ${today}`);
    this.plan = resolveScale(scale);
    this.layout = planAreas(seed, this.plan);
  }

  /** Streams buildings, units, persons, residencies, permits and cases into `sink`; plans the collectors. */
  async writeRows(sink: RowSink, report: Progress = () => {}): Promise<void> {
    const register = new CityRegister();
    const tally = new StaffingTally();
    await this.writeBuildings(sink, register, tally, report);
    const permits = new PermitPlanner(this.seed, this.today, this.firstIds.permit);
    await this.writePeople(sink, register, tally, permits, report);
    for (const batch of permits.numbered(this.firstIds.permitNumber)) {
      await this.send(sink, 'permits', batch);
      report('permits', this.counts.permits, permits.count);
    }
    report('permits', permits.count, permits.count);
    const cases = planCases(this.seed, this.layout, register, this.today, this.plan.casesPerBuilding);
    for (let start = 0; start < cases.length; start += CASE_BATCH) {
      await this.send(sink, 'cases', cases.slice(start, start + CASE_BATCH));
      report('cases', this.counts.cases, cases.length);
    }
    this.staffing = planCollectors(this.seed, this.layout, tally, this.today, this.firstIds.collector);
  }

  /** The collectors and their assignments (after writeRows). */
  get staff(): CollectorPlan {
    if (!this.staffing) throw new Error('collectors are planned by writeRows');
    return this.staffing;
  }

  get rowCounts(): Readonly<Record<StreamedTable, number>> {
    return this.counts;
  }

  summary(): CitySummary {
    const { center, bbox } = districtExtent(this.layout);
    return {
      districts: 1,
      streets: this.layout.streets.length,
      communities: this.layout.communities.length,
      grids: this.layout.grids.length,
      ...this.counts,
      collectors: this.staffing?.collectors.length ?? 0,
      districtCode: this.layout.district.code,
      center,
      bbox,
    };
  }

  private async writeBuildings(sink: RowSink, register: CityRegister, tally: StaffingTally, report: Progress): Promise<void> {
    let grids = 0;
    for (const buildings of buildingsByGrid(this.seed, this.layout, this.plan)) {
      for (const building of buildings) tally.addSite(register.add(building));
      await this.send(sink, 'buildings', buildings);
      await this.send(
        sink,
        'units',
        buildings.flatMap((building) => building.units),
      );
      grids += 1;
      // Counted in grids written: the building total is not known until the last grid is laid out.
      report('buildings (grids)', grids, this.layout.grids.length);
    }
  }

  private async writePeople(sink: RowSink, register: CityRegister, tally: StaffingTally, permits: PermitPlanner, report: Progress): Promise<void> {
    const people = new PeoplePlanner(this.seed, this.today, this.firstIds.person, register);
    const stays = new ResidencyPlanner(this.seed, register, this.today);
    let persons: Person[] = [];
    let residencies: Residency[] = [];
    let floatingResidents = 0;
    const flush = async (done: number) => {
      await this.send(sink, 'persons', persons);
      await this.send(sink, 'residencies', residencies);
      [persons, residencies] = [[], []];
      report('people (buildings)', done, register.sites.length);
    };
    for (const [index, site] of register.sites.entries()) {
      // A building's households go to the residency planner together: a unit's leavers follow its residents.
      const households = people.householdsOf(site);
      const history = stays.plan(households);
      const members = households.flatMap((household) => household.members);
      permits.add(members, history.spans);
      tally.addHouseholds(households);
      persons.push(...members);
      residencies.push(...history.residencies);
      floatingResidents += households
        .filter((household) => household.current)
        .reduce((sum, household) => sum + household.members.filter((person) => person.category === 'floating').length, 0);
      if (persons.length >= PEOPLE_BATCH) await flush(index + 1);
    }
    // Sent in batches: at city scale the unregistered are hundreds of thousands of rows, too many
    // to spread into one push (a call's arguments live on the stack).
    const unregistered = people.unregistered(floatingResidents);
    for (let start = 0; start < unregistered.length; start += PEOPLE_BATCH) {
      persons = persons.concat(unregistered.slice(start, start + PEOPLE_BATCH));
      if (persons.length >= PEOPLE_BATCH) await flush(register.sites.length);
    }
    await flush(register.sites.length);
  }

  private async send<T extends StreamedTable>(sink: RowSink, table: T, rows: readonly CityRows[T][]): Promise<void> {
    if (rows.length === 0) return;
    this.counts[table] += rows.length;
    await sink.write(table, rows);
  }
}
