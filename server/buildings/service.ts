import type { Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import { UNIT_USES, type DB, type UnitUse } from '../db/schema.ts';
import { notFound } from '../http/errors.ts';
import type { RentalStatus } from '../domain/word-lists.ts';
import { presentStay, rentalStatusOf, type StayView } from '../person-data/stays.ts';
import { auditPersonReads } from '../person-data/visibility.ts';
import { readBuildingPlan } from './repository.ts';

/**
 * The police drill-down: building → floors → units → current occupants (the data behind a
 * courtyard floor plan). Every person shown is audited.
 */

export interface UnitPlan {
  code: string;
  room: string;
  use: UnitUse;
  rentalStatus: RentalStatus;
  areaM2: number | null;
  occupantCount: number;
  occupants: StayView[];
}

export interface FloorCounts {
  unitCount: number;
  occupiedUnitCount: number;
  occupantCount: number;
  unitsByUse: Record<UnitUse, number>;
  rentals: { registered: number; unregistered: number };
}

function countUnits(units: UnitPlan[]): FloorCounts {
  const unitsByUse = Object.fromEntries(UNIT_USES.map((use) => [use, 0])) as Record<UnitUse, number>;
  const counts: FloorCounts = { unitCount: units.length, occupiedUnitCount: 0, occupantCount: 0, unitsByUse, rentals: { registered: 0, unregistered: 0 } };
  for (const unit of units) {
    unitsByUse[unit.use] += 1;
    counts.occupantCount += unit.occupantCount;
    if (unit.occupantCount > 0) counts.occupiedUnitCount += 1;
    if (unit.rentalStatus !== 'not_rented') counts.rentals[unit.rentalStatus] += 1;
  }
  return counts;
}

/** Floors 1..n of the building plus any basement or extra floor that has units, lowest first. */
function floorNumbers(storeys: number, unitFloors: number[]): number[] {
  const floors = new Set<number>(unitFloors);
  for (let floor = 1; floor <= storeys; floor += 1) floors.add(floor);
  return [...floors].sort((a, b) => a - b);
}

type BuildingRows = Awaited<ReturnType<typeof readBuildingPlan>>;

function unitPlans(units: BuildingRows[1], stays: BuildingRows[2], principal: Principal): (UnitPlan & { floor: number })[] {
  const occupantsByUnit = new Map<string, StayView[]>();
  for (const stay of stays) {
    const list = occupantsByUnit.get(stay.unit_code);
    if (list) list.push(presentStay(stay, principal));
    else occupantsByUnit.set(stay.unit_code, [presentStay(stay, principal)]);
  }
  return units.map((unit) => {
    const occupants = occupantsByUnit.get(unit.code) ?? [];
    return {
      floor: unit.floor,
      code: unit.code,
      room: unit.room,
      use: unit.use,
      rentalStatus: rentalStatusOf(unit.use, unit.rental_registered),
      areaM2: unit.area_m2,
      occupantCount: occupants.length,
      occupants,
    };
  });
}

/**
 * A building's floor plan with the ids of the people it shows, not yet audited: the building
 * drill-down audits it alone, a compound's drill-down (server/compounds) once for all its buildings.
 */
export async function buildingPlan(db: Kysely<DB>, principal: Principal, buildingCode: string) {
  const [building, units, stays] = await readBuildingPlan(db, buildingCode);
  if (!building) throw notFound('Building', buildingCode);
  const plans = unitPlans(units, stays, principal);
  const floors = floorNumbers(
    building.floors,
    units.map((unit) => unit.floor),
  ).map((floor) => {
    const onFloor = plans.filter((plan) => plan.floor === floor).map(({ floor: _floor, ...plan }) => plan);
    return { floor, ...countUnits(onFloor), units: onFloor };
  });
  return { plan: { building, totals: countUnits(plans), floors }, personIds: stays.map((stay) => stay.id) };
}

export type BuildingPlan = Awaited<ReturnType<typeof buildingPlan>>['plan'];

export async function buildingFloorPlan(db: Kysely<DB>, principal: Principal, buildingCode: string, purpose: string) {
  const { plan, personIds } = await buildingPlan(db, principal, buildingCode);
  await auditPersonReads(db, principal, { view: 'building_drilldown', targetType: 'building', targetId: buildingCode }, personIds, purpose);
  return plan;
}
