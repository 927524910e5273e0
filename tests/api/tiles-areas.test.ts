import { VectorTile } from '@mapbox/vector-tile';
import { sql } from 'kysely';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { ENGINE_UNDER_TEST } from '../helpers/database.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { asBinary, codesOf, layerOf } from '../helpers/tiles-ogc-fixtures.ts';
import { editShapesByHand } from '../helpers/hand-edits.ts';

/**
 * Issue 18: the leader's heatmap is drawn on vector tiles of the level's cells, so the first
 * paint no longer downloads a whole level of GeoJSON. The areas layer (districts, streets,
 * communities) and the grids from city zoom carry codes (and names), with shapes simplified to
 * the zoom, bounded by the caller's jurisdiction and kept per data version like every tile.
 */

// The fixture city (0.02° × 0.01° at 114.20–114.22 E, 22.70–22.71 N) lies in these tiles.
const CITY_Z13 = '13/6694/3565';
const CITY_Z10 = '10/836/445';
const CITY_Z8 = '8/209/111';
/** z14 13389/7130 (lon 114.1919–114.2139) holds the whole of the community, made a 400-vertex circle so that simplification shows. */
const COMMUNITY_Z14 = '14/13389/7130';

let t: TestApp;
let leader: LoggedIn;

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  await editShapesByHand(
    t.handle.db,
    sql`UPDATE admin_areas SET geom = ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(114.205, 22.705), 4326), 0.004, 100))
            WHERE code = ${FIXTURE.community}`,
  );
  await insertUser(t.handle.db, 'leader', 'leader');
  await insertUser(t.handle.db, 'street-planner', 'planner', [FIXTURE.street]);
  await insertUser(t.handle.db, 'collector', 'collector', [FIXTURE.gridWest]);
  leader = await t.logIn('leader');
});
afterAll(async () => t?.close());

const getTile = (agent: LoggedIn, path: string) => asBinary(agent.get(`/tiles/${path}.mvt`));

/** The vertices of one feature's geometry in a decoded tile. */
function verticesOf(body: Buffer, layerName: string, code: string): number {
  const layer = new VectorTile(new PbfReader(body)).layers[layerName];
  for (let index = 0; index < (layer?.length ?? 0); index++) {
    const feature = layer!.feature(index);
    // Type 3: the area's shape (its label point is type 1).
    if (feature.properties.code === code && feature.type === 3) return feature.loadGeometry().reduce((sum, ring) => sum + ring.length, 0);
  }
  throw new Error(`no ${code} in the ${layerName} tile`);
}

