import type { Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';
import { addDays } from '../domain/calendar.ts';
import { notFound } from '../http/errors.ts';
import { PREFIX_LENGTH } from '../domain/codes.ts';
import { FOUND_UNREGISTERED, percent, roundTo2, type FigureSourceName, type Figures } from '../domain/heatmap-metrics.ts';
import { AREA_LEVELS, type AreaLevel } from '../domain/word-lists.ts';
import { figureSource, privacyThreshold, resolveAsOf, sumOverArea, suppressesSmallCounts, type SourceParams, type TimeFrame } from '../heatmaps/service.ts';
import { checkSums } from './repository.ts';

/**
 * Key indicators (四率 and more) of one area, from the district down to a grid, as of a day.
 * Definitions follow DOMAIN.md; each is returned with its numerator and denominator.
 */
export const DEFAULT_CASE_PERIOD_DAYS = 365;

/** 'checks': the 人户一致 checks of inspections (sql/0009_person_checks.sql), counted directly. */
type KpiSource = Exclude<FigureSourceName, 'rental_tiers'> | 'checks';
type Sums = Record<KpiSource, Figures>;

interface KpiDefinition {
  key: string;
  label: string;
  unit: '%' | 'ratio';
  /** Percent target from DOMAIN.md, where it names one. */
  target: number | null;
  source: KpiSource;
  definition: string;
  /** Numerator and denominator; absent for an indicator whose data this system does not hold. */
  parts?: (sums: Sums) => [number, number];
  /** Why the indicator cannot be computed. */
  unavailable?: string;
  /** Related counts shown beside the figure (never person data), e.g. the rental buildings beside rental houses. */
  beside?: (sums: Sums) => Record<string, number>;
  /** The people the figure is about: leaders see nothing about fewer than k. Absent: not person data. */
  people?: (numerator: number, denominator: number) => number;
}

const ON_DAY = 'people living in the area on asOf (moved_in <= asOf < moved_out, or no move-out)';
const denominatorPeople = (_numerator: number, denominator: number) => denominator;

export const KPIS: KpiDefinition[] = [
  {
    key: 'registration_rate',
    label: '居住登记率',
    unit: '%',
    target: 95,
    source: 'population',
    definition: `floating ${ON_DAY} whose residency was registered on or before asOf ÷ (all floating ${ON_DAY} + ${FOUND_UNREGISTERED})`,
    parts: ({ population }) => [population.floating_registered!, population.floating! + population.floating_found_unregistered!],
    people: denominatorPeople,
  },
  {
    key: 'permit_rate',
    label: '发证率',
    unit: '%',
    target: 90,
    source: 'population',
    definition: `floating ${ON_DAY} holding a residence permit valid on asOf (issued_on <= asOf <= expires_on, not revoked by asOf) ÷ all floating ${ON_DAY} (the eligible)`,
    parts: ({ population }) => [population.floating_permitted!, population.floating!],
    people: denominatorPeople,
  },
  {
    key: 'rental_registration_rate',
    label: '出租登记率',
    unit: '%',
    target: null,
    source: 'units',
    definition: 'rented units registered as rentals ÷ units whose use is rented, in active buildings; current state',
    parts: ({ units }) => [units.registered_rental_units!, units.rented_units!],
  },
  {
    key: 'household_consistency_rate',
    label: '人户一致率',
    unit: '%',
    target: null,
    source: 'checks',
    definition:
      'people checked by inspections in the period (the latest check of each person) who were found living where they were registered on the visit day ÷ people checked',
    parts: ({ checks }) => [checks.consistent!, checks.checked!],
    people: denominatorPeople,
  },
  {
    key: 'responsibility_letter_rate',
    label: '治安责任书签订率',
    unit: '%',
    target: 90,
    source: 'units',
    definition: 'rental buildings (active, with at least one rented unit) with a signed security-responsibility letter ÷ rental buildings; current state',
    parts: ({ units }) => [units.signed_rental_buildings!, units.rental_buildings!],
  },
  {
    key: 'rented_unit_share',
    label: '出租房屋占比',
    unit: '%',
    target: null,
    source: 'units',
    definition:
      'rental houses (let dwellings: each rented unit, and each household of a unit let to several, 分租) ÷ dwellings (units, a unit let to n households counting n), in active buildings; beside: the let units and the rental buildings (buildings with a let unit); current state',
    parts: ({ units }) => [units.rental_houses!, units.units! - units.rented_units! + units.rental_houses!],
    beside: ({ units }) => ({ rentedUnits: units.rented_units!, rentalBuildings: units.rental_buildings! }),
  },
  {
    key: 'occupancy_rate',
    label: '住房入住率',
    unit: '%',
    target: null,
    // The occupied units of the day are kept with the population figures; units are current state.
    source: 'population',
    definition: `units with at least one person living there on asOf (moved_in <= asOf < moved_out, or no move-out) ÷ all units, in active buildings`,
    parts: ({ population, units }) => [population.occupied_units!, units.units!],
  },
  {
    key: 'floating_share',
    label: '流动人口占比',
    unit: '%',
    target: null,
    source: 'population',
    definition: `floating ${ON_DAY} ÷ all ${ON_DAY} (registered, lodging, floating, overseas)`,
    parts: ({ population: p }) => [p.floating!, p.registered! + p.lodging! + p.floating! + p.overseas!],
    people: denominatorPeople,
  },
  {
    key: 'rental_case_share',
    label: '出租屋发案占比',
    unit: '%',
    target: null,
    source: 'cases',
    definition:
      'cases in the period that happened in rental housing (a rented unit, or without a unit a building with a rented unit) ÷ all cases in the period',
    parts: ({ cases }) => [cases.in_rental!, cases.cases!],
  },
  {
    key: 'floating_to_registered_ratio',
    label: '流动人口与户籍人口之比',
    unit: 'ratio',
    target: null,
    source: 'population',
    definition: `floating ${ON_DAY} ÷ registered (local hukou) ${ON_DAY}; the value v reads v : 1`,
    parts: ({ population }) => [population.floating!, population.registered!],
    people: (numerator, denominator) => Math.min(numerator, denominator),
  },
];

export interface Kpi {
  key: string;
  label: string;
  unit: string;
  target: number | null;
  definition: string;
  time: TimeFrame;
  available: boolean;
  reason?: string;
  suppressed?: true;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  beside?: Record<string, number>;
}

export interface KpiRequest extends SourceParams {
  area: string;
}

function levelOfCode(code: string): AreaLevel {
  const level = AREA_LEVELS.find((candidate) => PREFIX_LENGTH[candidate] === code.length);
  if (!level) throw new Error(`no area level has ${code.length}-digit codes`);
  return level;
}

async function areaSums(
  db: Kysely<DB>,
  request: KpiRequest,
  source: Exclude<FigureSourceName, 'rental_tiers'>,
): Promise<{ row: Awaited<ReturnType<typeof sumOverArea>>; time: TimeFrame }> {
  const figures = await figureSource(db, source, request);
  const row = await sumOverArea(db, figures, levelOfCode(request.area), request.area);
  return { row, time: figures.time };
}

function kpiValue(definition: KpiDefinition, numerator: number, denominator: number): number | null {
  if (definition.unit === '%') return percent(numerator, denominator);
  return denominator > 0 ? roundTo2(numerator / denominator) : null;
}

function evaluate(definition: KpiDefinition, sums: Sums, time: TimeFrame, k: number | null): Kpi {
  const base = { key: definition.key, label: definition.label, unit: definition.unit, target: definition.target, definition: definition.definition, time };
  if (!definition.parts) return { ...base, available: false, reason: definition.unavailable, numerator: null, denominator: null, value: null };
  const [numerator, denominator] = definition.parts(sums);
  // Nobody counted (0 of 0, e.g. a month without checks) is no one to protect: the figure has
  // no base, it is not withheld. Any other count of fewer than k people is.
  const nobody = numerator === 0 && denominator === 0;
  if (k !== null && !nobody && definition.people && definition.people(numerator, denominator) < k) {
    return { ...base, available: true, suppressed: true, numerator: null, denominator: null, value: null };
  }
  const beside = definition.beside ? { beside: definition.beside(sums) } : {};
  return { ...base, available: true, numerator, denominator, value: kpiValue(definition, numerator, denominator), ...beside };
}

export interface KpiReport {
  area: { code: string; level: AreaLevel; name: string | null };
  privacy: { k: number; applied: boolean };
  kpis: Kpi[];
}

/** A case figure limited to one kind of case says so in its definition. */
function limitedTo(definition: KpiDefinition, kind: KpiRequest['kind']): KpiDefinition {
  if (!kind || definition.source !== 'cases') return definition;
  return { ...definition, definition: `${definition.definition}; only ${kind === 'criminal' ? 'criminal' : 'public-order'} cases counted` };
}

export async function buildKpis(db: Kysely<DB>, principal: Principal, input: KpiRequest): Promise<KpiReport> {
  const { asOf } = await resolveAsOf(db, input.asOf);
  const request = { ...input, asOf, from: input.from ?? addDays(input.to ?? asOf, 1 - DEFAULT_CASE_PERIOD_DAYS) };
  // One after the other: the embedded engine has a single connection.
  const population = await areaSums(db, request, 'population');
  const units = await areaSums(db, request, 'units');
  const cases = await areaSums(db, request, 'cases');
  if (!population.row) throw notFound('Area', input.area);
  const checks = await checkSums(db, input.area, cases.time);
  const sums: Sums = { population: population.row.figures, units: units.row!.figures, cases: cases.row!.figures, checks };
  const times = { population: population.time, units: units.time, cases: cases.time, checks: cases.time };
  const k = await privacyThreshold(db);
  const applied = suppressesSmallCounts(principal);
  return {
    area: { code: input.area, level: levelOfCode(input.area), name: population.row.name },
    privacy: { k, applied },
    kpis: KPIS.map((definition) => evaluate(limitedTo(definition, input.kind), sums, times[definition.source], applied ? k : null)),
  };
}
