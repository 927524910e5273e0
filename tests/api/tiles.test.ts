import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { TILE_LAYERS } from '../../server/tiles/layers.ts';
import { renderTile } from '../../server/tiles/service.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { ENGINE_UNDER_TEST } from '../helpers/database.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { asBinary, codesOf, decodeTile, insertResidents, layerOf } from '../helpers/tiles-ogc-fixtures.ts';
import { defined } from '../helpers/defined.ts';
import { editShapesByHand, setPrivacyKByHand } from '../helpers/hand-edits.ts';

// Tiles worked out by hand (slippy-map formulas) over the fixture city, whose grids are the
// 0.01° squares 114.20–114.21 (west) and 114.21–114.22 (east) × 22.70–22.71:
// z10 836/445, z11 1673/891 and z13 6694/3565 hold all of it;
// z14 13389/7130 spans lon 114.1919–114.2139: both west buildings, and both grids;
// z14 13390/7130 spans lon 114.2139–114.2358: the east building only;
// z15 26780/14261 spans lon 114.2139–114.2249, lat 22.6951–22.7053: the east grid only;
// z16 53558/28522 spans lon 114.2029–114.2084, lat 22.7002–22.7053: the west house only.
const WEST_Z14 = '14/13389/7130';
const EAST_Z14 = '14/13390/7130';
const EAST_GRID_Z15 = '15/26780/14261';
const WEST_HOUSE_Z16 = '16/53558/28522';

let t: TestApp;
let leader: LoggedIn;

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'leader', 'leader');
  await insertUser(t.handle.db, 'collector', 'collector', [FIXTURE.gridWest]);
  // West grid: 5 current residents (published). East grid: 4 current and 1 moved out (withheld, below k=5).
  await insertResidents(t.handle.db, fixtureUnitCode(FIXTURE.westHouse, 1, 1), 5, 1);
  await insertResidents(t.handle.db, fixtureUnitCode(FIXTURE.eastHouse, 1, 1), 4, 11);
  await insertResidents(t.handle.db, fixtureUnitCode(FIXTURE.eastHouse, 2, 1), 1, 21, { movedOut: '2026-03-01' });
  leader = await t.logIn('leader');
});
afterAll(async () => t?.close());

const getTile = (agent: LoggedIn, path: string) => asBinary(agent.get(`/tiles/${path}.mvt`));

