import type { PGlite } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { addMonths, LOOKBACK_MONTHS, monthsBetween, NO_FACTS, scoreBuildingMonths, type RentalRule } from '../domain/rental-scoring.ts';
import { loadFacts, rentalBuildings, type RentalBuilding } from './facts.ts';
import { deleteScores, findRuleSet, insertScores, latestRulesVersion, refreshTierCounts, scoresOfMonth, type ScoreRow } from './repository.ts';
import { refreshSchedule } from './schedule.ts';

/** Buildings scored per round of fact queries: bounds memory at city scale, few round trips at demo scale. */
const BUILDINGS_PER_SLICE = 2000;
/** Score rows per INSERT (one JSON parameter each). */
const ROWS_PER_INSERT = 4000;

export interface ScoringRun {
  from: string;
  to: string;
  months: number;
  rulesVersion: number;
  buildings: number;
  scores: number;
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

async function scoreSlice(db: Kysely<DB>, buildings: RentalBuilding[], months: string[], rules: RentalRule[]): Promise<ScoreRow[]> {
  const from = months[0]!;
  const to = months[months.length - 1]!;
  const firstCode = buildings[0]!.code;
  const lastCode = buildings[buildings.length - 1]!.code;
  const facts = await loadFacts(db, { firstCode, lastCode, since: addMonths(from, 1 - LOOKBACK_MONTHS), from, to });
  const previous = await scoresOfMonth(db, addMonths(from, -1), firstCode, lastCode);
  return buildings.flatMap(({ code }) =>
    scoreBuildingMonths(facts.get(code) ?? NO_FACTS, months, rules, previous.get(code) ?? null).map((score) => ({ buildingCode: code, score })),
  );
}

/**
 * Scores every rental building for each month from `fromMonth` to `toMonth` ('YYYY-MM-01'), in
 * month order so that each month builds on the one before, with the latest rule set unless a
 * version is given. Replaces those months' scores in one transaction: re-running gives the same
 * rows. Then refreshes the per-grid counts and the visit schedule.
 */
export async function scoreMonths(db: Kysely<DB>, fromMonth: string, toMonth: string, options: ScoringOptions = {}): Promise<ScoringRun> {
  const started = Date.now();
  const months = monthsBetween(fromMonth, toMonth);
  if (months.length === 0) throw new Error(`scoreMonths: ${fromMonth} is after ${toMonth}`);
  return db.transaction().execute(async (trx) => {
    const rulesVersion = options.rulesVersion ?? (await latestRulesVersion(trx));
    const ruleSet = await findRuleSet(trx, rulesVersion);
    if (!ruleSet) throw new Error(`scoreMonths: no rule set version ${rulesVersion}`);
    const buildings = await rentalBuildings(trx);
    await deleteScores(trx, months[0]!, months[months.length - 1]!);
    let scores = 0;
    for (const slice of slices(buildings, BUILDINGS_PER_SLICE)) {
      const rows = await scoreSlice(trx, slice, months, ruleSet.rules);
      for (const batch of slices(rows, ROWS_PER_INSERT)) await insertScores(trx, batch, rulesVersion, options.pglite);
      scores += rows.length;
    }
    await refreshTierCounts(trx, months[0]!, months[months.length - 1]!);
    await refreshSchedule(trx);
    return { from: months[0]!, to: months[months.length - 1]!, months: months.length, rulesVersion, buildings: buildings.length, scores, millis: Date.now() - started };
  });
}
