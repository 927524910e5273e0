/**
 * Criminal and public-order cases over the last three years, clustered in space (a few
 * hotspots, mostly in urban villages) and in time (seasons, a slow downward trend and a few
 * bursts such as a run of burglaries in one neighbourhood).
 */
import type { CityLayout } from './areas.ts';
import { HISTORY_DAYS } from './config.ts';
import { fromDays, toDays } from './dates.ts';
import { distance, toLonLat, type XY } from './geometry.ts';
import { rngFor, WeightedTable, type Rng } from './random.ts';
import type { CityRegister } from './register.ts';
import type { BuildingKind, CaseRow, Grid, GridKind, Site } from './types.ts';

/** Bursts are mostly criminal, so the base share is a little under the overall 25%. */
const CRIMINAL_SHARE = 0.22;
/** Share of cases inside a building: 0.53 here, more for burglaries and noise, about 60% overall. */
const INSIDE_SHARE = 0.53;

const CRIMINAL: readonly (readonly [string, number])[] = [
  ['盗窃', 0.42],
  ['入室盗窃', 0.12],
  ['电信诈骗', 0.15],
  ['诈骗', 0.1],
  ['抢夺', 0.05],
  ['故意伤害', 0.07],
  ['贩卖毒品', 0.04],
  ['抢劫', 0.03],
  ['强制猥亵', 0.02],
];
const PUBLIC_ORDER: readonly (readonly [string, number])[] = [
  ['打架斗殴', 0.2],
  ['噪音扰民', 0.18],
  ['治安纠纷', 0.18],
  ['盗窃', 0.12],
  ['赌博', 0.09],
  ['寻衅滋事', 0.07],
  ['醉酒滋事', 0.06],
  ['违规出租', 0.05],
  ['卖淫嫖娼', 0.03],
  ['损毁财物', 0.02],
];
/** Cases are reported at night and in the evening more than in the morning. */
const HOUR_WEIGHTS = [5, 4, 4, 3, 2, 1, 1, 1, 2, 3, 3, 3, 4, 3, 3, 3, 4, 4, 5, 6, 7, 7, 7, 6];
/** January … December. */
const MONTH_WEIGHTS = [1.15, 1.2, 0.9, 0.9, 1.0, 1.1, 1.2, 1.2, 1.0, 0.95, 0.95, 1.1];
const GRID_WEIGHTS: Record<GridKind, number> = { urban_village: 3, shop_house: 2, factory: 1.6, mixed: 1.2, gated: 0.4 };
const BUILDING_WEIGHTS: Record<BuildingKind, number> = { village: 3, shop: 2.5, mixed: 2, dorm: 1.5, tower: 1 };

interface Hotspot {
  center: XY;
  sigma: number;
  strength: number;
}

interface Burst {
  grid: Grid;
  start: number;
  days: number;
  category: string;
}

export function planCases(seed: number, layout: CityLayout, register: CityRegister, today: string, casesPerBuilding: number): CaseRow[] {
  const rng = rngFor(seed, 'cases');
  const clock = { today: toDays(today), start: toDays(today) - HISTORY_DAYS };
  const hotspots = pickHotspots(rng, layout);
  const places = new CasePlaces(register, hotspots);
  const gridWeights = layout.grids.map((grid) => GRID_WEIGHTS[grid.kind] * (1 + heat(hotspots, grid.center)) * Math.sqrt(places.buildingsIn(grid) + 1));
  // Drawn once per case: bisection over the running sums instead of a walk over every grid.
  const gridTable = new WeightedTable(layout.grids.map((grid, index) => [grid, gridWeights[index]!] as const));
  const total = Math.max(10, Math.round(register.sites.length * casesPerBuilding));
  const bursts = Array.from(
    { length: rng.int(3, 5) },
    (): Burst => ({
      grid: gridTable.draw(rng),
      start: rng.int(clock.start, clock.today - 30),
      days: rng.int(7, 21),
      category: rng.pick(['入室盗窃', '盗窃', '电信诈骗']),
    }),
  );
  const burstCases = Math.round(total * 0.02) * bursts.length;
  const cases: Omit<CaseRow, 'caseNo'>[] = [];
  for (let index = 0; index < total - burstCases; index += 1) {
    const grid = gridTable.draw(rng);
    const criminal = rng.chance(CRIMINAL_SHARE);
    const category = rng.choose(criminal ? CRIMINAL : PUBLIC_ORDER);
    cases.push(place(rng, layout, grid, places, seasonalDay(rng, clock), criminal, category));
  }
  for (let index = 0; index < burstCases; index += 1) {
    const burst = bursts[index % bursts.length]!;
    const day = Math.min(clock.today - 1, burst.start + rng.int(0, burst.days));
    cases.push(place(rng, layout, burst.grid, places, day, burst.category !== '盗窃' || rng.chance(0.5), burst.category));
  }
  return numberCases(cases);
}

