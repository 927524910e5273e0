/**
 * The district's layout: a jittered lattice of ~600 m cells cut by an irregular outline. Each
 * kept cell is a base grid; blocks of about 2×2 grids form communities and blocks of
 * communities form streets. Each grid gets a character from spatially coherent noise.
 */
import { formatCodePart } from '../../domain/codes.ts';
import { CELL_SIZE, DISTRICT_CODE, DISTRICT_NAME, ORIGIN, type ScalePlan } from './config.ts';
import { JitteredLattice, makeProjection, polygonWkt, toLonLat, type Projection, type XY } from './geometry.ts';
import { communityNames, ROAD_NAMES, streetName } from './names.ts';
import { ValueNoise } from './noise.ts';
import { rngFor, type Rng } from './random.ts';
import type { AdminArea, Community, Grid, GridKind, Street } from './types.ts';

export interface CityLayout {
  projection: Projection;
  lattice: JitteredLattice;
  district: AdminArea;
  streets: Street[];
  communities: Community[];
  grids: Grid[];
}

interface Cell {
  i: number;
  j: number;
  kind: GridKind;
  care: number;
  street: number;
  community: number;
}

const COMMUNITY_BLOCK = 2;

/** Street blocks in cells (whole community blocks): 3×2 communities, smaller for small districts. */
function streetBlock(cells: number): XY {
  if (cells >= 60) return [6, 4];
  if (cells >= 20) return [4, 4];
  return [4, 2];
}

export function planAreas(seed: number, plan: ScalePlan): CityLayout {
  const rng = rngFor(seed, 'areas');
  const rows = Math.ceil(Math.sqrt(plan.cells * 1.6)) + 3;
  const columns = Math.ceil(rows * 1.2) + 1;
  const lattice = new JitteredLattice(columns, rows, CELL_SIZE, rng);
  const cells = outlineCells(rng, columns, rows, plan.cells);
  assignKinds(rng, cells, columns, rows);
  const block = streetBlock(plan.cells);
  const offset: XY = [rng.int(0, block[0] - 1), rng.int(0, block[1] - 1)];
  groupStreets(cells, block, offset, plan.cells);
  groupCommunities(cells, offset);
  splitLoneStreet(cells);
  return nameAreas(rng, lattice, cells);
}

/** The `count` cells whose centres score lowest against a wobbly star-shaped outline. */
function outlineCells(rng: Rng, columns: number, rows: number, count: number): Cell[] {
  const waves = [2, 3, 5].map((frequency, index) => ({ frequency, amplitude: [0.22, 0.14, 0.08][index]!, phase: rng.float(0, 2 * Math.PI) }));
  const scored: { i: number; j: number; score: number }[] = [];
  for (let j = 0; j < rows; j += 1) {
    for (let i = 0; i < columns; i += 1) {
      const dx = (i + 0.5 - columns / 2) / 1.2;
      const dy = j + 0.5 - rows / 2;
      const angle = Math.atan2(dy, dx);
      const radius = 1 + waves.reduce((sum, wave) => sum + wave.amplitude * Math.sin(wave.frequency * angle + wave.phase), 0);
      scored.push({ i, j, score: Math.hypot(dx, dy) / radius });
    }
  }
  scored.sort((a, b) => a.score - b.score || a.j - b.j || a.i - b.i);
  return scored.slice(0, count).map(({ i, j }) => ({ i, j, kind: 'mixed', care: 0.5, street: -1, community: -1 }));
}

/** Factory zones where the industry noise peaks; villages → shop-houses → mixed → compounds along the old-town noise. */
function assignKinds(rng: Rng, cells: Cell[], columns: number, rows: number): void {
  const oldTown = new ValueNoise(rng, columns, rows, 3.5);
  const industry = new ValueNoise(rng, columns, rows, 4);
  const care = new ValueNoise(rng, columns, rows, 3);
  for (const cell of cells) cell.care = care.at(cell.i + 0.5, cell.j + 0.5);
  const factoryCount = cells.length >= 5 ? Math.max(1, Math.round(cells.length * 0.12)) : 0;
  const byIndustry = [...cells].sort((a, b) => industry.at(b.i + 0.5, b.j + 0.5) - industry.at(a.i + 0.5, a.j + 0.5));
  byIndustry.slice(0, factoryCount).forEach((cell) => (cell.kind = 'factory'));
  const rest = byIndustry.slice(factoryCount).sort((a, b) => oldTown.at(b.i + 0.5, b.j + 0.5) - oldTown.at(a.i + 0.5, a.j + 0.5));
  const shares: [GridKind, number][] = [
    ['urban_village', 0.4],
    ['shop_house', 0.16],
    ['mixed', 0.16],
  ];
  let start = 0;
  for (const [kind, share] of shares) {
    const end = start + Math.max(1, Math.round(rest.length * share));
    rest.slice(start, end).forEach((cell) => (cell.kind = kind));
    start = end;
  }
  rest.slice(start).forEach((cell) => (cell.kind = 'gated'));
}

