import type { Kysely } from 'kysely';
import { z } from 'zod';
import { recordAudit } from '../audit/service.ts';
import type { Principal } from '../auth/session.ts';
import type { AuditTargetType } from '../domain/audit-vocabulary.ts';
import { seesPersonData } from '../domain/privacy.ts';
import type { DB } from '../db/schema.ts';
import { isWithinJurisdiction } from '../domain/codes.ts';
import { CASE_KINDS, originTermIn, PERSON_FLAGS } from '../domain/rental-scoring.ts';
import { badRequest, HttpError, notFound } from '../http/errors.ts';
import { bilingual } from '../http/validate.ts';
import { readableExplanation } from './explanation.ts';
import {
  BUILDING_SCORES,
  findBuildingSummary,
  findHouseholdSummary,
  findRuleSet,
  findScore,
  HOUSEHOLD_SCORES,
  currentUnitOfPerson,
  householdTiers,
  insertPersonFlag,
  insertRuleSet,
  latestHouseholdMonth,
  latestRulesVersion,
  latestScoredMonth,
  scoreHistory,
  type RuleSet,
  type ScoreTable,
} from './repository.ts';
import { scheduleOfBuilding } from './repository/schedule.ts';

export { scoreMonths, type ScoringOptions, type ScoringRun } from './scoring.ts';
export { seedDemoRentals, type DemoRentals } from './demo.ts';

/** The month a tier view shows: the one asked for, else the latest scored one (null before any scoring). */
export async function shownScoreMonth(db: Kysely<DB>, asked: string | undefined): Promise<string | null> {
  return asked ?? (await latestScoredMonth(db));
}

/** Roles that may see which person a tenant flag or a late registration is about (by id only). */

// ---------------------------------------------------------------- rule sets

const points = z
  .number()
  .min(-20)
  .max(20)
  .refine((value) => value !== 0, bilingual('points must not be 0', '分值不能为 0'))
  .refine((value) => Math.abs(value * 10 - Math.round(value * 10)) < 1e-9, bilingual('points have at most one decimal', '分值最多一位小数'));

/** What makes a rule the same rule across versions: its factor and parameters (points and label may change). */
const ruleKey = (rule: { factor: string; params: Record<string, unknown> }) => `${rule.factor}:${JSON.stringify(rule.params, Object.keys(rule.params).sort())}`;

const ruleFields = { points, label: z.string().trim().min(1).max(100), active: z.boolean().default(true) };
const onlyParams = <Shape extends z.ZodRawShape>(shape: Shape) => z.strictObject(shape);

const ruleSchema = z.discriminatedUnion('factor', [
  z.object({ factor: z.literal('tenant_flag'), params: onlyParams({ flag: z.enum(PERSON_FLAGS) }), ...ruleFields }),
  z.object({ factor: z.literal('case'), params: onlyParams({ caseKind: z.enum(CASE_KINDS) }), ...ruleFields }),
  z.object({ factor: z.literal('landlord_registration'), params: onlyParams({ onTime: z.boolean() }), ...ruleFields }),
  z.object({ factor: z.literal('clue'), params: onlyParams({}).default({}), ...ruleFields }),
  z.object({ factor: z.literal('doors'), params: onlyParams({ installed: z.boolean() }), ...ruleFields }),
  z.object({ factor: z.literal('neighbours'), params: onlyParams({ good: z.boolean() }), ...ruleFields }),
  z.object({ factor: z.literal('hygiene'), params: onlyParams({ good: z.boolean() }), ...ruleFields }),
]);

const ruleSetShape = z.object({
  note: z.string().trim().max(500).optional(),
  confirm: z
    .boolean()
    .optional()
    .describe('true: publish even though the new version drops rules of the current one (else 409 confirmation_required lists them)'),
  rules: z
    .array(ruleSchema)
    .min(1)
    .max(100)
    .refine(
      (rules) => new Set(rules.map(ruleKey)).size === rules.length,
      bilingual('each factor and parameters may appear once', '每个因素及其参数只能出现一次'),
    ),
});

/**
 * Refuses any rule on origin before anything else, so the answer says why rather than "unknown
 * factor": birthplace, hukou province and ethnicity are never scoring factors.
 */
function refuseOriginRules(body: unknown): void {
  const rules: unknown[] = Array.isArray((body as { rules?: unknown })?.rules) ? (body as { rules: unknown[] }).rules : [];
  rules.forEach((rule, index) => {
    const term = originTermIn(rule);
    if (term === undefined) return;
    throw badRequest(
      'discriminatory_rule',
      `Rule ${index + 1} refers to origin ("${term}"): birthplace, hukou province and ethnicity are never scoring factors, because profiling by region is unlawful discrimination`,
      { field: `rules.${index}`, term },
    );
  });
}

/**
 * A rule set to publish. Its first step refuses origin rules with 400 discriminatory_rule (an
 * HttpError thrown out of the parse, which zod does not catch), before the shape is checked.
 */
export const ruleSetSchema = z.preprocess((body) => {
  refuseOriginRules(body);
  return body;
}, ruleSetShape);

/** Publishes an edited rule set as the next version; earlier scores keep naming the version they used. */
export async function publishRuleSet(db: Kysely<DB>, principal: Principal, input: z.infer<typeof ruleSetSchema>): Promise<RuleSet> {
  return db.transaction().execute(async (trx) => {
    const current = await latestRulesVersion(trx);
    if (!input.confirm) await askBeforeRemoving(trx, current, input.rules);
    const version = current + 1;
    await insertRuleSet(trx, version, input.note ?? null, principal.userId, input.rules);
    await recordAudit(trx, principal, { action: 'create', targetType: 'rental_rule_version', targetId: version, details: { rules: input.rules.length } });
    return (await findRuleSet(trx, version))!;
  });
}

