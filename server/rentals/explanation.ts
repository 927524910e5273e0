import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import {
  describeOverride,
  type BuildingFlag,
  EVIDENCE_TABLES,
  type EvidenceTable,
  type ExplainedFactor,
  type RentalRule,
  type ScoreExplanation,
} from '../domain/rental-scoring.ts';
import { casesById, inspectionsById, staysById, type CaseEvidence, type InspectionEvidence } from './repository/evidence.ts';

/** The events behind a factor as the score card shows them. Person ids only for roles that may see them. */
export type EventDetail =
  | CaseEvidence
  | InspectionEvidence
  | { type: 'stay'; residencyId: number; movedIn: string; registeredAt: string; daysToRegister: number; personId?: number; unitCode?: string };

const BUILDING_FLAG_LABELS: Record<BuildingFlag, string> = { has_access_control: '门禁 (access control on the building record)' };
const buildingFlagDetail = (flag: BuildingFlag) => ({ type: 'building' as const, flag, label: BUILDING_FLAG_LABELS[flag] });

type DetailsById = Record<EvidenceTable, Map<number, EventDetail>>;

const idsIn = (factors: ExplainedFactor[], table: EvidenceTable) => [...new Set(factors.flatMap((factor) => factor[table] ?? []))];
const byId = <Detail extends EventDetail>(rows: Detail[], id: (row: Detail) => number) => new Map<number, EventDetail>(rows.map((row) => [id(row), row]));

async function stayDetails(db: Kysely<DB>, ids: number[], seesPersons: boolean): Promise<Extract<EventDetail, { type: 'stay' }>[]> {
  // Stays are facts about people: roles without person data get neither the events nor their dates.
  if (ids.length === 0 || !seesPersons) return [];
  const rows = await staysById(db, ids);
  return rows.map((row) => ({
    type: 'stay',
    residencyId: row.id,
    movedIn: row.moved_in,
    registeredAt: row.registered_at,
    daysToRegister: row.days,
    personId: row.person_id,
    unitCode: row.unit_code,
  }));
}

async function loadDetails(db: Kysely<DB>, factors: ExplainedFactor[], seesPersons: boolean): Promise<DetailsById> {
  return {
    cases: byId(await casesById(db, idsIn(factors, 'cases')), (row) => row.caseId),
    inspections: byId(await inspectionsById(db, idsIn(factors, 'inspections')), (row) => row.inspectionId),
    residencies: byId(await stayDetails(db, idsIn(factors, 'residencies'), seesPersons), (row) => row.residencyId),
  };
}

/**
 * The stored explanation made readable: each factor with its rule's label, parameters and points,
 * and its events with their dates and findings; each override with a sentence.
 */
export async function readableExplanation(db: Kysely<DB>, stored: ScoreExplanation, rules: RentalRule[], seesPersons: boolean) {
  const details = await loadDetails(db, stored.factors, seesPersons);
  const ruleById = new Map(rules.map((rule) => [rule.id, rule]));
  const factors = stored.factors.map((factor) => {
    const rule = ruleById.get(factor.ruleId);
    const evidence = EVIDENCE_TABLES.flatMap((table) => (factor[table] ?? []).flatMap((id) => details[table].get(id) ?? []));
    // How many tenants a person-based factor counted is a count of people (under k as a rule): withheld.
    const aboutPeople = !seesPersons && (factor.residencies?.length ?? 0) > 0;
    return {
      ruleId: factor.ruleId,
      factor: rule?.factor ?? null,
      label: rule?.label ?? null,
      params: rule?.params ?? null,
      pointsEach: rule?.points ?? null,
      count: aboutPeople ? null : factor.count,
      points: factor.points,
      events: aboutPeople ? null : (factor.events ?? evidence.length),
      evidence: [...evidence, ...(factor.buildingFlags ?? []).map(buildingFlagDetail)],
      // A finding holds until a later one contradicts it: the card says how old the one it rests on is,
      // withheld with the stays when the points rest on people.
      lastEvidencedOn: aboutPeople ? null : (factor.lastEvidencedOn ?? null),
    };
  });
  const overrides = stored.overrides.map((code) => ({ code, message: describeOverride(code, stored) }));
  return { ...stored, factors, overrides };
}
