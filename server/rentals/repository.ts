import type { PGlite } from '@electric-sql/pglite';
import { sql, type Insertable, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Bbox } from '../domain/coordinates.ts';
import type { HouseholdTier, MonthScore, RentalFactor, RentalRule, RentalTier, ScoreExplanation } from '../domain/rental-scoring.ts';
import { codeWithin, type CodePrefixes } from '../db/code-prefix.ts';
import { streetCodeOf } from '../domain/codes.ts';

// ---------------------------------------------------------------- rules

export interface RuleSet {
  version: number;
  note: string | null;
  createdBy: number | null;
  createdAt: Date;
  rules: RentalRule[];
}

export interface NewRule {
  factor: RentalFactor;
  params: Record<string, unknown>;
  points: number;
  label: string;
  active: boolean;
}

export async function latestRulesVersion(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('rental_rule_versions')
    .select((eb) => eb.fn.max('version').as('version'))
    .executeTakeFirst();
  return row?.version ?? 0;
}

export async function findRuleSet(db: Kysely<DB>, version: number): Promise<RuleSet | undefined> {
  const header = await db.selectFrom('rental_rule_versions').selectAll().where('version', '=', version).executeTakeFirst();
  if (!header) return undefined;
  const rules = await db
    .selectFrom('rental_rules')
    .select(['id', 'factor', 'params', 'points', 'label', 'active'])
    .where('version', '=', version)
    .orderBy('id')
    .execute();
  return { version, note: header.note, createdBy: header.created_by, createdAt: header.created_at, rules };
}

export async function insertRuleSet(db: Kysely<DB>, version: number, note: string | null, createdBy: number, rules: NewRule[]): Promise<void> {
  await db.insertInto('rental_rule_versions').values({ version, note, created_by: createdBy }).execute();
  await db
    .insertInto('rental_rules')
    .values(rules.map((rule) => ({ ...rule, params: JSON.stringify(rule.params), version, created_by: createdBy })))
    .execute();
}

// ---------------------------------------------------------------- scores

/** Where scores are kept: per rental building, and per household of a building let separately (分租). */
export const BUILDING_SCORES = { table: 'rental_scores', key: 'building_code' } as const;
export const HOUSEHOLD_SCORES = { table: 'rental_unit_scores', key: 'unit_code' } as const;
export type ScoreTable = typeof BUILDING_SCORES | typeof HOUSEHOLD_SCORES;

export interface ScoreRow {
  /** The building's or the household's (unit's) code. */
  code: string;
  score: MonthScore;
}

/** Replaces the scores of the given months: a re-run leaves exactly one row per house and month. */
export async function deleteScores(db: Kysely<DB>, scores: ScoreTable, from: string, to: string): Promise<void> {
  await db.deleteFrom(scores.table).where('month', '>=', from).where('month', '<=', to).execute();
}

const scoreColumns = (scores: ScoreTable) => `${scores.key}, street_code, month, score, tier, clean_months, explanation, rules_version`;