/**
 * A new version replaces the whole table, so one rule sent alone would drop all the others
 * unnoticed: until the admin confirms, answer 409 with the rules it would remove.
 */
async function askBeforeRemoving(db: Kysely<DB>, currentVersion: number, rules: z.infer<typeof ruleSetSchema>['rules']): Promise<void> {
  const kept = new Set(rules.map(ruleKey));
  const removed = ((await findRuleSet(db, currentVersion))?.rules ?? []).filter((rule) => !kept.has(ruleKey(rule)));
  if (removed.length === 0) return;
  throw new HttpError(
    409,
    'confirmation_required',
    `Publishing removes ${removed.length} rule(s) of version ${currentVersion}: ${removed.map((rule) => rule.label).join(', ')}. Send confirm: true to publish anyway`,
    { field: 'rules', version: currentVersion, removed: removed.map(({ id, factor, params, points, label }) => ({ id, factor, params, points, label })) },
  );
}

export async function ruleSet(db: Kysely<DB>, version: number | undefined): Promise<RuleSet> {
  const wanted = version ?? (await latestRulesVersion(db));
  const found = await findRuleSet(db, wanted);
  if (!found) throw notFound('Rule set version', String(wanted));
  return found;
}

// ---------------------------------------------------------------- score cards

const AUDIT_TARGET: Record<ScoreTable['table'], AuditTargetType> = { rental_scores: 'rental_score', rental_unit_scores: 'rental_unit_score' };

/**
 * What every score card shows, for a building or a household: the score of one month (default:
 * the latest) with the explanation of every point, and the whole history. Reads by police and
 * collectors, who see which persons the events are about, are audited.
 */
async function scoreOfMonth(db: Kysely<DB>, principal: Principal, scores: ScoreTable, code: string, month: string | undefined, what: string) {
  const score = await findScore(db, scores, code, month ?? null);
  if (!score) throw notFound(what, month ? `${code} for ${month.slice(0, 7)}` : code);
  const seesPersons = seesPersonData(principal);
  const { rules } = await ruleSet(db, score.rulesVersion);
  if (seesPersons) {
    await recordAudit(db, principal, {
      action: 'read',
      targetType: AUDIT_TARGET[scores.table],
      targetId: code,
      details: { month: score.month },
    });
  }
  return {
    month: score.month,
    score: score.score,
    tier: score.tier,
    star: score.tier === 'star',
    rulesVersion: score.rulesVersion,
    computedAt: score.computedAt,
    explanation: await readableExplanation(db, score.explanation, rules, seesPersons),
    history: await scoreHistory(db, scores, code),
  };
}

/** A building's score card, its visit schedule and the tiers of its households that month (分租: else none). */
export async function scoreCard(db: Kysely<DB>, principal: Principal, code: string, month: string | undefined) {
  const building = await findBuildingSummary(db, code);
  if (!building) throw notFound('Building', code);
  const scored = await scoreOfMonth(db, principal, BUILDING_SCORES, code, month, 'Rental score of building');
  const schedule = await scheduleOfBuilding(db, code);
  return {
    building,
    ...scored,
    schedule: schedule && {
      tier: schedule.tier,
      policeIntervalDays: schedule.police_interval_days,
      collectorIntervalDays: schedule.collector_interval_days,
      lastPoliceVisit: schedule.last_police_visit,
      lastCollectorVisit: schedule.last_collector_visit,
      policeDueOn: schedule.police_due_on,
      collectorDueOn: schedule.collector_due_on,
    },
    households: await householdTiers(db, code, scored.month),
  };
}

/** The tiers of a building's households in one month (default: the latest they were scored); none unless it is let separately. */
export async function householdsOfBuilding(db: Kysely<DB>, code: string, month: string | undefined) {
  const building = await findBuildingSummary(db, code);
  if (!building) throw notFound('Building', code);
  const shown = month ?? (await latestHouseholdMonth(db, code));
  return { building: building.code, month: shown, households: shown ? await householdTiers(db, code, shown) : [] };
}

/** A household's (let unit's) score card: scored only where its building is let separately. */
export async function householdScoreCard(db: Kysely<DB>, principal: Principal, unitCode: string, month: string | undefined) {
  const unit = await findHouseholdSummary(db, unitCode);
  if (!unit) throw notFound('Unit', unitCode);
  const building = await findBuildingSummary(db, unit.buildingCode);
  const scored = await scoreOfMonth(db, principal, HOUSEHOLD_SCORES, unitCode, month, 'Rental score of household');
  return { unit, building, ...scored };
}

// ---------------------------------------------------------------- person flags

export interface PersonFlagInput {
  personId: number;
  flag: (typeof PERSON_FLAGS)[number];
  fromDate: string;
  toDate?: string;
}

/** Police flag a person living in their jurisdiction as a key person or work target, for a period. */
export async function flagPerson(db: Kysely<DB>, principal: Principal, input: PersonFlagInput): Promise<{ id: number }> {
  const unitCode = await currentUnitOfPerson(db, input.personId);
  if (!unitCode || !isWithinJurisdiction(unitCode, principal.jurisdiction)) throw notFound('Person', String(input.personId));
  return db.transaction().execute(async (trx) => {
    const id = await insertPersonFlag(trx, {
      person_id: input.personId,
      flag: input.flag,
      from_date: input.fromDate,
      to_date: input.toDate ?? null,
      created_by: principal.userId,
    });
    await recordAudit(trx, principal, { action: 'create', targetType: 'person_flag', targetId: input.personId, details: { flag: input.flag, flagId: id } });
    return { id };
  });
}
