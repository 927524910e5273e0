/**
 * Rental housing tiers (三色四级). Pure: applies a versioned rule set to one building's facts,
 * month by month, then the overrides of DOMAIN.md, and explains every point. Shared by the
 * server (monthly scoring) and the web app (rule editor, score card).
 */
import { lastDayOfMonth } from './calendar.ts';
import { isRegisteredLate } from './registration-rules.ts';

export const RENTAL_FACTORS = ['tenant_flag', 'case', 'landlord_registration', 'clue', 'doors', 'neighbours', 'hygiene'] as const;
export const PERSON_FLAGS = ['key_person', 'work_target'] as const;
export const CASE_KINDS = ['criminal', 'public_order'] as const;
export const RENTAL_TIERS = ['red', 'yellow', 'green', 'star'] as const;
export const INSPECTOR_ROLES = ['police', 'collector'] as const;
export type RentalFactor = (typeof RENTAL_FACTORS)[number];
export type PersonFlag = (typeof PERSON_FLAGS)[number];
export type CaseKind = (typeof CASE_KINDS)[number];
export type RentalTier = (typeof RENTAL_TIERS)[number];
export type InspectorRole = (typeof INSPECTOR_ROLES)[number];
type ScoreTier = Exclude<RentalTier, 'star'>;

export const BASE_SCORE = 10;
/** Below this score a house is red; from it up to GREEN_FROM yellow; from GREEN_FROM green. */
export const RED_BELOW = 6;
export const GREEN_FROM = 7;
export const STAR_FROM = 9;
export const FORCED_RED_CRIMINAL_CASES = 2;
export const FORCED_RED_WINDOW_MONTHS = 6;
export const RED_RECOVERY_CLEAN_MONTHS = 3;
export const GREEN_CLEAN_WINDOW_MONTHS = 12;
/** Star needs cooperation and a clue within this many months; findings older than it are stale. */
export const LOOKBACK_MONTHS = 12;

/** Days between required visits per tier and visitor; null: that visitor has no fixed schedule. */
export const VISIT_INTERVAL_DAYS: Record<RentalTier, Record<InspectorRole, number | null>> = {
  red: { police: 10, collector: 7 },
  yellow: { police: null, collector: 14 },
  green: { police: null, collector: 30 },
  star: { police: null, collector: 30 },
};

// ---------------------------------------------------------------- rules

export interface RentalRule {
  id: number;
  factor: RentalFactor;
  params: Record<string, unknown>;
  points: number;
  label: string;
  active: boolean;
}

/** Short names of China's provinces, autonomous regions and municipalities (and 港澳台): a rule naming one is a rule on origin. */
const PROVINCE_NAMES = [
  '北京',
  '天津',
  '河北',
  '山西',
  '内蒙古',
  '辽宁',
  '吉林',
  '黑龙江',
  '上海',
  '江苏',
  '浙江',
  '安徽',
  '福建',
  '江西',
  '山东',
  '河南',
  '湖北',
  '湖南',
  '广东',
  '广西',
  '海南',
  '重庆',
  '四川',
  '贵州',
  '云南',
  '西藏',
  '陕西',
  '甘肃',
  '青海',
  '宁夏',
  '新疆',
  '台湾',
  '香港',
  '澳门',
  '东北',
  '潮汕',
  '客家',
] as const;

/**
 * Words that mark a rule on origin (birthplace, hukou province, ethnicity). Profiling by region is
 * unlawful discrimination, so no rule may mention them. Mirrored by CHECKs in sql/0005_rentals.sql and
 * sql/0017_origin_words.sql (tests/api/validation-messages.test.ts checks that every term is in one).
 */
export const ORIGIN_TERMS = [
  'origin',
  'hukou',
  'birth',
  'province',
  'ethnic',
  'nationality',
  'native_place',
  'nativeplace',
  '民族',
  '籍贯',
  '户籍',
  '户口',
  '出生',
  '省份',
  '国籍',
  '地域',
  // Words that single out people from elsewhere, and the provinces a rule could name instead of "origin".
  '外地',
  '外省',
  '外来',
  '老乡',
  '同乡',
  ...PROVINCE_NAMES,
] as const;