/** Blocks of `block` cells; `offset` shifts the block boundaries. */
function groupStreets(cells: Cell[], block: XY, offset: XY, total: number): void {
  const keys = cells.map((cell) => `${Math.floor((cell.i + offset[0]) / block[0])},${Math.floor((cell.j + offset[1]) / block[1])}`);
  const streets = denseIndex(keys);
  cells.forEach((cell, index) => (cell.street = streets[index]!));
  const minimum = Math.min(block[0] * block[1] * 0.35, total / 3);
  mergeSmallGroups(
    cells,
    (cell) => cell.street,
    (cell, group) => (cell.street = group),
    minimum,
    () => true,
  );
}

/** Blocks of 2×2 cells aligned with the street blocks, so a street holds whole blocks. */
function groupCommunities(cells: Cell[], offset: XY): void {
  const keys = cells.map(
    (cell) => `${cell.street}:${Math.floor((cell.i + offset[0]) / COMMUNITY_BLOCK)},${Math.floor((cell.j + offset[1]) / COMMUNITY_BLOCK)}`,
  );
  const communities = denseIndex(keys);
  cells.forEach((cell, index) => (cell.community = communities[index]!));
  const streetOf = new Map(cells.map((cell) => [cell.community, cell.street]));
  mergeSmallGroups(
    cells,
    (cell) => cell.community,
    (cell, group) => (cell.community = group),
    2,
    (a, b) => streetOf.get(a) === streetOf.get(b),
  );
}

/** A district has at least two streets when it has two communities: split west from east. */
function splitLoneStreet(cells: Cell[]): void {
  if (new Set(cells.map((cell) => cell.street)).size > 1) return;
  const centres = new Map<number, { sum: number; n: number }>();
  for (const cell of cells) {
    const centre = centres.get(cell.community) ?? { sum: 0, n: 0 };
    centre.sum += cell.i;
    centre.n += 1;
    centres.set(cell.community, centre);
  }
  if (centres.size < 2) return;
  const westToEast = [...centres].sort((a, b) => a[1].sum / a[1].n - b[1].sum / b[1].n || a[0] - b[0]).map(([community]) => community);
  const east = new Set(westToEast.slice(Math.ceil(westToEast.length / 2)));
  for (const cell of cells) cell.street = east.has(cell.community) ? 1 : 0;
}

/** Maps each distinct key to 0, 1, 2… in order of first appearance. */
function denseIndex(keys: string[]): number[] {
  const seen = new Map<string, number>();
  return keys.map((key) => {
    if (!seen.has(key)) seen.set(key, seen.size);
    return seen.get(key)!;
  });
}

/** Folds groups smaller than `minimum` cells into their smallest edge-sharing neighbour group. */
function mergeSmallGroups(
  cells: Cell[],
  groupOf: (cell: Cell) => number,
  setGroup: (cell: Cell, group: number) => void,
  minimum: number,
  mayJoin: (small: number, other: number) => boolean,
): void {
  const at = new Map(cells.map((cell) => [`${cell.i},${cell.j}`, cell]));
  for (let round = 0; round < cells.length; round += 1) {
    const sizes = new Map<number, number>();
    for (const cell of cells) sizes.set(groupOf(cell), (sizes.get(groupOf(cell)) ?? 0) + 1);
    if (sizes.size <= 1) return;
    const small = [...sizes].filter(([, size]) => size < minimum).sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const merged = small.some(([group]) => {
      const neighbours = new Set<number>();
      for (const cell of cells.filter((candidate) => groupOf(candidate) === group)) {
        for (const [di, dj] of [
          [1, 0],
          [-1, 0],
          [0, 1],
          [0, -1],
        ] as const) {
          const other = at.get(`${cell.i + di},${cell.j + dj}`);
          if (other && groupOf(other) !== group && mayJoin(group, groupOf(other))) neighbours.add(groupOf(other));
        }
      }
      const target = [...neighbours].sort((a, b) => sizes.get(a)! - sizes.get(b)! || a - b)[0];
      if (target === undefined) return false;
      for (const cell of cells) if (groupOf(cell) === group) setGroup(cell, target);
      return true;
    });
    if (!merged) return;
  }
}

