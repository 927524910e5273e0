import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { touchingPairs } from '../../server/hotspots/repository.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { insertUser } from '../helpers/fixture-city.ts';
import { HOTSPOT_FEATURES as features, insertCases, loadHotspotGrids } from '../helpers/hotspot-grids.ts';

/**
 * Gi* against an independent reference (issue 21): R's spdep::localG on 48 real-shaped grid
 * polygons of the demo generator (tests/fixtures/hotspots/grids.geojson), queen contiguity from
 * poly2nb with each cell its own neighbour, binary weights. reference.R wrote reference.json;
 * make-fixture.ts wrote the grids. Here the grids are loaded into the app's database, each grid
 * gets as many cases as its fixture count, and GET /api/hotspots must give R's neighbours
 * (from PostGIS) and R's z-scores within 1e-6.
 */
interface Reference {
  spdep: string;
  codes: string[];
  counts: number[];
  neighbours: Record<string, string[]>;
  z: Record<string, number>;
}
interface Cell {
  code: string;
  value: number;
  z: number | null;
  p: number | null;
  q: number | null;
  class: number;
  neighbours: number;
}

const here = new URL('../fixtures/hotspots/', import.meta.url);
const reference = JSON.parse(readFileSync(new URL('reference.json', here), 'utf8')) as Reference;
const DAY = '2025-06-10';

let t: TestApp;
let planner: LoggedIn;

beforeAll(async () => {
  t = await startTestApp();
  await loadHotspotGrids(t.handle.db);
  await insertCases(
    t.handle.db,
    DAY,
    features.map((f) => f.properties.code),
    features.map((f) => f.properties.count),
  );
  await insertUser(t.handle.db, 'planner', 'planner', [features[0]!.properties.code.slice(0, 6)]);
  planner = await t.logIn('planner');
});
afterAll(async () => t?.close());

describe('Gi* equals R spdep::localG', () => {
  it('uses the fixture R read: the same grids and counts', () => {
    expect(features.map((f) => f.properties.code)).toEqual(reference.codes);
    expect(features.map((f) => f.properties.count)).toEqual(reference.counts);
  });

  it('derives from the polygons (PostGIS) the neighbour lists of poly2nb(queen = TRUE)', async () => {
    const pairs = await touchingPairs(t.handle.db, 'grid', null);
    const lists: Record<string, string[]> = Object.fromEntries(reference.codes.map((code) => [code, []]));
    for (const pair of pairs) lists[pair.code]!.push(pair.neighbour);
    for (const code of reference.codes) expect(lists[code]!.sort(), code).toEqual([...reference.neighbours[code]!].sort());
  });

  it("gives each grid the neighbours poly2nb(queen = TRUE) gives, and R's z-scores within 1e-6", async () => {
    const response = await planner.get(`/api/hotspots?metric=cases&level=grid&from=${DAY}&to=${DAY}`).expect(200);
    const cells = new Map((response.body.cells as Cell[]).map((cell) => [cell.code, cell]));
    expect(cells.size).toBe(reference.codes.length);
    for (const code of reference.codes) {
      const cell = cells.get(code)!;
      expect(cell.value, code).toBe(reference.counts[reference.codes.indexOf(code)]);
      expect(cell.neighbours, code).toBe(reference.neighbours[code]!.length);
      expect(Math.abs(cell.z! - reference.z[code]!), code).toBeLessThan(1e-6);
    }
    // Both hot and cold spots exist in the fixture, so the comparison covers both tails.
    expect([...cells.values()].some((cell) => cell.class > 0)).toBe(true);
    expect(Math.min(...[...cells.values()].map((cell) => cell.z!))).toBeLessThan(-1);
  });
});