describe(`area and grid tiles for the heatmap (${ENGINE_UNDER_TEST})`, () => {
  it('serves districts, streets and communities with code, name and level, the code as id', async () => {
    const response = await getTile(leader, `areas/${CITY_Z13}`).expect(200);
    expect(response.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    const features = layerOf(response.body, 'areas');
    const byCode = (a: { id: number | undefined }, b: { id: number | undefined }) => (a.id ?? 0) - (b.id ?? 0);
    const expected = [
      { id: Number(FIXTURE.district), properties: { code: FIXTURE.district, name: '测试区', level: 'district' } },
      { id: Number(FIXTURE.street), properties: { code: FIXTURE.street, name: '测试街道', level: 'street' } },
      { id: Number(FIXTURE.community), properties: { code: FIXTURE.community, name: '测试社区', level: 'community' } },
    ];
    const shapes = features.filter((feature) => feature.type === 'Polygon');
    expect(shapes.map(({ id, properties }) => ({ id, properties })).sort(byCode)).toEqual(expected);
    // And one label point per area (its name is placed there once, not on every tile its shape crosses).
    const labels = features.filter((feature) => feature.type !== 'Polygon');
    expect(labels.map(({ id, properties }) => ({ id, properties })).sort(byCode)).toEqual(expected);
    expect(labels.every((feature) => feature.type === 'Point')).toBe(true);
    // A city view names no street or community: their points are left out of its tiles; and it
    // draws no community, ~2 px there (the dashboard shows streets): their shapes come from z10.
    const cityView = layerOf((await getTile(leader, `areas/${CITY_Z8}`).expect(200)).body, 'areas');
    expect(codesOf(cityView.filter((feature) => feature.type === 'Polygon'))).toEqual([FIXTURE.district, FIXTURE.street].sort());
    expect(codesOf(cityView.filter((feature) => feature.type === 'Point'))).toEqual([FIXTURE.district]);
    const communitiesShown = layerOf((await getTile(leader, `areas/${CITY_Z10}`).expect(200)).body, 'areas');
    expect(codesOf(communitiesShown.filter((feature) => feature.type === 'Polygon'))).toEqual([FIXTURE.district, FIXTURE.street, FIXTURE.community].sort());
  });

  it("puts an area's label point in the one tile that holds it, where its shape crosses several", async () => {
    const codesIn = async (tile: string, type: 'Point' | 'Polygon') => {
      const response = await getTile(leader, `areas/${tile}`);
      if (response.status === 204) return [];
      return layerOf(response.body, 'areas')
        .filter((feature) => feature.type === type)
        .map((feature) => String(feature.properties.code));
    };
    // The street (114.20–114.22 E, 22.70–22.71 N) crosses z14 columns 13388–13390; its point lies in one tile.
    const tiles = ['13388/7130', '13389/7130', '13390/7130', '13388/7131', '13389/7131', '13390/7131'].map((tile) => `14/${tile}`);
    const crossed = [];
    const holding = [];
    for (const tile of tiles) {
      if ((await codesIn(tile, 'Polygon')).includes(FIXTURE.street)) crossed.push(tile);
      if ((await codesIn(tile, 'Point')).includes(FIXTURE.street)) holding.push(tile);
    }
    expect(crossed.length).toBeGreaterThan(1);
    expect(holding).toHaveLength(1);
  });

  it('simplifies shapes to the zoom: a city view gets a few vertices, a street view the detail', async () => {
    const detailed = verticesOf((await getTile(leader, `areas/${COMMUNITY_Z14}`).expect(200)).body, 'areas', FIXTURE.community);
    const cityView = verticesOf((await getTile(leader, `areas/${CITY_Z10}`).expect(200)).body, 'areas', FIXTURE.community);
    // Half a pixel: ~30 vertices at z14; at z10 (the widest view with communities) the circle
    // (~94 tile units across) keeps ~8, not the ~100 its 400 vertices quantise to.
    expect(detailed).toBeGreaterThanOrEqual(20);
    expect(cityView).toBeGreaterThanOrEqual(4);
    expect(cityView).toBeLessThanOrEqual(12);
  });

  it('serves the grids from city zoom with their codes only, and their names from z11', async () => {
    const cityView = layerOf((await getTile(leader, `grids/${CITY_Z10}`).expect(200)).body, 'grids');
    expect(codesOf(cityView)).toEqual([FIXTURE.gridWest, FIXTURE.gridEast]);
    expect(cityView.map((feature) => feature.properties)).toEqual(expect.arrayContaining([{ code: FIXTURE.gridWest }, { code: FIXTURE.gridEast }]));
    expect(cityView.map((feature) => feature.id).sort()).toEqual([Number(FIXTURE.gridWest), Number(FIXTURE.gridEast)].sort());
    const named = layerOf((await getTile(leader, 'grids/11/1673/891').expect(200)).body, 'grids');
    expect(named.map((feature) => feature.properties.name).sort()).toEqual(['东网格', '西网格'].sort());
    await getTile(leader, 'areas/5/26/13').expect(204);
  });

  it('gives each caller only the areas within its jurisdiction', async () => {
    const planner = await t.logIn('street-planner');
    const streetWide = layerOf((await getTile(planner, `areas/${CITY_Z13}`).expect(200)).body, 'areas').filter((feature) => feature.type === 'Polygon');
    expect(codesOf(streetWide)).toEqual([FIXTURE.street, FIXTURE.community]);
    // A collector's jurisdiction is grids: no area lies within it.
    const collector = await t.logIn('collector');
    await getTile(collector, `areas/${CITY_Z13}`).expect(204);
    const ownGrid = layerOf((await getTile(collector, `grids/${CITY_Z10}`).expect(200)).body, 'grids');
    expect(codesOf(ownGrid)).toEqual([FIXTURE.gridWest]);
  });

  it('keeps the tile per data version: a hit the second time, 304 for its ETag', async () => {
    const first = await getTile(leader, `areas/${CITY_Z10}`).expect(200);
    const second = await getTile(leader, `areas/${CITY_Z10}`).expect(200);
    expect(second.headers['x-renwu-cache']).toBe('hit');
    expect(second.headers.etag).toBe(first.headers.etag);
    await leader.get(`/tiles/areas/${CITY_Z10}.mvt`).set('If-None-Match', String(first.headers.etag)).expect(304);
    const planner = await t.logIn('street-planner');
    const narrower = await getTile(planner, `areas/${CITY_Z10}`).expect(200);
    expect(narrower.headers.etag).not.toBe(first.headers.etag);
  });
});
