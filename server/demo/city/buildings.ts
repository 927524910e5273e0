/**
 * Buildings: each grid gets a number of buildings and a mix of kinds from its character. They
 * sit on a sub-lattice of slots inside the cell, each footprint small enough to stay clear of
 * its neighbours, lined up with the cell's axis.
 */
import { formatCodePart } from '../../domain/codes.ts';
import type { BuildingUse, ManagementMode } from '../../db/schema.ts';
import type { CityLayout } from './areas.ts';
import type { ScalePlan } from './config.ts';
import { distance, polygonWkt, rectangle, toLonLat, type XY } from './geometry.ts';
import { chineseName, chineseNumber, estateName, factoryName, mobilePhone, VILLAGE_QUARTERS } from './names.ts';
import { rngFor, type Rng } from './random.ts';
import type { Building, BuildingKind, Community, Grid, GridKind } from './types.ts';
import { makeUnits } from './units.ts';

interface GridPlan {
  buildings: number;
  mix: [BuildingKind, number][];
}

const GRID_PLANS: Record<GridKind, GridPlan> = {
  urban_village: {
    buildings: 70,
    mix: [
      ['village', 0.86],
      ['shop', 0.1],
      ['mixed', 0.04],
    ],
  },
  gated: {
    buildings: 10,
    mix: [
      ['tower', 0.7],
      ['shop', 0.18],
      ['mixed', 0.12],
    ],
  },
  factory: {
    buildings: 20,
    mix: [
      ['dorm', 0.3],
      ['village', 0.35],
      ['shop', 0.35],
    ],
  },
  shop_house: {
    buildings: 50,
    mix: [
      ['shop', 0.62],
      ['village', 0.3],
      ['mixed', 0.08],
    ],
  },
  mixed: {
    buildings: 30,
    mix: [
      ['mixed', 0.35],
      ['tower', 0.1],
      ['village', 0.3],
      ['shop', 0.25],
    ],
  },
};

interface KindProfile {
  use: BuildingUse;
  modes: [ManagementMode, number][];
  /** Footprint sides in metres: [min, max] along the street, [min, max] across. */
  width: [number, number];
  depth: [number, number];
  /** Base chance of access-card doors, video, signed responsibility letter. */
  flags: [number, number, number];
}

const PROFILES: Record<BuildingKind, KindProfile> = {
  village: {
    use: 'urban_village',
    modes: [
      ['patrol', 0.88],
      ['hotel', 0.06],
      ['property', 0.06],
    ],
    width: [10, 16],
    depth: [10, 18],
    flags: [0.55, 0.6, 0.68],
  },
  tower: {
    use: 'residential',
    modes: [
      ['gated', 0.65],
      ['property', 0.35],
    ],
    width: [22, 34],
    depth: [18, 26],
    flags: [0.95, 0.97, 0.93],
  },
  dorm: { use: 'factory_dormitory', modes: [['employer', 1]], width: [30, 40], depth: [12, 16], flags: [0.85, 0.9, 0.92] },
  shop: {
    use: 'shop_house',
    modes: [
      ['patrol', 0.85],
      ['hotel', 0.1],
      ['property', 0.05],
    ],
    width: [8, 14],
    depth: [12, 20],
    flags: [0.35, 0.55, 0.7],
  },
  mixed: {
    use: 'mixed',
    modes: [
      ['property', 0.55],
      ['patrol', 0.35],
      ['hotel', 0.1],
    ],
    width: [16, 28],
    depth: [16, 28],
    flags: [0.75, 0.8, 0.82],
  },
};

const SLOT_MARGIN = 0.13;
const SLOT_OCCUPANCY = 0.72;
const DEMOLISHED_SHARE = 0.01;

/** The buildings (with their units) of each grid in turn, in code order. */
export function* buildingsByGrid(seed: number, layout: CityLayout, plan: ScalePlan): Generator<Building[]> {
  const rng = rngFor(seed, 'buildings');
  const communities = new Map(layout.communities.map((community) => [community.code, community]));
  const counters = new Map<string, number>();
  for (const grid of layout.grids) {
    const namer = new AddressNamer(rng, grid, communities.get(grid.communityCode)!, counters);
    yield gridBuildings(rng, layout, grid, namer, plan);
  }
}

interface Slot {
  column: number;
  row: number;
  position: XY;
  /** Distance to the nearest neighbouring slot, metres. */
  spacing: number;
}

function gridBuildings(rng: Rng, layout: CityLayout, grid: Grid, namer: AddressNamer, plan: ScalePlan): Building[] {
  const gridPlan = GRID_PLANS[grid.kind];
  const count = Math.max(3, Math.round(gridPlan.buildings * plan.density * rng.float(0.85, 1.15)));
  const slots = chooseSlots(rng, layout, grid, count);
  const employers = [factoryName(rng), factoryName(rng)];
  return slots.map((slot, index) => {
    const kind = rng.choose(gridPlan.mix);
    const code = grid.code + formatCodePart('building', index + 1);
    const employer = kind === 'dorm' ? employers[slot.row % 2]! : null;
    return makeBuilding(rng, layout, grid, { code, kind, slot, address: namer.address(kind, slot, employer), employer }, plan.vacantShare);
  });
}

