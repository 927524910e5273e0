import type { Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';
import { countOfPeopleFor, seesPersonData } from '../domain/privacy.ts';
import { percent } from '../domain/heatmap-metrics.ts';
import { privacyThreshold } from '../heatmaps/service.ts';
import { notFound } from '../http/errors.ts';
import { visiblePrefixes } from '../http/jurisdiction.ts';
import { buildingPlan, type BuildingPlan, type FloorCounts } from '../buildings/service.ts';
import { auditPersonReads } from '../person-data/visibility.ts';
import { compoundFigures, compoundOutlines, memberBuildings, type CompoundFigures } from './repository.ts';

/**
 * Compounds (小区 / 院落): the courtyard view of the field reports. Lists with totals and the
 * occupancy rate (occupied units ÷ units) for anyone who reads figures; the drill-down
 * (buildings → floors → units → occupants) shows people to police and collectors only, with the
 * building drill-down's masking, in one audit row per request. Leaders and planners get the same
 * plan without people, counts of fewer than k residents withheld.
 */

export interface CompoundView extends Omit<CompoundFigures, 'residents'> {
  /** null: fewer than k people, for a caller who works with aggregates. */
  residents: number | null;
  /** Occupied units ÷ units, in percent (2 decimals); null for a compound without units. */
  occupancyRate: number | null;
}

function viewOf(figures: CompoundFigures, principal: Principal, k: number): CompoundView {
  return { ...figures, residents: countOfPeopleFor(principal, figures.residents, k), occupancyRate: percent(figures.occupiedUnits, figures.units) };
}

/** The compounds inside `within` (default: the caller's whole jurisdiction), checked by the route to lie inside it. */
export async function listCompounds(db: Kysely<DB>, principal: Principal, within: string | undefined) {
  const jurisdiction = visiblePrefixes(principal);
  const [rows, k] = await Promise.all([compoundFigures(db, jurisdiction, within === undefined ? jurisdiction : [within]), privacyThreshold(db)]);
  return { within: within ?? null, compounds: rows.map((row) => viewOf(row, principal, k)) };
}

export async function compoundOutlineCollection(db: Kysely<DB>, principal: Principal) {
  const jurisdiction = visiblePrefixes(principal);
  return { type: 'FeatureCollection' as const, features: await compoundOutlines(db, jurisdiction, jurisdiction) };
}

/** A floor plan as a caller who works with aggregates may see it: no people, small counts withheld. */
function aggregatePlan(plan: BuildingPlan, principal: Principal, k: number) {
  const counts = <C extends FloorCounts>(figures: C) => ({ ...figures, occupantCount: countOfPeopleFor(principal, figures.occupantCount, k) });
  return {
    building: plan.building,
    totals: counts(plan.totals),
    floors: plan.floors.map(({ units, ...floor }) => ({
      ...counts(floor),
      units: units.map(({ occupants: _people, occupantCount, ...unit }) => ({ ...unit, occupied: occupantCount > 0 })),
    })),
  };
}

/**
 * One compound's drill-down. `purpose` is required (by the route) of callers who see people; the
 * people shown are audited once, with the compound as target and every person's id.
 */
export async function compoundDrilldown(db: Kysely<DB>, principal: Principal, code: string, purpose: string | undefined) {
  const jurisdiction = visiblePrefixes(principal);
  const [figures] = await compoundFigures(db, jurisdiction, jurisdiction, code);
  if (!figures) throw notFound('Compound', code);
  const k = await privacyThreshold(db);
  const plans: BuildingPlan[] = [];
  const personIds: number[] = [];
  for (const buildingCode of await memberBuildings(db, code, jurisdiction)) {
    const { plan, personIds: shown } = await buildingPlan(db, principal, buildingCode);
    plans.push(plan);
    personIds.push(...shown);
  }
  const { code: _code, name, communityCode, ...totals } = viewOf(figures, principal, k);
  const compound = { code, name, communityCode };
  if (!seesPersonData(principal)) return { compound, totals, buildings: plans.map((plan) => aggregatePlan(plan, principal, k)) };
  await auditPersonReads(
    db,
    principal,
    {
      view: 'compound_drilldown',
      targetType: 'compound',
      targetId: code,
      details: { buildings: plans.map((plan) => plan.building.code) },
    },
    personIds,
    purpose ?? '',
  );
  return { compound, totals, buildings: plans };
}
