import type { PGlite } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import { noteDataVersionMoved } from '../db/data-version.ts';
import type { DB } from '../db/schema.ts';
import { addMonths, LOOKBACK_MONTHS, monthsBetween, NO_FACTS, scoreBuildingMonths, type BuildingFacts, type RentalRule } from '../domain/rental-scoring.ts';
import { loadFacts, rentalBuildings, type RentalBuilding } from './facts.ts';
import {
  BUILDING_SCORES,
  deleteScores,
  findRuleSet,
  HOUSEHOLD_SCORES,
  insertScores,
  latestRulesVersion,
  refreshTierCounts,
  scoresOfMonth,
  type PreviousScore,
  type ScoreRow,
  type ScoreTable,
} from './repository.ts';
import { refreshSchedule } from './repository/schedule.ts';

/**
 * Houses (buildings and households) scored per round of fact queries: bounds memory at city scale,
 * few round trips at demo scale. A slice holds whole buildings with their households.
 */
const HOUSES_PER_SLICE = 2000;
/** Score rows per INSERT (one JSON parameter each). */
const ROWS_PER_INSERT = 4000;

export interface ScoringRun {
  from: string;
  to: string;
  months: number;
  rulesVersion: number;
  buildings: number;
  scores: number;
  /** Households of buildings let separately (分租), each scored on its own. */
  households: number;
  householdScores: number;
  millis: number;
}

export interface ScoringOptions {
  /** Score with this rule set version instead of the latest. */
  rulesVersion?: number;
  /** The embedded engine's handle, when the caller has it: scores are then written with COPY. */
  pglite?: PGlite;
}

function slices<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));
}

/** Consecutive buildings, each slice holding about `size` houses: a building and each of its households count one. */
function buildingSlices(buildings: readonly RentalBuilding[], size: number): RentalBuilding[][] {
  const result: RentalBuilding[][] = [];
  let slice: RentalBuilding[] = [];
  let houses = 0;
  for (const building of buildings) {
    slice.push(building);
    houses += 1 + building.households.length;
    if (houses >= size) {
      result.push(slice);
      slice = [];
      houses = 0;
    }
  }
  if (slice.length > 0) result.push(slice);
  return result;
}

interface SliceScores {
  buildings: ScoreRow[];
  households: ScoreRow[];
}

/** Scores each house of `codes` with the same engine, from its own facts and its stored month before the first. */
function scoreHouses(
  codes: readonly string[],
  facts: ReadonlyMap<string, BuildingFacts>,
  previous: ReadonlyMap<string, PreviousScore>,
  months: string[],
  rules: RentalRule[],
): ScoreRow[] {
  return codes.flatMap((code) => scoreBuildingMonths(facts.get(code) ?? NO_FACTS, months, rules, previous.get(code) ?? null).map((score) => ({ code, score })));
}

async function scoreSlice(db: Kysely<DB>, buildings: RentalBuilding[], months: string[], rules: RentalRule[]): Promise<SliceScores> {
  const from = months[0]!;
  const to = months[months.length - 1]!;
  const firstCode = buildings[0]!.code;
  const lastCode = buildings[buildings.length - 1]!.code;
  const householdsOf = new Map(buildings.map((building) => [building.code, building.households]));
  const households = buildings.flatMap((building) => building.households);
  const facts = await loadFacts(db, { firstCode, lastCode, since: addMonths(from, 1 - LOOKBACK_MONTHS), from, to }, householdsOf);
  const monthBefore = addMonths(from, -1);
  const previous = await scoresOfMonth(db, BUILDING_SCORES, monthBefore, firstCode, lastCode);
  const previousHouseholds =
    households.length === 0
      ? new Map<string, PreviousScore>()
      : await scoresOfMonth(db, HOUSEHOLD_SCORES, monthBefore, households[0]!, households[households.length - 1]!);
  return {
    buildings: scoreHouses(
      buildings.map((building) => building.code),
      facts.buildings,
      previous,
      months,
      rules,
    ),
    households: scoreHouses(households, facts.households, previousHouseholds, months, rules),
  };
}

async function insertAll(db: Kysely<DB>, scores: ScoreTable, rows: ScoreRow[], rulesVersion: number, pglite: PGlite | undefined): Promise<void> {
  for (const batch of slices(rows, ROWS_PER_INSERT)) await insertScores(db, scores, batch, rulesVersion, pglite);
}

/**
 * Scores every rental building, and each household of the buildings let separately (分租), for
 * each month from `fromMonth` to `toMonth` ('YYYY-MM-01'), in month order so that each month
 * builds on the one before, with the latest rule set unless a version is given. Replaces those
 * months' scores in one transaction: re-running gives the same rows. Then refreshes the per-grid
 * counts and the visit schedule (both per building).
 */
export async function scoreMonths(db: Kysely<DB>, fromMonth: string, toMonth: string, options: ScoringOptions = {}): Promise<ScoringRun> {
  const started = Date.now();
  const months = monthsBetween(fromMonth, toMonth);
  if (months.length === 0) throw new Error(`scoreMonths: ${fromMonth} is after ${toMonth}`);
  const [from, to] = [months[0]!, months[months.length - 1]!];
  return db.transaction().execute(async (trx) => {
    const rulesVersion = options.rulesVersion ?? (await latestRulesVersion(trx));
    const ruleSet = await findRuleSet(trx, rulesVersion);
    if (!ruleSet) throw new Error(`scoreMonths: no rule set version ${rulesVersion}`);
    const buildings = await rentalBuildings(trx);
    await deleteScores(trx, BUILDING_SCORES, from, to);
    await deleteScores(trx, HOUSEHOLD_SCORES, from, to);
    const households = buildings.reduce((total, building) => total + building.households.length, 0);
    const run = { from, to, months: months.length, rulesVersion, buildings: buildings.length, scores: 0, households, householdScores: 0 };
    for (const slice of buildingSlices(buildings, HOUSES_PER_SLICE)) {
      const rows = await scoreSlice(trx, slice, months, ruleSet.rules);
      await insertAll(trx, BUILDING_SCORES, rows.buildings, rulesVersion, options.pglite);
      await insertAll(trx, HOUSEHOLD_SCORES, rows.households, rulesVersion, options.pglite);
      run.scores += rows.buildings.length;
      run.householdScores += rows.households.length;
    }
    await refreshTierCounts(trx, from, to);
    // The scores and tier counts carry no trigger (sql/0043); the heatmaps' rental tiers read them.
    await noteDataVersionMoved(trx);
    await refreshSchedule(trx);
    return { ...run, millis: Date.now() - started };
  });
}