/** COPY text format: tab-separated; JSON.stringify leaves no tab or newline, only backslashes to escape. */
function copyText(rows: ScoreRow[], rulesVersion: number): string {
  const lines = rows.map(({ code, score }) =>
    [
      code,
      streetCodeOf(code),
      score.month,
      score.score,
      score.tier,
      score.cleanMonths,
      JSON.stringify(score.explanation).replaceAll('\\', '\\\\'),
      rulesVersion,
    ].join('\t'),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Inserts many scores in one statement. On the embedded engine, given its PGlite handle, through
 * COPY (several times faster there than parsing one large JSON parameter); otherwise through
 * json_to_recordset, one parameter per batch.
 */
export async function insertScores(db: Kysely<DB>, scores: ScoreTable, rows: ScoreRow[], rulesVersion: number, pglite?: PGlite): Promise<void> {
  if (pglite) {
    await pglite.query(`COPY ${scores.table} (${scoreColumns(scores)}) FROM '/dev/blob'`, [], { blob: new Blob([copyText(rows, rulesVersion)]) });
    return;
  }
  const records = rows.map(({ code, score }) => ({
    k: code,
    m: score.month,
    s: score.score,
    t: score.tier,
    c: score.cleanMonths,
    e: score.explanation,
  }));
  await sql`
    INSERT INTO ${sql.table(scores.table)} (${sql.raw(scoreColumns(scores))})
    SELECT r.k, left(r.k, 9), r.m, r.s, r.t, r.c, r.e, ${rulesVersion}
    FROM json_to_recordset(${JSON.stringify(records)}::json) AS r(k text, m date, s numeric, t text, c smallint, e json)`.execute(db);
}

export interface PreviousScore {
  tier: RentalTier;
  cleanMonths: number;
}

/** The scores of one month for codes from `firstCode` to `lastCode`, by code. */
export async function scoresOfMonth(
  db: Kysely<DB>,
  scores: ScoreTable,
  month: string,
  firstCode: string,
  lastCode: string,
): Promise<Map<string, PreviousScore>> {
  const result = await sql<{ code: string; tier: RentalTier; cleanMonths: number }>`
    SELECT ${sql.ref(scores.key)} AS code, tier, clean_months AS "cleanMonths" FROM ${sql.table(scores.table)}
    WHERE month = ${month}::date AND ${sql.ref(scores.key)} BETWEEN ${firstCode} AND ${lastCode}`.execute(db);
  return new Map(result.rows.map((row) => [row.code, { tier: row.tier, cleanMonths: row.cleanMonths }]));
}

/** Rewrites the per-grid tier counts of the months just scored. */
export async function refreshTierCounts(db: Kysely<DB>, from: string, to: string): Promise<void> {
  await db.deleteFrom('rental_tier_counts').where('month', '>=', from).where('month', '<=', to).execute();
  await sql`
    INSERT INTO rental_tier_counts (month, street_code, grid_code, red, yellow, green, star)
    SELECT month, left(building_code, 9), left(building_code, 14),
           count(*) FILTER (WHERE tier = 'red'), count(*) FILTER (WHERE tier = 'yellow'),
           count(*) FILTER (WHERE tier = 'green'), count(*) FILTER (WHERE tier = 'star')
    FROM rental_scores
    WHERE month BETWEEN ${from}::date AND ${to}::date
    GROUP BY month, left(building_code, 9), left(building_code, 14)`.execute(db);
}

export async function latestScoredMonth(db: Kysely<DB>): Promise<string | null> {
  const row = await db
    .selectFrom('rental_scores')
    .select((eb) => eb.fn.max('month').as('month'))
    .executeTakeFirst();
  return row?.month ?? null;
}

// ---------------------------------------------------------------- reads for the map and the score card

export interface BuildingTier {
  code: string;
  point: [number, number];
  tier: RentalTier;
  score: number;
  star: boolean;
}

export interface TierArea {
  bbox?: Bbox;
  gridCode?: string;
  prefixes: CodePrefixes;
}

function areaFilter(area: TierArea): RawBuilder<SqlBool> {
  const inBbox = area.bbox ? sql`b.point && ST_MakeEnvelope(${area.bbox[0]}, ${area.bbox[1]}, ${area.bbox[2]}, ${area.bbox[3]}, 4326)` : sql`true`;
  const inGrid = area.gridCode ? sql`b.grid_code = ${area.gridCode}` : sql`true`;
  return sql<SqlBool>`${inBbox} AND ${inGrid} AND ${codeWithin('b.code', area.prefixes)}`;
}

export async function buildingTiers(db: Kysely<DB>, month: string, area: TierArea, limit: number): Promise<{ buildings: BuildingTier[]; truncated: boolean }> {
  const result = await sql<{ code: string; lon: number; lat: number; tier: RentalTier; score: number }>`
    SELECT b.code, ST_X(b.point) AS lon, ST_Y(b.point) AS lat, s.tier, s.score
    FROM rental_scores s JOIN buildings b ON b.code = s.building_code
    WHERE s.month = ${month}::date AND ${areaFilter(area)}
    ORDER BY b.code
    LIMIT ${limit + 1}`.execute(db);
  const buildings = result.rows.slice(0, limit).map((row) => ({
    code: row.code,
    point: [row.lon, row.lat] as [number, number],
    tier: row.tier,
    score: row.score,
    star: row.tier === 'star',
  }));
  return { buildings, truncated: result.rows.length > limit };
}

export interface GridTierCount {
  gridCode: string;
  red: number;
  yellow: number;
  green: number;
  star: number;
  total: number;
}

export async function gridTierCounts(db: Kysely<DB>, month: string, prefixes: CodePrefixes): Promise<GridTierCount[]> {
  const result = await sql<GridTierCount>`
    SELECT grid_code AS "gridCode", red, yellow, green, star, red + yellow + green + star AS total
    FROM rental_tier_counts
    WHERE month = ${month}::date AND ${codeWithin('grid_code', prefixes)}
    ORDER BY grid_code`.execute(db);
  return result.rows;
}

export interface StoredScore {
  month: string;
  score: number;
  tier: RentalTier;
  rulesVersion: number;
  computedAt: Date;
  explanation: ScoreExplanation;
}

/** A building's or household's stored score of a month, or its latest when `month` is null. */
export async function findScore(db: Kysely<DB>, scores: ScoreTable, code: string, month: string | null): Promise<StoredScore | undefined> {
  const result = await sql<StoredScore>`
    SELECT month, score, tier, rules_version AS "rulesVersion", computed_at AS "computedAt", explanation
    FROM ${sql.table(scores.table)}
    WHERE ${sql.ref(scores.key)} = ${code} AND ${month === null ? sql`true` : sql`month = ${month}::date`}
    ORDER BY month DESC
    LIMIT 1`.execute(db);
  return result.rows[0];
}

export interface HistoryEntry {
  month: string;
  score: number;
  tier: RentalTier;
  rulesVersion: number;
}

export async function scoreHistory(db: Kysely<DB>, scores: ScoreTable, code: string): Promise<HistoryEntry[]> {
  const result = await sql<HistoryEntry>`
    SELECT month, score, tier, rules_version AS "rulesVersion" FROM ${sql.table(scores.table)}
    WHERE ${sql.ref(scores.key)} = ${code}
    ORDER BY month`.execute(db);
  return result.rows;
}

/** A building's units: the unit codes that start with its code (an index range on unit_code). */
const unitsOf = (buildingCode: string, unitCodeColumn: string) =>
  sql<SqlBool>`${sql.ref(unitCodeColumn)} BETWEEN ${`${buildingCode}000000`} AND ${`${buildingCode}999999`}`;

/** The scored households (let units) of a building in one month, in code order. */
export async function householdTiers(db: Kysely<DB>, buildingCode: string, month: string): Promise<HouseholdTier[]> {
  const result = await sql<HouseholdTier>`
    SELECT s.unit_code AS "unitCode", u.floor, u.room, s.score, s.tier
    FROM rental_unit_scores s JOIN units u ON u.code = s.unit_code
    WHERE ${unitsOf(buildingCode, 's.unit_code')} AND s.month = ${month}::date
    ORDER BY s.unit_code`.execute(db);
  return result.rows;
}

/** The last month any household of the building was scored, or null. */
export async function latestHouseholdMonth(db: Kysely<DB>, buildingCode: string): Promise<string | null> {
  const result = await sql<{ month: string | null }>`
    SELECT max(month) AS month FROM rental_unit_scores
    WHERE ${unitsOf(buildingCode, 'unit_code')}`.execute(db);
  return result.rows[0]?.month ?? null;
}

export async function findHouseholdSummary(db: Kysely<DB>, unitCode: string) {
  const row = await db
    .selectFrom('units')
    .select(['code', 'building_code', 'floor', 'room', 'use', 'rental_registered'])
    .where('code', '=', unitCode)
    .executeTakeFirst();
  return row && { code: row.code, buildingCode: row.building_code, floor: row.floor, room: row.room, use: row.use, rentalRegistered: row.rental_registered };
}

export async function findBuildingSummary(db: Kysely<DB>, code: string) {
  const row = await db
    .selectFrom('buildings')
    .select(['code', 'grid_code', 'address', sql<number>`ST_X(point)`.as('lon'), sql<number>`ST_Y(point)`.as('lat')])
    .where('code', '=', code)
    .executeTakeFirst();
  return row && { code: row.code, gridCode: row.grid_code, address: row.address, point: [row.lon, row.lat] as [number, number] };
}

/** The unit a person lives in now (their open stay), if any. */
export async function currentUnitOfPerson(db: Kysely<DB>, personId: number): Promise<string | undefined> {
  const residence = await db.selectFrom('residencies').select('unit_code').where('person_id', '=', personId).where('moved_out', 'is', null).executeTakeFirst();
  return residence?.unit_code;
}

export async function insertPersonFlag(db: Kysely<DB>, flag: Insertable<DB['person_flags']>): Promise<number> {
  const row = await db.insertInto('person_flags').values(flag).returning('id').executeTakeFirstOrThrow();
  return row.id;
}
