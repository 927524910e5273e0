/**
 * Units (rooms, flats, shops) of one building: floors and rooms per floor by building kind,
 * and a use for each unit consistent with the kind (villages mostly rented, compounds mostly
 * self-occupied, a share vacant (8% in the demo city), shops on the ground floor of shop-houses).
 */
import { formatCodePart } from '../../domain/codes.ts';
import type { UnitUse } from '../../db/schema.ts';
import { chineseName } from './names.ts';
import type { Rng } from './random.ts';
import type { Building, BuildingKind, Unit } from './types.ts';

interface Layout {
  floors: number;
  /** Rooms on each floor, ground floor first. */
  rooms: number[];
  /** Shops on the ground floor. */
  shops: number;
}

/** Shares of [rented, self-occupied] among units that are neither vacant nor shops. */
const OCCUPANCY: Record<BuildingKind, [number, number]> = {
  village: [0.9, 0.1],
  tower: [0.26, 0.74],
  dorm: [0, 0],
  shop: [0.62, 0.38],
  mixed: [0.48, 0.52],
};

export function makeUnits(rng: Rng, building: Building, care: number, footprintM2: number, vacantShare: number): Unit[] {
  const layout = floorLayout(rng, building.kind);
  const ownerFloor = building.kind === 'village' && rng.chance(0.3) ? layout.floors : -1;
  const units: Unit[] = [];
  for (let floor = 1; floor <= layout.floors; floor += 1) {
    const rooms = layout.rooms[floor - 1]!;
    for (let room = 1; room <= rooms; room += 1) {
      const isShop = floor === 1 && room <= layout.shops;
      const use = building.status === 'demolished' ? 'vacant' : unitUse(rng, building.kind, isShop, floor === ownerFloor && room === 1, vacantShare);
      const code = building.code + formatCodePart('unit', units.length + 1);
      units.push({
        code,
        buildingCode: building.code,
        floor,
        room: String(floor * 100 + room).padStart(4, '0'),
        areaM2: unitArea(rng, building.kind, isShop, footprintM2, rooms),
        use,
        rentalRegistered: use === 'rented' && rng.chance(0.74 + 0.22 * care),
        landlordName: use === 'rented' ? (building.landlordName ?? chineseName(rng, rng.chance(0.5) ? 'M' : 'F')) : null,
      });
    }
  }
  return units;
}

function floorLayout(rng: Rng, kind: BuildingKind): Layout {
  switch (kind) {
    case 'village': {
      // The ground floor is an entrance and storage, or one or two shops.
      const floors = rng.choose([
        [4, 5],
        [5, 4],
        [6, 2],
        [7, 1],
        [8, 1],
      ] as const);
      const perFloor = rng.choose([
        [2, 7],
        [3, 3],
        [4, 1],
      ] as const);
      const shops = rng.chance(0.4) ? rng.int(1, 2) : 0;
      return { floors, rooms: Array.from({ length: floors }, (_, index) => (index === 0 ? shops : perFloor)), shops };
    }
    case 'tower': {
      const floors = rng.choose([
        [8, 3],
        [9, 3],
        [10, 3],
        [11, 3],
        [12, 2],
        [13, 2],
        [14, 2],
        [15, 1],
        [16, 1],
        [17, 1],
        [18, 1],
      ] as const);
      return { floors, rooms: Array.from({ length: floors }, () => 4), shops: 0 };
    }
    case 'dorm': {
      const floors = rng.int(4, 6);
      const perFloor = rng.int(10, 20);
      return { floors, rooms: Array.from({ length: floors }, () => perFloor), shops: 0 };
    }
    case 'shop': {
      const floors = rng.int(2, 4);
      const shops = rng.int(1, 3);
      const perFloor = rng.int(1, 3);
      return { floors, rooms: Array.from({ length: floors }, (_, index) => (index === 0 ? shops : perFloor)), shops };
    }
    case 'mixed': {
      const floors = rng.int(5, 8);
      const shops = rng.int(2, 4);
      const perFloor = rng.int(2, 4);
      return { floors, rooms: Array.from({ length: floors }, (_, index) => (index === 0 ? shops : perFloor)), shops };
    }
  }
}

function unitUse(rng: Rng, kind: BuildingKind, isShop: boolean, isOwners: boolean, vacantShare: number): UnitUse {
  if (isShop) return 'shop';
  if (isOwners) return 'self_occupied';
  if (rng.chance(vacantShare)) return 'vacant';
  if (kind === 'dorm') return 'dormitory';
  const [rented] = OCCUPANCY[kind];
  return rng.chance(rented) ? 'rented' : 'self_occupied';
}

function unitArea(rng: Rng, kind: BuildingKind, isShop: boolean, footprintM2: number, rooms: number): number {
  const share = (footprintM2 * 0.82) / Math.max(1, rooms);
  const [min, max] = isShop ? [15, 90] : kind === 'tower' ? [55, 150] : kind === 'dorm' ? [16, 40] : [12, 120];
  const area = Math.min(max, Math.max(min, share * rng.float(0.85, 1.15)));
  return Math.round(area * 10) / 10;
}