/** Orders areas north to south, west to east, and gives them codes and names. */
function nameAreas(rng: Rng, lattice: JitteredLattice, cells: Cell[]): CityLayout {
  const projection = makeProjection(ORIGIN[0], ORIGIN[1]);
  const district: AdminArea = { code: DISTRICT_CODE, level: 'district', parentCode: null, name: DISTRICT_NAME };
  const names = communityNames(rng, new Set(cells.map((cell) => cell.community)).size);
  const streets: Street[] = [];
  const communities: Community[] = [];
  const grids: Grid[] = [];
  const streetIds = readingOrder(cells, (cell) => cell.street);
  streetIds.forEach((streetId, streetIndex) => {
    const streetCells = cells.filter((cell) => cell.street === streetId);
    const short = streetName(streetIndex);
    const street: Street = {
      code: DISTRICT_CODE + formatCodePart('street', streetIndex + 1),
      level: 'street',
      parentCode: DISTRICT_CODE,
      name: `${short}街道`,
      shortName: short,
    };
    streets.push(street);
    readingOrder(streetCells, (cell) => cell.community).forEach((communityId, communityIndex) => {
      const short = names[communities.length]!;
      const community: Community = {
        code: street.code + formatCodePart('community', communityIndex + 1),
        level: 'community',
        parentCode: street.code,
        name: `${short}社区`,
        shortName: short,
        streetName: street.name,
        roads: [rng.pick(ROAD_NAMES), rng.pick(ROAD_NAMES), rng.pick(ROAD_NAMES)],
      };
      communities.push(community);
      const gridCells = streetCells.filter((cell) => cell.community === communityId).sort((a, b) => b.j - a.j || a.i - b.i);
      gridCells.forEach((cell, gridIndex) => grids.push(makeGrid(lattice, projection, community, cell, gridIndex + 1)));
    });
  });
  return { projection, lattice, district, streets, communities, grids };
}

function makeGrid(lattice: JitteredLattice, projection: Projection, community: Community, cell: Cell, number: number): Grid {
  const ring = lattice.ring(cell.i, cell.j).map((point) => toLonLat(projection, point));
  return {
    code: community.code + formatCodePart('grid', number),
    communityCode: community.code,
    name: `${community.name}第${number}网格`,
    i: cell.i,
    j: cell.j,
    kind: cell.kind,
    care: cell.care,
    ring,
    wkt: polygonWkt(ring),
    center: lattice.center(cell.i, cell.j),
  };
}

/** Group ids sorted by their mean cell position: rows of two cells from the north, then west to east. */
function readingOrder(cells: Cell[], groupOf: (cell: Cell) => number): number[] {
  const sums = new Map<number, { i: number; j: number; n: number }>();
  for (const cell of cells) {
    const sum = sums.get(groupOf(cell)) ?? { i: 0, j: 0, n: 0 };
    sum.i += cell.i;
    sum.j += cell.j;
    sum.n += 1;
    sums.set(groupOf(cell), sum);
  }
  const key = (sum: { i: number; j: number; n: number }) => [-Math.floor(sum.j / sum.n / 2.5), sum.i / sum.n] as const;
  return [...sums.keys()].sort((a, b) => {
    const [ra, ca] = key(sums.get(a)!);
    const [rb, cb] = key(sums.get(b)!);
    return ra - rb || ca - cb || a - b;
  });
}

export function districtExtent(layout: CityLayout): { center: [number, number]; bbox: [number, number, number, number] } {
  let [minLon, minLat, maxLon, maxLat] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const grid of layout.grids) {
    for (const [lon, lat] of grid.ring) {
      minLon = Math.min(minLon, lon);
      maxLon = Math.max(maxLon, lon);
      minLat = Math.min(minLat, lat);
      maxLat = Math.max(maxLat, lat);
    }
  }
  const mean: XY = [
    layout.grids.reduce((sum, grid) => sum + grid.center[0], 0) / layout.grids.length,
    layout.grids.reduce((sum, grid) => sum + grid.center[1], 0) / layout.grids.length,
  ];
  const [lon, lat] = toLonLat(layout.projection, mean);
  return { center: [Number(lon.toFixed(6)), Number(lat.toFixed(6))], bbox: [minLon, minLat, maxLon, maxLat] };
}
