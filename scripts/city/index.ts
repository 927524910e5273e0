/**
 * Deterministic synthetic city: one district of coded grids, buildings and units, its real
 * population with three years of residency history, permits, cases and collectors. The same
 * seed, scale and `today` always give the same rows.
 */
import { sql, type Kysely } from 'kysely';
import type { DatabaseHandle } from '../../server/db/connection.ts';
import type { DB } from '../../server/db/schema.ts';
import { districtExtent, planAreas, type CityLayout } from './areas.ts';
import { planBuildings } from './buildings.ts';
import { planCases } from './cases.ts';
import { planCollectors, type CollectorPlan } from './collectors.ts';
import { resolveScale, type Scale } from './config.ts';
import { chinaToday } from '../../server/domain/registration-rules.ts';
import { isValidDate } from './dates.ts';
import { planResidencies, type History } from './events.ts';
import { planPeople, type Population } from './people.ts';
import { planPermits } from './permits.ts';
import type { Target } from './insert.ts';
import * as store from './store.ts';
import type { Building, CaseRow, Permit, Unit } from './types.ts';
import { validateCity } from './validate.ts';

export { parseScale, resolveScale, type Scale } from './config.ts';

export interface CityOptions {
  seed: number;
  scale: 'tiny' | 'small' | 'demo' | number;
  /** YYYY-MM-DD; defaults to today in China (Asia/Shanghai), like the application's city_today(). */
  today?: string;
  onProgress?: (step: string, done: number, total: number) => void;
}

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

export interface CityPlan {
  layout: CityLayout;
  buildings: Building[];
  units: Unit[];
  population: Population;
  history: History;
  permits: Permit[];
  cases: CaseRow[];
  staff: CollectorPlan;
}

export interface FirstIds {
  person: number;
  permit: number;
  collector: number;
  /** Next number of permit_number_seq: permits are numbered JZZ + 10 digits like the application's. */
  permitNumber: number;
}

/** Plans every row in memory; no database involved. */
export function planCity(seed: number, scale: Scale, today: string, firstIds: FirstIds = { person: 1, permit: 1, collector: 1, permitNumber: 1 }): CityPlan {
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  if (!isValidDate(today)) throw new Error(`today must be a date YYYY-MM-DD, got ${today}`);
  const plan = resolveScale(scale);
  const layout = planAreas(seed, plan);
  const buildings = planBuildings(seed, layout, plan);
  const units = buildings.flatMap((building) => building.units);
  const population = planPeople(seed, buildings, today, firstIds.person);
  const history = planResidencies(seed, population, buildings, today);
  const permits = planPermits(seed, population.persons, history.spans, today, firstIds.permit, firstIds.permitNumber);
  const cases = planCases(seed, layout, buildings, today);
  const staff = planCollectors(seed, layout, buildings, population.households, today, firstIds.collector);
  return { layout, buildings, units, population, history, permits, cases, staff };
}

export function summarize(plan: CityPlan): CitySummary {
  const { center, bbox } = districtExtent(plan.layout);
  return {
    districts: 1,
    streets: plan.layout.streets.length,
    communities: plan.layout.communities.length,
    grids: plan.layout.grids.length,
    buildings: plan.buildings.length,
    units: plan.units.length,
    persons: plan.population.persons.length,
    residencies: plan.history.residencies.length,
    permits: plan.permits.length,
    cases: plan.cases.length,
    collectors: plan.staff.collectors.length,
    districtCode: plan.layout.district.code,
    center,
    bbox,
  };
}

/** Writes a whole city in one transaction: a failure leaves the database as it was. */
export async function generateCity(handle: DatabaseHandle, options: CityOptions): Promise<CitySummary> {
  const today = options.today ?? chinaToday();
  const report = options.onProgress ?? (() => {});
  const step = (name: string) => (done: number, total: number) => report(name, done, total);
  return handle.db.transaction().execute(async (trx) => {
    await refuseIfNotEmpty(trx);
    report('plan', 0, 1);
    const plan = planCity(options.seed, options.scale, today, await firstIdsIn(trx));
    const summary = summarize(plan);
    report('plan', 1, 1);
    await writeCity({ db: trx, pglite: handle.pglite }, plan, step);
    await validateCity(trx, summary.districtCode, step('validate'));
    report('statistics', 0, 1);
    await store.refreshGridStats(trx, today);
    report('statistics', 1, 1);
    await store.storeSetting(trx, 'demo_city', { seed: options.seed, scale: options.scale, today, generatedAt: new Date().toISOString(), summary });
    return summary;
  });
}

/**
 * Loads the planned rows with the grid-statistics triggers off (refreshGridStats rebuilds the
 * statistics once at the end). PGlite checks foreign keys row by row in slow WASM, so there the
 * load also skips the per-row triggers (session_replication_role = replica) and validateCity
 * checks every reference set-wise afterwards; grids and collector assignments, whose triggers
 * keep other state, are written with triggers on.
 */
async function writeCity(target: Target, plan: CityPlan, step: (name: string) => (done: number, total: number) => void): Promise<void> {
  const { db, pglite } = target;
  await store.storeAreas(target, plan.layout, step('areas'));
  await store.switchGridStatsTriggers(db, false);
  if (pglite) await sql`SET LOCAL session_replication_role = replica`.execute(db);
  await store.storeBuildings(target, plan.buildings, step('buildings'));
  await store.storeUnits(target, plan.units, step('units'));
  await store.storePersons(target, plan.population.persons, step('persons'));
  await store.storeResidencies(target, plan.history.residencies, step('residencies'));
  await store.storePermits(target, plan.permits, step('permits'));
  await store.storeCases(target, plan.cases, step('cases'));
  if (pglite) await sql`SET LOCAL session_replication_role = origin`.execute(db);
  await store.storeCollectors(target, plan.staff.collectors, plan.staff.assignments, step('collectors'));
  await store.switchGridStatsTriggers(db, true);
}

async function firstIdsIn(db: Kysely<DB>): Promise<FirstIds> {
  return {
    person: await store.nextId(db, 'persons'),
    permit: await store.nextId(db, 'permits'),
    collector: await store.nextId(db, 'collectors'),
    permitNumber: await store.nextPermitNumber(db),
  };
}

async function refuseIfNotEmpty(db: Kysely<DB>): Promise<void> {
  const result = await sql<{ any: boolean }>`SELECT EXISTS (SELECT 1 FROM buildings) AS any`.execute(db);
  if (result.rows[0]?.any) {
    throw new Error('the database already has buildings: the city generator only writes into an empty database (use a fresh DATA_DIR or database)');
  }
}