/**
 * The standing buildings of each grid with the weight of a case happening inside each (its kind
 * and the hotspots around it), worked out the first time a case lands in the grid.
 */
class CasePlaces {
  private readonly byGrid = new Map<string, Site[]>();
  private readonly weights = new Map<string, number[]>();

  constructor(
    readonly register: CityRegister,
    private readonly hotspots: Hotspot[],
  ) {
    for (const site of register.sites) {
      if (site.status !== 'active') continue;
      const list = this.byGrid.get(site.gridCode);
      if (list) list.push(site);
      else this.byGrid.set(site.gridCode, [site]);
    }
  }

  buildingsIn(grid: Grid): number {
    return this.byGrid.get(grid.code)?.length ?? 0;
  }

  candidates(grid: Grid): { sites: Site[]; weights: number[] } {
    const sites = this.byGrid.get(grid.code) ?? [];
    let weights = this.weights.get(grid.code);
    if (!weights) {
      weights = sites.map((site) => BUILDING_WEIGHTS[site.kind] * (1 + heat(this.hotspots, site.position)));
      this.weights.set(grid.code, weights);
    }
    return { sites, weights };
  }
}

function pickHotspots(rng: Rng, layout: CityLayout): Hotspot[] {
  const count = Math.max(2, Math.round(layout.grids.length / 25));
  const weights = layout.grids.map((grid) => (grid.kind === 'urban_village' ? 6 : grid.kind === 'gated' ? 0.3 : 1.5));
  return Array.from({ length: count }, () => {
    const grid = rng.weighted(layout.grids, weights);
    return { center: [grid.center[0] + rng.float(-150, 150), grid.center[1] + rng.float(-150, 150)], sigma: rng.float(350, 700), strength: rng.float(1.5, 3) };
  });
}

function heat(hotspots: Hotspot[], point: XY): number {
  return hotspots.reduce((sum, spot) => sum + spot.strength * Math.exp(-(distance(point, spot.center) ** 2) / (2 * spot.sigma ** 2)), 0);
}

/** A day in the window, more likely in busy months and earlier years (cases slowly decline). */
function seasonalDay(rng: Rng, clock: { today: number; start: number }): number {
  for (;;) {
    const day = rng.int(clock.start, clock.today - 1);
    const month = Number(fromDays(day).slice(5, 7)) - 1;
    const trend = 1.12 - (0.24 * (day - clock.start)) / (clock.today - clock.start);
    if (rng.next() * 1.2 * 1.12 < MONTH_WEIGHTS[month]! * trend) return day;
  }
}

function place(rng: Rng, layout: CityLayout, grid: Grid, places: CasePlaces, day: number, criminal: boolean, category: string): Omit<CaseRow, 'caseNo'> {
  const hour = rng.weightedIndex(HOUR_WEIGHTS);
  const time = `${String(hour).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}`;
  const base = {
    kind: criminal ? ('criminal' as const) : ('public_order' as const),
    category,
    occurredAt: `${fromDays(day)} ${time}+08:00`,
    gridCode: grid.code,
  };
  const candidates = places.candidates(grid);
  const inside = category === '噪音扰民' || category === '入室盗窃' || category === '违规出租' ? 0.95 : INSIDE_SHARE;
  if (candidates.sites.length > 0 && rng.chance(inside)) {
    const site = rng.weighted(candidates.sites, candidates.weights);
    const unit = rng.chance(0.7) ? places.register.unitCode(site.firstUnit + rng.index(site.unitCount)) : null;
    const point = toLonLat(layout.projection, [site.position[0] + rng.float(-3, 3), site.position[1] + rng.float(-3, 3)]);
    return { ...base, point, buildingCode: site.code, unitCode: unit };
  }
  const point = toLonLat(layout.projection, layout.lattice.bilinear(grid.i, grid.j, rng.float(0.12, 0.88), rng.float(0.12, 0.88)));
  return { ...base, point, buildingCode: null, unitCode: null };
}

/** Case numbers in time order: J + district + date + 4-digit number within the day. */
function numberCases(cases: Omit<CaseRow, 'caseNo'>[]): CaseRow[] {
  const sorted = cases
    .map((item, index) => ({ item, index }))
    .sort((a, b) => (a.item.occurredAt < b.item.occurredAt ? -1 : a.item.occurredAt > b.item.occurredAt ? 1 : a.index - b.index));
  const perDay = new Map<string, number>();
  return sorted.map(({ item }) => {
    const day = item.occurredAt.slice(0, 10).replaceAll('-', '');
    const number = (perDay.get(day) ?? 0) + 1;
    perDay.set(day, number);
    return { caseNo: `J440307${day}${String(number).padStart(4, '0')}`, ...item };
  });
}