/** The first origin term found anywhere in a rule (its factor, parameters or label), if any. */
export function originTermIn(rule: unknown): string | undefined {
  const text = (JSON.stringify(rule) ?? '').toLowerCase();
  return ORIGIN_TERMS.find((term) => text.includes(term));
}

// ---------------------------------------------------------------- months

/** Months are the date of their first day, 'YYYY-MM-01'. */
export function monthOf(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

/** Months since year 0 of a date or month: consecutive months are consecutive numbers. */
const monthNumber = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;

export function addMonths(month: string, count: number): string {
  const target = monthNumber(month) + count;
  return `${Math.floor(target / 12)}-${String((target % 12) + 1).padStart(2, '0')}-01`;
}

/** Every month from `from` to `to`, both included. */
export function monthsBetween(from: string, to: string): string[] {
  const count = monthNumber(to) - monthNumber(from) + 1;
  return Array.from({ length: Math.max(count, 0) }, (_, offset) => addMonths(from, offset));
}

// ---------------------------------------------------------------- facts

export interface CaseFact {
  caseId: number;
  kind: CaseKind;
  occurredOn: string;
}

/** A stay in one of the building's let units, by the month the tenant moved in. */
export interface RegistrationFact {
  residencyId: number;
  movedIn: string;
  registeredAt: string;
}

export interface InspectionFact {
  inspectionId: number;
  visitedOn: string;
  role: InspectorRole;
  doorsOk: boolean | null;
  hygieneGood: boolean | null;
  neighboursGood: boolean | null;
  tenantsRegistered: boolean | null;
  clueGiven: boolean;
}

/** A flagged person's stay in one of the building's let units, cut to the part while flagged. */
export interface FlaggedTenantFact {
  flag: PersonFlag;
  residencyId: number;
  personId: number;
  from: string;
  /** Null: still flagged and still living there. */
  to: string | null;
}

/**
 * The building's access-control (门禁) flag, a standing fact of its record: it counts like a visit
 * that found the doors fine, evidenced on the day the record says so, until a later visit says otherwise.
 */
export interface AccessControlFact {
  recordedOn: string;
}

/** What happened at one building: enough months before the first scored month for every window. */
export interface BuildingFacts {
  cases: CaseFact[];
  registrations: RegistrationFact[];
  inspections: InspectionFact[];
  flaggedTenants: FlaggedTenantFact[];
  /** Absent or null: the building has no access control on record. */
  accessControl?: AccessControlFact | null;
}

export const NO_FACTS: BuildingFacts = { cases: [], registrations: [], inspections: [], flaggedTenants: [] };

// ---------------------------------------------------------------- households (分租)

/**
 * A building is let separately (分租) when this many of its units or more are let. One house code
 * is one household (一户一码), so each let unit of such a building is a rental household scored
 * on its own, besides the building's own score. A building with a single let unit is one rental
 * house: its building score is that household's score, and it gets no separate household score.
 */
export const LET_SEPARATELY_MIN_UNITS = 2;

export function isLetSeparately(letUnitCount: number): boolean {
  return letUnitCount >= LET_SEPARATELY_MIN_UNITS;
}

/** A household's score in one month, as a building's score card and floor plan list them. */
export interface HouseholdTier {
  unitCode: string;
  floor: number;
  room: string;
  score: number;
  tier: RentalTier;
}

/**
 * What a visit to the whole building (no unit named) says about each of its households: the
 * findings shared by everyone living there (anti-theft doors, hygiene, neighbour relations).
 * Whether tenants were registered and whether a clue was given are about one household's
 * landlord, so for a household only visits to its own unit count for them. Null: the visit
 * found nothing shared.
 */
export function sharedFindings(buildingVisit: InspectionFact): InspectionFact | null {
  const { doorsOk, hygieneGood, neighboursGood } = buildingVisit;
  if (doorsOk === null && hygieneGood === null && neighboursGood === null) return null;
  return { ...buildingVisit, tenantsRegistered: null, clueGiven: false };
}

// ---------------------------------------------------------------- explanation

const FINDINGS = { doors: 'doorsOk', hygiene: 'hygieneGood', neighbours: 'neighboursGood' } as const;
type FindingFactor = keyof typeof FINDINGS;

/** Where the events behind a factor are: rows of cases, inspections and residencies (stays). */
export const EVIDENCE_TABLES = ['cases', 'inspections', 'residencies'] as const;
export type EvidenceTable = (typeof EVIDENCE_TABLES)[number];
type EventRef = readonly [EvidenceTable, number];

/**
 * One is stored per building and month, so it names its rule and events by id only; the score
 * card adds the rule's label and the events' dates and findings.
 */
export interface ExplainedFactor extends Partial<Record<EvidenceTable, number[]>> {
  ruleId: number;
  count: number;
  points: number;
  /** How many events there were when a once-a-month factor lists only MAX_SUPPORTING_EVENTS. */
  events?: number;
  /** The latest day its evidence speaks for ('YYYY-MM-DD'): a finding holds until a later one contradicts it. */
  lastEvidencedOn?: string;
  /** Facts of the building's own record that gave the points (e.g. its access control, 门禁). */
  buildingFlags?: BuildingFlag[];
}

export type BuildingFlag = 'has_access_control';

/** A once-a-month factor (e.g. tenants registered on time) names this many of its events at most. */
export const MAX_SUPPORTING_EVENTS = 10;

export type OverrideCode =
  | 'two_criminal_cases_in_6_months'
  | 'red_until_3_clean_months'
  | 'red_recovers_to_yellow_first'
  | 'green_needs_12_months_without_criminal_case';

export interface ScoreWindows {
  criminalCasesThisMonth: number;
  criminalCases6Months: number;
  criminalCases12Months: number;
  /** Landlord registered tenants on time at least once and never late in the last 12 months. */
  cooperative: boolean;
  clueWithin12Months: boolean;
}

/** Stored with each score (whose row holds the score and tier themselves). */
export interface ScoreExplanation {
  base: number;
  /** Every factor that gave points: base + the sum of their points = score. */
  factors: ExplainedFactor[];
  /** The tier the score alone gives, before overrides. */
  scoreTier: ScoreTier;
  previousTier: RentalTier | null;
  /** The overrides that set the tier, in the order applied. */
  overrides: OverrideCode[];
  windows: ScoreWindows;
  cleanMonths: number;
  /** Factors nothing was known about this month (no visit checked them, no new tenant). */
  unobserved: RentalFactor[];
}

export interface MonthScore {
  month: string;
  score: number;
  tier: RentalTier;
  cleanMonths: number;
  explanation: ScoreExplanation;
}

export interface PreviousMonth {
  tier: RentalTier;
  cleanMonths: number;
}

/** A sentence for an override, with the numbers of the month it applied in. */
export function describeOverride(code: OverrideCode, explanation: ScoreExplanation): string {
  const { windows, cleanMonths } = explanation;
  switch (code) {
    case 'two_criminal_cases_in_6_months':
      return `${windows.criminalCases6Months} criminal cases within ${FORCED_RED_WINDOW_MONTHS} months force red`;
    case 'red_until_3_clean_months':
      return `red until ${RED_RECOVERY_CLEAN_MONTHS} clean months in a row (${cleanMonths} so far)`;
    case 'red_recovers_to_yellow_first':
      return 'a red house recovers to yellow before green';
    case 'green_needs_12_months_without_criminal_case':
      return `${windows.criminalCases12Months} criminal case(s) in the last ${GREEN_CLEAN_WINDOW_MONTHS} months: green needs none`;
  }
}

// ---------------------------------------------------------------- observing a month

interface RegistrationConduct {
  outcome: 'on_time' | 'late' | null;
  evidence: EventRef[];
  /** The latest day of its evidence. */
  on: string | null;
}

interface MonthFacts {
  cases: CaseFact[];
  registrations: RegistrationFact[];
  inspections: InspectionFact[];
  criminalCases: number;
  clueGiven: boolean;
}

const noMonthFacts = (): MonthFacts => ({ cases: [], registrations: [], inspections: [], criminalCases: 0, clueGiven: false });
const NO_MONTH_FACTS = noMonthFacts();

/**
 * One building's facts bucketed by month once, so that each month and each 6- or 12-month window
 * is a few lookups rather than a pass over all its facts.
 */
class FactsByMonth {
  private readonly months = new Map<number, MonthFacts>();
  private readonly conduct = new Map<number, RegistrationConduct>();
  readonly flaggedTenants: readonly FlaggedTenantFact[];
  readonly accessControl: AccessControlFact | null;

  constructor(facts: BuildingFacts) {
    this.flaggedTenants = facts.flaggedTenants;
    this.accessControl = facts.accessControl ?? null;
    for (const fact of facts.cases) this.bucket(fact.occurredOn).cases.push(fact);
    for (const fact of facts.registrations) this.bucket(fact.movedIn).registrations.push(fact);
    for (const fact of facts.inspections) this.bucket(fact.visitedOn).inspections.push(fact);
    for (const month of this.months.values()) {
      month.criminalCases = month.cases.filter((fact) => fact.kind === 'criminal').length;
      month.clueGiven = month.inspections.some((inspection) => inspection.clueGiven);
    }
  }

  private bucket(date: string): MonthFacts {
    const index = monthNumber(date);
    let month = this.months.get(index);
    if (!month) {
      month = noMonthFacts();
      this.months.set(index, month);
    }
    return month;
  }

  criminalCasesIn(index: number, span: number): number {
    let total = 0;
    for (let back = 0; back < span; back += 1) total += this.at(index - back).criminalCases;
    return total;
  }

  clueWithin(index: number, span: number): boolean {
    for (let back = 0; back < span; back += 1) if (this.at(index - back).clueGiven) return true;
    return false;
  }

  at(index: number): MonthFacts {
    return this.months.get(index) ?? NO_MONTH_FACTS;
  }

  conductIn(index: number): RegistrationConduct {
    let conduct = this.conduct.get(index);
    if (!conduct) {
      conduct = registrationConduct(this.at(index));
      this.conduct.set(index, conduct);
    }
    return conduct;
  }

  /** The landlord's latest known conduct up to this month: it holds until a later finding says otherwise. */
  latestConduct(index: number): RegistrationConduct {
    for (let back = 0; back < LOOKBACK_MONTHS; back += 1) {
      const conduct = this.conductIn(index - back);
      if (conduct.outcome !== null) return conduct;
    }
    return NO_CONDUCT;
  }
}

const NO_CONDUCT: RegistrationConduct = { outcome: null, evidence: [], on: null };

/** A finding and where it came from: a visit, or the building's record (its access control). */
interface Finding {
  inspection: InspectionFact | null;
  flag?: BuildingFlag;
  value: boolean;
  on: string;
}

interface MonthObservations {
  month: string;
  flaggedTenants: FlaggedTenantFact[];
  cases: CaseFact[];
  registration: RegistrationConduct;
  clues: InspectionFact[];
  findings: Record<FindingFactor, Finding | null>;
}

const inspectionRef = (inspection: InspectionFact): EventRef => ['inspections', inspection.inspectionId];
const residencyRef = (fact: { residencyId: number }): EventRef => ['residencies', fact.residencyId];

/** Late if any new tenant was registered late or a visit found unregistered tenants; on time if evidence says so. */
function registrationConduct(month: MonthFacts): RegistrationConduct {
  const checks = month.inspections.filter((inspection) => inspection.tenantsRegistered !== null);
  // The registration deadline of registration-rules (the stored residencies.registered_late); tenants' exemption is not read here.
  const isLate = (registration: RegistrationFact) => isRegisteredLate(registration.movedIn, registration.registeredAt, false);
  const late = [
    ...month.registrations.filter(isLate).map(residencyRef),
    ...checks.filter((inspection) => inspection.tenantsRegistered === false).map(inspectionRef),
  ];
  const latestDay = (registrations: RegistrationFact[], inspections: InspectionFact[]) =>
    latestOf([...registrations.map((fact) => fact.registeredAt), ...inspections.map((inspection) => inspection.visitedOn)]);
  if (late.length > 0) {
    return {
      outcome: 'late',
      evidence: late,
      on: latestDay(
        month.registrations.filter(isLate),
        checks.filter((check) => check.tenantsRegistered === false),
      ),
    };
  }
  const onTime = [...month.registrations.map(residencyRef), ...checks.map(inspectionRef)];
  return { outcome: onTime.length > 0 ? 'on_time' : null, evidence: onTime, on: latestDay(month.registrations, checks) };
}

const latestOf = (days: readonly string[]): string | null =>
  days.reduce<string | null>((latest, day) => (latest === null || day > latest ? day : latest), null);

/** The latest visit up to the month's end that checked this finding; older than 12 months is stale. */
function latestVisitFinding(byMonth: FactsByMonth, index: number, factor: FindingFactor): Finding | null {
  const key = FINDINGS[factor];
  for (let back = 0; back < LOOKBACK_MONTHS; back += 1) {
    let latest: InspectionFact | null = null;
    for (const inspection of byMonth.at(index - back).inspections) {
      if (inspection[key] === null) continue;
      const later =
        !latest || inspection.visitedOn > latest.visitedOn || (inspection.visitedOn === latest.visitedOn && inspection.inspectionId > latest.inspectionId);
      if (later) latest = inspection;
    }
    if (latest) return { inspection: latest, value: latest[key] as boolean, on: latest.visitedOn };
  }
  return null;
}

/**
 * The latest word on a finding: the latest visit, or for the doors the building's access control
 * (门禁) on record, whichever is later; a visit on or after the day the flag was recorded wins.
 */
function latestFinding(byMonth: FactsByMonth, index: number, factor: FindingFactor): Finding | null {
  const visit = latestVisitFinding(byMonth, index, factor);
  const flag = factor === 'doors' ? byMonth.accessControl : null;
  if (!flag || (visit && visit.on >= flag.recordedOn)) return visit;
  return { inspection: null, flag: 'has_access_control', value: true, on: flag.recordedOn };
}

/** Flagged tenants who lived there while flagged during the month, each person and flag once. */
function flaggedDuring(byMonth: FactsByMonth, month: string): FlaggedTenantFact[] {
  const last = lastDayOfMonth(month);
  const seen = new Set<string>();
  return byMonth.flaggedTenants.filter((tenant) => {
    const key = `${tenant.flag}:${tenant.personId}`;
    if (tenant.from > last || (tenant.to !== null && tenant.to < month) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function observeMonth(byMonth: FactsByMonth, month: string): MonthObservations {
  const index = monthNumber(month);
  const facts = byMonth.at(index);
  return {
    month,
    flaggedTenants: flaggedDuring(byMonth, month),
    cases: facts.cases,
    registration: byMonth.latestConduct(index),
    clues: facts.inspections.filter((inspection) => inspection.clueGiven),
    findings: {
      doors: latestFinding(byMonth, index, 'doors'),
      hygiene: latestFinding(byMonth, index, 'hygiene'),
      neighbours: latestFinding(byMonth, index, 'neighbours'),
    },
  };
}

function observeWindows(byMonth: FactsByMonth, month: string): ScoreWindows {
  const index = monthNumber(month);
  const conduct = Array.from({ length: LOOKBACK_MONTHS }, (_, back) => byMonth.conductIn(index - back).outcome);
  return {
    criminalCasesThisMonth: byMonth.criminalCasesIn(index, 1),
    criminalCases6Months: byMonth.criminalCasesIn(index, FORCED_RED_WINDOW_MONTHS),
    criminalCases12Months: byMonth.criminalCasesIn(index, GREEN_CLEAN_WINDOW_MONTHS),
    cooperative: conduct.includes('on_time') && !conduct.includes('late'),
    clueWithin12Months: byMonth.clueWithin(index, LOOKBACK_MONTHS),
  };
}

// ---------------------------------------------------------------- applying rules

/** What makes a rule apply: its events (or the building's own flags) and the latest day they speak for. */
interface Evidence {
  refs: EventRef[];
  flags: BuildingFlag[];
  on: string | null;
}

const NO_EVIDENCE: Evidence = { refs: [], flags: [], on: null };

function findingEvidence(finding: Finding | null, wanted: unknown): Evidence {
  if (!finding || finding.value !== wanted) return NO_EVIDENCE;
  return { refs: finding.inspection ? [inspectionRef(finding.inspection)] : [], flags: finding.flag ? [finding.flag] : [], on: finding.on };
}

const eventsEvidence = (refs: EventRef[], days: string[]): Evidence => ({ refs, flags: [], on: latestOf(days) });

/** The events that make a rule apply this month; per-event factors count each, the rest apply once. */
function matchingEvidence(rule: RentalRule, seen: MonthObservations): Evidence {
  switch (rule.factor) {
    case 'tenant_flag': {
      const tenants = seen.flaggedTenants.filter((tenant) => tenant.flag === rule.params.flag);
      const monthEnd = lastDayOfMonth(seen.month);
      return eventsEvidence(
        tenants.map(residencyRef),
        tenants.map((tenant) => (tenant.to !== null && tenant.to < monthEnd ? tenant.to : monthEnd)),
      );
    }
    case 'case': {
      const cases = seen.cases.filter((fact) => fact.kind === rule.params.caseKind);
      return eventsEvidence(
        cases.map((fact): EventRef => ['cases', fact.caseId]),
        cases.map((fact) => fact.occurredOn),
      );
    }
    case 'landlord_registration': {
      const { outcome, evidence, on } = seen.registration;
      return outcome === (rule.params.onTime ? 'on_time' : 'late') ? { refs: evidence, flags: [], on } : NO_EVIDENCE;
    }
    case 'clue':
      return eventsEvidence(
        seen.clues.map(inspectionRef),
        seen.clues.map((clue) => clue.visitedOn),
      );
    case 'doors':
      return findingEvidence(seen.findings.doors, rule.params.installed);
    case 'neighbours':
    case 'hygiene':
      return findingEvidence(seen.findings[rule.factor], rule.params.good);
  }
}

const COUNTS_EACH_EVENT = new Set<RentalFactor>(['tenant_flag', 'case']);
const roundTenth = (value: number) => Math.round(value * 10) / 10;

function explainFactor(rule: RentalRule, { refs, flags, on }: Evidence): ExplainedFactor {
  const eachEvent = COUNTS_EACH_EVENT.has(rule.factor);
  const count = eachEvent ? refs.length : 1;
  const factor: ExplainedFactor = { ruleId: rule.id, count, points: roundTenth(rule.points * count) };
  const named = eachEvent ? refs : refs.slice(0, MAX_SUPPORTING_EVENTS);
  if (named.length < refs.length) factor.events = refs.length;
  for (const [table, id] of named) (factor[table] ??= []).push(id);
  if (flags.length > 0) factor.buildingFlags = flags;
  if (on !== null) factor.lastEvidencedOn = on;
  return factor;
}

function applyRules(rules: readonly RentalRule[], seen: MonthObservations): ExplainedFactor[] {
  const factors: ExplainedFactor[] = [];
  for (const rule of rules) {
    if (!rule.active) continue;
    const evidence = matchingEvidence(rule, seen);
    if (evidence.refs.length > 0 || evidence.flags.length > 0) factors.push(explainFactor(rule, evidence));
  }
  return factors;
}

function unobservedFactors(seen: MonthObservations): RentalFactor[] {
  const unknown: RentalFactor[] = (Object.keys(FINDINGS) as FindingFactor[]).filter((factor) => seen.findings[factor] === null);
  if (seen.registration.outcome === null) unknown.push('landlord_registration');
  return unknown;
}

// ---------------------------------------------------------------- tiers

export function tierOfScore(score: number): ScoreTier {
  if (score < RED_BELOW) return 'red';
  return score < GREEN_FROM ? 'yellow' : 'green';
}

export interface TierInput {
  score: number;
  scoreTier: ScoreTier;
  windows: ScoreWindows;
  previousTier: RentalTier | null;
  cleanMonths: number;
}

/**
 * The overrides of DOMAIN.md. A second criminal case within 6 months forces red in the month it
 * happens; a red house stays red until it has 3 clean months (no case, score not red), then
 * passes through yellow; green (and star) need 12 months without a criminal case.
 */
export function decideTier(input: TierInput): { tier: RentalTier; overrides: OverrideCode[] } {
  const { score, scoreTier, windows, previousTier, cleanMonths } = input;
  if (windows.criminalCasesThisMonth > 0 && windows.criminalCases6Months >= FORCED_RED_CRIMINAL_CASES) {
    return { tier: 'red', overrides: ['two_criminal_cases_in_6_months'] };
  }
  if (previousTier === 'red' && scoreTier !== 'red' && cleanMonths < RED_RECOVERY_CLEAN_MONTHS) {
    return { tier: 'red', overrides: ['red_until_3_clean_months'] };
  }
  const overrides: OverrideCode[] = [];
  let tier: RentalTier = scoreTier;
  if (previousTier === 'red' && tier === 'green') {
    tier = 'yellow';
    overrides.push('red_recovers_to_yellow_first');
  }
  if (tier === 'green' && windows.criminalCases12Months > 0) {
    tier = 'yellow';
    overrides.push('green_needs_12_months_without_criminal_case');
  }
  if (tier === 'green' && score >= STAR_FROM && windows.cooperative && windows.clueWithin12Months) tier = 'star';
  return { tier, overrides };
}

function scoreOneMonth(byMonth: FactsByMonth, month: string, rules: readonly RentalRule[], previous: PreviousMonth | null): MonthScore {
  const seen = observeMonth(byMonth, month);
  const factors = applyRules(rules, seen);
  const score = roundTenth(factors.reduce((total, factor) => total + factor.points, BASE_SCORE));
  const scoreTier = tierOfScore(score);
  const windows = observeWindows(byMonth, month);
  const clean = seen.cases.length === 0 && scoreTier !== 'red';
  const cleanMonths = clean ? (previous?.cleanMonths ?? 0) + 1 : 0;
  const previousTier = previous?.tier ?? null;
  const { tier, overrides } = decideTier({ score, scoreTier, windows, previousTier, cleanMonths });
  const explanation: ScoreExplanation = {
    base: BASE_SCORE,
    factors,
    scoreTier,
    previousTier,
    overrides,
    windows,
    cleanMonths,
    unobserved: unobservedFactors(seen),
  };
  return { month, score, tier, cleanMonths, explanation };
}

/**
 * Scores consecutive months of one building, or of one household of a building let separately
 * given only that household's facts (the same rules and overrides). `previous` is the stored
 * result of the month before the first (null when there is none); each month's result is the
 * next one's previous.
 * `facts` must reach back LOOKBACK_MONTHS − 1 months before the first month.
 */
export function scoreBuildingMonths(
  facts: BuildingFacts,
  months: readonly string[],
  rules: readonly RentalRule[],
  previous: PreviousMonth | null,
): MonthScore[] {
  const byMonth = new FactsByMonth(facts);
  const scores: MonthScore[] = [];
  let before = previous;
  for (const month of months) {
    const scored = scoreOneMonth(byMonth, month, rules, before);
    scores.push(scored);
    before = { tier: scored.tier, cleanMonths: scored.cleanMonths };
  }
  return scores;
}
