import type { Kysely } from 'kysely';
import { noteFiguresWritten } from '../db/data-version.ts';
import type { DB } from '../db/schema.ts';
import { addMonths, monthOf } from '../domain/rental-scoring.ts';
import {
  anyInspection,
  anyRentalBuilding,
  insertDemoFoundUnregistered,
  insertDemoHouseholdVisits,
  insertDemoInspections,
  insertDemoPersonChecks,
  insertDemoPersonFlags,
} from './repository/demo.ts';
import { scoreMonths, type ScoringOptions, type ScoringRun } from './scoring.ts';

/**
 * Demo data for rental tiers: the city generator makes buildings, tenants and cases, but no visits
 * or person flags. These are derived set-based and deterministically (md5 of codes and dates), so
 * the same city always gets the same tiers.
 */

export interface DemoRentals {
  inspections: number;
  householdVisits: number;
  personFlags: number;
  personChecks: number;
  scoring: ScoringRun | null;
}

/**
 * For demo seeding: visits and flags (once: skipped when visits exist), then scores of the 12
 * full months before `today` ('YYYY-MM-DD') for every rental building and every household of the
 * buildings let separately.
 */
export async function seedDemoRentals(db: Kysely<DB>, today: string, options: Pick<ScoringOptions, 'pglite'> = {}): Promise<DemoRentals> {
  const existing = await anyInspection(db);
  const inspections = existing ? 0 : await insertDemoInspections(db, today);
  const householdVisits = existing ? 0 : await insertDemoHouseholdVisits(db, today);
  const personFlags = existing ? 0 : await insertDemoPersonFlags(db, today);
  const personChecks = existing ? 0 : (await insertDemoPersonChecks(db, today)) + (await insertDemoFoundUnregistered(db, today));
  if (!existing) await noteFiguresWritten(db); // visits carry no trigger (sql/0043)
  const lastMonth = addMonths(monthOf(today), -1);
  const scoring = (await anyRentalBuilding(db)) ? await scoreMonths(db, addMonths(lastMonth, -11), lastMonth, options) : null;
  return { inspections, householdVisits, personFlags, personChecks, scoring };
}