/** `count` slots of a k×k sub-lattice of the cell, numbered north to south, west to east. */
function chooseSlots(rng: Rng, layout: CityLayout, grid: Grid, count: number): Slot[] {
  const k = Math.ceil(Math.sqrt(count / SLOT_OCCUPANCY));
  const step = (1 - 2 * SLOT_MARGIN) / k;
  const at = (column: number, row: number): XY =>
    layout.lattice.bilinear(grid.i, grid.j, SLOT_MARGIN + (column + 0.5) * step, SLOT_MARGIN + (row + 0.5) * step);
  const all: Slot[] = [];
  for (let row = 0; row < k; row += 1) {
    for (let column = 0; column < k; column += 1) {
      const position = at(column, row);
      let spacing = Infinity;
      for (const [dc, dr] of [
        [1, 0],
        [-1, 0],
        [0, 1],
        [0, -1],
        [1, 1],
        [1, -1],
        [-1, 1],
        [-1, -1],
      ] as const) {
        spacing = Math.min(spacing, distance(position, at(column + dc, row + dr)));
      }
      all.push({ column, row, position, spacing });
    }
  }
  return rng
    .shuffle(all)
    .slice(0, count)
    .sort((a, b) => b.row - a.row || a.column - b.column);
}

interface BuildingSeed {
  code: string;
  kind: BuildingKind;
  slot: Slot;
  address: string;
  employer: string | null;
}

function makeBuilding(rng: Rng, layout: CityLayout, grid: Grid, seed: BuildingSeed, vacantShare: number): Building {
  const profile = PROFILES[seed.kind];
  const { slot } = seed;
  const shift = slot.spacing * 0.08;
  const center: XY = [slot.position[0] + rng.float(-shift, shift), slot.position[1] + rng.float(-shift, shift)];
  let width = rng.float(...profile.width);
  let depth = rng.float(...profile.depth);
  const fit = (slot.spacing * 0.4) / (Math.hypot(width, depth) / 2);
  if (fit < 1) [width, depth] = [width * fit, depth * fit];
  const angle = layout.lattice.axisAngle(grid.i, grid.j) + rng.normal(0, 0.07);
  const footprint = rectangle(center, width, depth, angle).map((point) => toLonLat(layout.projection, point));
  const [access, video, letter] = profile.flags.map((base) => rng.chance(Math.min(0.99, Math.max(0.05, base + (grid.care - 0.5) * 0.3))));
  const landlord = landlordOf(rng, seed.kind, seed.employer);
  const building: Building = {
    code: seed.code,
    gridCode: grid.code,
    kind: seed.kind,
    address: seed.address,
    floors: 0,
    use: profile.use,
    mode: rng.choose(profile.modes),
    hasAccessControl: access!,
    hasVideo: video!,
    letterSigned: letter!,
    landlordName: landlord.name,
    landlordPhone: landlord.phone,
    status: rng.chance(DEMOLISHED_SHARE) ? 'demolished' : 'active',
    point: toLonLat(layout.projection, center),
    footprintWkt: polygonWkt(footprint),
    position: center,
    employer: seed.employer,
    units: [],
  };
  building.units = makeUnits(rng, building, grid.care, Math.round(width * depth), vacantShare);
  building.floors = Math.max(...building.units.map((unit) => unit.floor));
  return building;
}

function landlordOf(rng: Rng, kind: BuildingKind, employer: string | null): { name: string | null; phone: string | null } {
  if (kind === 'tower') return { name: null, phone: null };
  if (kind === 'dorm') return { name: employer, phone: mobilePhone(rng) };
  return { name: chineseName(rng, rng.chance(0.7) ? 'M' : 'F'), phone: mobilePhone(rng) };
}

/**
 * Door-plate addresses: village lanes (巷), numbered road frontage (号), estates (栋). Numbers
 * run per community, so two grids of one community never share an address.
 */
class AddressNamer {
  private readonly prefix: string;
  private readonly estate: string;
  private readonly gridNumber: number;

  constructor(
    rng: Rng,
    grid: Grid,
    private readonly community: Community,
    private readonly counters: Map<string, number>,
  ) {
    this.prefix = `${community.streetName}${community.name}`;
    this.estate = estateName(rng);
    this.gridNumber = Number(grid.code.slice(-2));
  }

  address(kind: BuildingKind, slot: Slot, employer: string | null): string {
    if (kind === 'village') {
      const quarter = VILLAGE_QUARTERS[(this.gridNumber - 1) % VILLAGE_QUARTERS.length]!;
      const round = this.gridNumber > VILLAGE_QUARTERS.length ? String(Math.ceil(this.gridNumber / VILLAGE_QUARTERS.length)) : '';
      const lane = `${this.community.shortName}${quarter}${round}${chineseNumber(slot.row + 1)}巷`;
      return `${this.prefix}${lane}${this.next(lane, 1)}号`;
    }
    if (kind === 'tower') return `${this.prefix}${this.estate}${this.next(`estate${this.estate}`, 1)}栋`;
    const road = this.community.roads[slot.row % this.community.roads.length]!;
    const number = this.next(`road${road}`, 2);
    if (kind === 'dorm') return `${this.prefix}${road}${number}号${employer ?? ''}宿舍`;
    return `${this.prefix}${road}${number}号`;
  }

  private next(key: string, step: number): number {
    const fullKey = `${this.community.code}|${key}`;
    const value = (this.counters.get(fullKey) ?? 0) + step;
    this.counters.set(fullKey, value);
    return value;
  }
}