describe(`vector tiles (${ENGINE_UNDER_TEST}: ${ENGINE_UNDER_TEST === 'postgres' ? 'ST_AsMVT' : 'JS encoder'})`, () => {
  it('serves the buildings of a z14 tile as points with code, use, floors and status', async () => {
    const response = await getTile(leader, `buildings/${WEST_Z14}`).expect(200);
    expect(response.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(response.headers['cache-control']).toBe('private, max-age=300');
    expect(response.headers['x-tile-truncated']).toBeUndefined();
    const features = layerOf(response.body, 'buildings');
    expect(codesOf(features)).toEqual([FIXTURE.westHouse, FIXTURE.westShop]);
    expect(features.every((feature) => feature.type === 'Point')).toBe(true);
    const house = features.find((feature) => feature.properties.code === FIXTURE.westHouse);
    expect(house?.properties).toEqual({ code: FIXTURE.westHouse, use: 'urban_village', floors: 3, status: 'active' });
  });

  it('keeps each building in its own tile', async () => {
    const response = await getTile(leader, `buildings/${EAST_Z14}`).expect(200);
    expect(codesOf(decodeTile(response.body).buildings)).toEqual([FIXTURE.eastHouse]);
  });

  it('draws footprints as polygons from z15 on', async () => {
    const response = await getTile(leader, `buildings/${WEST_HOUSE_Z16}`).expect(200);
    const features = layerOf(response.body, 'buildings');
    expect(codesOf(features)).toEqual([FIXTURE.westHouse]);
    expect(features[0]?.type).toBe('Polygon');
  });

  it('serves grid outlines with code and name', async () => {
    const both = layerOf((await getTile(leader, `grids/${WEST_Z14}`).expect(200)).body, 'grids');
    expect(codesOf(both)).toEqual([FIXTURE.gridWest, FIXTURE.gridEast]);
    expect(both.find((grid) => grid.properties.code === FIXTURE.gridWest)?.properties).toEqual({ code: FIXTURE.gridWest, name: '西网格' });
    expect(both.every((grid) => grid.type === 'Polygon')).toBe(true);
    const east = layerOf((await getTile(leader, `grids/${EAST_GRID_Z15}`).expect(200)).body, 'grids');
    expect(codesOf(east)).toEqual([FIXTURE.gridEast]);
  });

  it('serves per-grid counts, withholding resident counts below five', async () => {
    const response = await getTile(leader, `statistics/${WEST_Z14}`).expect(200);
    const cells = layerOf(response.body, 'statistics');
    const byCode = Object.fromEntries(cells.map((cell) => [cell.properties.code, cell.properties]));
    // West: houses 00001 (6 units) and 00002 (1 shop), 5 people in unit 101. East: 1 house, 2 units, 4 people (< 5).
    expect(byCode[FIXTURE.gridWest]).toEqual({ code: FIXTURE.gridWest, name: '西网格', buildings: 2, units: 7, residents: 5 });
    expect(byCode[FIXTURE.gridEast]).toEqual({ code: FIXTURE.gridEast, name: '东网格', buildings: 1, units: 2 });
  });

  it("withholds resident counts below the privacy setting's k, the k heatmaps use", async () => {
    const residentsByCode = async () => {
      const cells = layerOf((await getTile(leader, `statistics/${WEST_Z14}`).expect(200)).body, 'statistics');
      return Object.fromEntries(cells.map((cell) => [cell.properties.code, cell.properties.residents]));
    };
    try {
      // West has 5 residents, East 4: k=6 withholds both, k=4 publishes both.
      await setPrivacyKByHand(t.handle.db, 6);
      expect(await residentsByCode()).toEqual({ [FIXTURE.gridWest]: undefined, [FIXTURE.gridEast]: undefined });
      await setPrivacyKByHand(t.handle.db, 4);
      expect(await residentsByCode()).toEqual({ [FIXTURE.gridWest]: 5, [FIXTURE.gridEast]: 4 });
    } finally {
      await setPrivacyKByHand(t.handle.db, null);
    }
  });

  it('gives every feature a numeric id for feature-state: grid codes whole, building codes without province and city', async () => {
    const buildings = layerOf((await getTile(leader, `buildings/${WEST_Z14}`).expect(200)).body, 'buildings');
    expect(buildings.map((feature) => [feature.id, feature.properties.code])).toEqual(
      expect.arrayContaining([FIXTURE.westHouse, FIXTURE.westShop].map((code) => [Number(code.slice(4)), code])),
    );
    for (const layer of ['grids', 'statistics'] as const) {
      const cells = layerOf((await getTile(leader, `${layer}/${WEST_Z14}`).expect(200)).body, layer);
      expect(cells.map((cell) => [cell.id, cell.properties.code]).sort()).toEqual(
        [FIXTURE.gridWest, FIXTURE.gridEast].map((code) => [Number(code), code]).sort(),
      );
    }
    // Ids stay exact in a double: the largest possible building id is below 2^53.
    expect(Number.isSafeInteger(Number('9'.repeat(15)))).toBe(true);
  });

  it('answers 204 for an empty tile and for zooms below a layer’s minimum, still cacheable', async () => {
    const far = await getTile(leader, 'buildings/14/0/0').expect(204);
    expect(far.headers['cache-control']).toBe('private, max-age=300');
    // These tiles hold the fixture city, but buildings start at z14, grids at z8, statistics at z12.
    await getTile(leader, 'buildings/13/6694/3565').expect(204);
    await getTile(leader, 'grids/7/104/55').expect(204);
    await getTile(leader, 'statistics/11/1673/891').expect(204);
    const gridsAtEleven = await getTile(leader, 'grids/11/1673/891').expect(200);
    expect(codesOf(decodeTile(gridsAtEleven.body).grids)).toEqual([FIXTURE.gridWest, FIXTURE.gridEast]);
  });

  it.each([
    ['buildings/23/0/0', 'z', /between 0 and 22/],
    ['buildings/4/16/0', 'x', /below 16 at zoom 4/],
    ['buildings/4/0/16', 'y', /below 16 at zoom 4/],
    ['buildings/4/0/-1', 'y', /whole number/],
    ['buildings/4/a/0', 'x', /whole number/],
    ['persons/4/0/0', 'layer', /buildings, grids, statistics/],
  ])('rejects %s with 400 naming %s', async (path, field, message) => {
    const response = await leader.get(`/tiles/${path}.mvt`).expect(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.details.fields).toEqual([expect.objectContaining({ field, message: expect.stringMatching(message) })]);
  });

  it('needs a login; any role may read tiles', async () => {
    await request(t.app).get(`/tiles/buildings/${WEST_Z14}.mvt`).expect(401);
    const collector = await t.logIn('collector');
    await getTile(collector, `grids/${WEST_Z14}`).expect(200);
  });

  it('caps the features of a tile and says so', async () => {
    const [z, x, y] = WEST_Z14.split('/').map(Number) as [number, number, number];
    const capped = await renderTile(t.context, TILE_LAYERS.buildings, { z, x, y }, { maxFeatures: 1 });
    expect(capped.truncated).toBe(true);
    expect(layerOf(Buffer.from(capped.content), 'buildings')).toHaveLength(1);
    const full = await renderTile(t.context, TILE_LAYERS.buildings, { z, x, y }, { maxFeatures: 2 });
    expect(full.truncated).toBe(false);
    expect(layerOf(Buffer.from(full.content), 'buildings')).toHaveLength(2);
  });
});

describe('tiles kept per data version', () => {
  it('gives a tile an ETag, answers 304 to a client that holds it, and serves it again from the cache', async () => {
    const first = await getTile(leader, `grids/${WEST_Z14}`).expect(200);
    const etag = defined(first.headers.etag, 'an ETag');
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const again = await getTile(leader, `grids/${WEST_Z14}`).expect(200);
    expect(again.headers.etag).toBe(etag);
    expect(again.headers['x-renwu-cache']).toBe('hit');
    expect(Buffer.compare(again.body, first.body)).toBe(0);
    const held = await leader.get(`/tiles/grids/${WEST_Z14}.mvt`).set('If-None-Match', etag).expect(304);
    expect(held.headers.etag).toBe(etag);
    // Another tile, another layer: another ETag.
    expect((await getTile(leader, `statistics/${WEST_Z14}`).expect(200)).headers.etag).not.toBe(etag);
    expect((await getTile(leader, `grids/${EAST_GRID_Z15}`).expect(200)).headers.etag).not.toBe(etag);
  });

  it('keys tiles on the caller’s jurisdiction: a collector never gets the leader’s tile', async () => {
    const leaders = await getTile(leader, `grids/${WEST_Z14}`).expect(200);
    const collector = await t.logIn('collector');
    const collectors = await getTile(collector, `grids/${WEST_Z14}`).expect(200);
    expect(collectors.headers.etag).not.toBe(leaders.headers.etag);
    expect(codesOf(decodeTile(collectors.body).grids)).toEqual([FIXTURE.gridWest]);
    await collector.get(`/tiles/grids/${WEST_Z14}.mvt`).set('If-None-Match', defined(leaders.headers.etag, 'an ETag')).expect(200);
  });

  it('renders a tile afresh once the data changes, and the old ETag no longer matches', async () => {
    const before = await getTile(leader, `grids/${WEST_Z14}`).expect(200);
    await editShapesByHand(t.handle.db, sql`UPDATE grids SET name = '西网格（改）' WHERE code = ${FIXTURE.gridWest}`);
    try {
      const after = await asBinary(leader.get(`/tiles/grids/${WEST_Z14}.mvt`).set('If-None-Match', defined(before.headers.etag, 'an ETag'))).expect(200);
      expect(after.headers.etag).not.toBe(before.headers.etag);
      expect(after.headers['x-renwu-cache']).toBe('miss');
      expect(layerOf(after.body, 'grids').find((grid) => grid.properties.code === FIXTURE.gridWest)?.properties.name).toBe('西网格（改）');
    } finally {
      await editShapesByHand(t.handle.db, sql`UPDATE grids SET name = '西网格' WHERE code = ${FIXTURE.gridWest}`);
    }
  });

  it('keeps the tiles of shapes (grids, areas) across a move-in, while the statistics tile is rendered afresh', async () => {
    const heldBefore = async (layer: string) => defined((await getTile(leader, `${layer}/${WEST_Z14}`).expect(200)).headers.etag, 'an ETag');
    const grids = await heldBefore('grids');
    const areas = await heldBefore('areas');
    const statistics = await heldBefore('statistics');
    await insertResidents(t.handle.db, fixtureUnitCode(FIXTURE.westHouse, 1, 1), 1, 71);
    await leader.get(`/tiles/grids/${WEST_Z14}.mvt`).set('If-None-Match', grids).expect(304);
    await leader.get(`/tiles/areas/${WEST_Z14}.mvt`).set('If-None-Match', areas).expect(304);
    const afresh = await asBinary(leader.get(`/tiles/statistics/${WEST_Z14}.mvt`).set('If-None-Match', statistics)).expect(200);
    expect(afresh.headers['x-renwu-cache']).toBe('miss');
    // A change of the shapes themselves: the area tile is rendered again too.
    await editShapesByHand(t.handle.db, sql`UPDATE admin_areas SET name = name WHERE code = ${FIXTURE.district}`);
    await asBinary(leader.get(`/tiles/areas/${WEST_Z14}.mvt`).set('If-None-Match', areas)).expect(200);
  });

  it('gives empty tiles an ETag too', async () => {
    const empty = await getTile(leader, 'buildings/14/0/0').expect(204);
    await leader.get('/tiles/buildings/14/0/0.mvt').set('If-None-Match', defined(empty.headers.etag, 'an ETag')).expect(304);
  });
});

describe.runIf(ENGINE_UNDER_TEST === 'postgres')('ST_AsMVT and the JS encoder agree on PostGIS', () => {
  it.each([
    ['buildings', WEST_Z14],
    ['buildings', WEST_HOUSE_Z16],
    ['grids', WEST_Z14],
    ['statistics', WEST_Z14],
  ])('%s %s decodes to the same features on both paths', async (layer, tile) => {
    expect(t.context.capabilities.nativeVectorTiles).toBe(true);
    const fallbackApp = createApp({ ...t.context, capabilities: { ...t.context.capabilities, nativeVectorTiles: false } });
    const fallbackAgent = request.agent(fallbackApp);
    await fallbackAgent.post('/api/auth/login').send({ username: 'leader', password: FIXTURE.password }).expect(200);
    const native = layerOf((await getTile(leader, `${layer}/${tile}`).expect(200)).body, layer);
    const fallback = layerOf((await asBinary(fallbackAgent.get(`/tiles/${layer}/${tile}.mvt`)).expect(200)).body, layer);
    const summary = (features: typeof native) =>
      features
        .map((feature) => ({ type: feature.type, id: feature.id, properties: feature.properties }))
        .sort((a, b) => String(a.properties.code).localeCompare(String(b.properties.code)));
    expect(summary(fallback)).toEqual(summary(native));
    expect(native.length).toBeGreaterThan(0);
  });
});

describe('TileJSON', () => {
  it.each([
    ['buildings', WEST_Z14],
    ['grids', WEST_Z14],
    ['statistics', WEST_Z14],
  ] as const)('describes the %s layer: tile URL, zooms, city bounds and the fields its tiles carry', async (layer, tile) => {
    const response = await leader.get(`/tiles/${layer}.json`).set('Host', 'gis.example.org').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const document = response.body;
    expect(document).toMatchObject({
      tilejson: '3.0.0',
      tiles: [`http://gis.example.org/tiles/${layer}/{z}/{x}/{y}.mvt`],
      minzoom: TILE_LAYERS[layer].minZoom,
      maxzoom: 22,
      bounds: [114.2, 22.7, 114.22, 22.71],
    });
    // Every property a real tile of the layer carries is declared, and nothing else.
    const features = layerOf((await getTile(leader, `${layer}/${tile}`).expect(200)).body, layer);
    const carried = new Set(features.flatMap((feature) => Object.keys(feature.properties)));
    expect(document.vector_layers).toHaveLength(1);
    expect(document.vector_layers[0].id).toBe(layer);
    expect(document.vector_layers[0].description).toMatch(/feature id: .*as a number/);
    expect(new Set(Object.keys(document.vector_layers[0].fields))).toEqual(carried);
  });

  it('answers 400 naming the layer for an unknown one, and needs a login', async () => {
    const response = await leader.get('/tiles/roads.json').expect(400);
    expect(response.body.error.details.fields[0].field).toBe('layer');
    await request(t.app).get('/tiles/grids.json').expect(401);
  });
});

describe('style.json', () => {
  it('is a MapLibre style the style-spec validator accepts, each source a TileJSON on this origin, nothing from other origins', async () => {
    const response = await leader.get('/style.json').set('Host', 'gis.example.org').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const style = response.body;
    expect(validateStyleMin(style)).toEqual([]);
    expect(style.version).toBe(8);
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
    expect(style.sources).toEqual({
      areas: { type: 'vector', url: 'http://gis.example.org/tiles/areas.json' },
      buildings: { type: 'vector', url: 'http://gis.example.org/tiles/buildings.json' },
      grids: { type: 'vector', url: 'http://gis.example.org/tiles/grids.json' },
      statistics: { type: 'vector', url: 'http://gis.example.org/tiles/statistics.json' },
    });
    const drawn = style.layers
      .filter((layer: { source?: string }) => layer.source)
      .map((layer: { id: string; 'source-layer': string }) => [layer.id, layer['source-layer']]);
    expect(drawn).toEqual(
      expect.arrayContaining([
        ['statistics-fill', 'statistics'],
        ['grids-outline', 'grids'],
        ['buildings-fill', 'buildings'],
      ]),
    );
    // The dashboard's colours: grid outline and the urban-village fill.
    const text = JSON.stringify(style);
    expect(text).toContain('#90a4ae');
    expect(text).toContain('#e15759');
  });

  it('needs a login like the tiles it points at', async () => {
    await request(t.app).get('/style.json').expect(401);
  });
});
