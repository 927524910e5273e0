import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { isLetSeparately, sharedFindings, type AccessControlFact, type BuildingFacts, type InspectionFact } from '../domain/rental-scoring.ts';
import { factRows, rentalBuildingRows, type EventList, type FactWindow, type Of } from './repository/facts.ts';

/** The facts rental scoring works on, grouped per building and per household (the queries: ./repository/facts.ts). */

export interface RentalBuilding {
  code: string;
  gridCode: string;
  /** Its let units when it is let separately (分租), each a household scored on its own; else none. */
  households: string[];
}

/** Active buildings with at least one let unit, in code order, with their households. */
export async function rentalBuildings(db: Kysely<DB>): Promise<RentalBuilding[]> {
  const buildings = await rentalBuildingRows(db);
  // Scoring takes them in slices of contiguous codes.
  return buildings
    .map(({ code, gridCode, letUnits }) => ({ code, gridCode, households: isLetSeparately(letUnits.length) ? letUnits : [] }))
    .sort((first, second) => (first.code < second.code ? -1 : 1));
}

const noFacts = (): BuildingFacts => ({ cases: [], registrations: [], inspections: [], flaggedTenants: [] });

function factsOf(byCode: Map<string, BuildingFacts>, code: string): BuildingFacts {
  let facts = byCode.get(code);
  if (!facts) {
    facts = noFacts();
    byCode.set(code, facts);
  }
  return facts;
}

/**
 * The facts of a slice of buildings, per building and per household (let unit of a building let
 * separately). A household gets what happened at its unit (its tenants, cases and visits with its
 * unit code) and the shared findings of visits to the whole building (sharedFindings); a case
 * with no unit code counts for the building only, since it cannot be laid at any household's door.
 */
export class SliceFacts {
  readonly buildings = new Map<string, BuildingFacts>();
  readonly households = new Map<string, BuildingFacts>();
  private readonly householdSet: ReadonlySet<string>;

  constructor(private readonly householdsOf: ReadonlyMap<string, readonly string[]>) {
    this.householdSet = new Set([...householdsOf.values()].flat());
  }

  add<Key extends EventList>(key: Key, rows: Of<BuildingFacts[Key][number]>[]): void {
    for (const { building, unit, ...fact } of rows) {
      (factsOf(this.buildings, building)[key] as unknown[]).push(fact);
      if (unit !== null && this.householdSet.has(unit)) (factsOf(this.households, unit)[key] as unknown[]).push(fact);
    }
  }

  /** The building's access control is shared by everyone living there: each household gets it too. */
  addAccessControl(rows: Of<AccessControlFact>[]): void {
    for (const { building, recordedOn } of rows) {
      factsOf(this.buildings, building).accessControl = { recordedOn };
      for (const household of this.householdsOf.get(building) ?? []) factsOf(this.households, household).accessControl = { recordedOn };
    }
  }

  /** Visits to a unit go to it; a visit to the whole building also gives each household its shared findings. */
  addInspections(rows: Of<InspectionFact>[]): void {
    this.add('inspections', rows);
    for (const { building, unit, ...visit } of rows) {
      const shared = unit === null ? sharedFindings(visit) : null;
      if (!shared) continue;
      for (const household of this.householdsOf.get(building) ?? []) factsOf(this.households, household).inspections.push(shared);
    }
  }
}

/**
 * Every fact the scorer needs for a slice of buildings and their households (`householdsOf`:
 * building code → its household unit codes), in five set-based queries.
 */
export async function loadFacts(db: Kysely<DB>, window: FactWindow, householdsOf: ReadonlyMap<string, readonly string[]> = new Map()): Promise<SliceFacts> {
  const rows = await factRows(db, window);
  const facts = new SliceFacts(householdsOf);
  facts.add('cases', rows.cases);
  facts.add('registrations', rows.registrations);
  facts.addInspections(rows.inspections);
  facts.add('flaggedTenants', rows.flaggedTenants);
  facts.addAccessControl(rows.accessControl);
  return facts;
}
