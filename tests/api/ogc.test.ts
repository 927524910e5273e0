import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { insertResidents } from '../helpers/tiles-ogc-fixtures.ts';
import { defined } from '../helpers/defined.ts';
import { editShapesByHand, setPrivacyKByHand, writeCounted } from '../helpers/hand-edits.ts';

let t: TestApp;
let reader: LoggedIn;

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'planner', 'planner');
  reader = await t.logIn('planner');
  // West grid: 6 current residents (published). East grid: 3 current (withheld, below k=5).
  await insertResidents(t.handle.db, fixtureUnitCode(FIXTURE.westHouse, 2, 1), 6, 1);
  await insertResidents(t.handle.db, fixtureUnitCode(FIXTURE.eastHouse, 1, 1), 3, 11);
});
afterAll(async () => t?.close());

// A planner of the whole fixture district; the service documents are public, the features are not.
const get = (url: string) => reader.get(url);
type Link = { rel: string; href: string; type: string };
const linkOf = (links: Link[], rel: string) => links.find((link) => link.rel === rel);
const idsOf = (body: { features: { id: string }[] }) => body.features.map((feature) => feature.id);

describe('OGC API Features: landing, conformance, collections', () => {
  it('serves a landing page with absolute links to the definition, conformance and data', async () => {
    const response = await get('/ogc').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    // supertest calls the app on an ephemeral 127.0.0.1 port: links carry that origin back.
    const origin = new URL(linkOf(response.body.links, 'self')!.href).origin;
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(linkOf(response.body.links, 'self')?.href).toBe(`${origin}/ogc`);
    expect(linkOf(response.body.links, 'service-desc')?.href).toBe(`${origin}/api/openapi.json`);
    expect(linkOf(response.body.links, 'conformance')?.href).toBe(`${origin}/ogc/conformance`);
    expect(linkOf(response.body.links, 'data')?.href).toBe(`${origin}/ogc/collections`);
  });

  it('declares the core and GeoJSON conformance classes', async () => {
    const response = await get('/ogc/conformance').expect(200);
    expect(response.body.conformsTo).toEqual(
      expect.arrayContaining(['http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core', 'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson']),
    );
  });

  it('lists areas, grids, building footprints and points, and statistics, never persons, with the city extent', async () => {
    const response = await get('/ogc/collections').expect(200);
    const collections: { id: string; extent: { spatial: { bbox: number[][] } }; links: Link[] }[] = response.body.collections;
    expect(collections.map((collection) => collection.id)).toEqual(['areas', 'grids', 'buildings', 'building_points', 'statistics']);
    // The fixture district is the box 114.20–114.22 × 22.70–22.71.
    expect(defined(collections[0], 'the first collection').extent.spatial.bbox).toEqual([[114.2, 22.7, 114.22, 22.71]]);
    expect(linkOf(defined(collections[2], 'the third collection').links, 'items')).toMatchObject({
      type: 'application/geo+json',
      href: expect.stringMatching(/\/ogc\/collections\/buildings\/items$/),
    });
    await get('/ogc/collections/persons').expect(404);
    await get('/ogc/collections/persons/items').expect(404);
  });

  it('describes one collection and answers 404 for an unknown one', async () => {
    const response = await get('/ogc/collections/grids').expect(200);
    expect(response.body).toMatchObject({
      id: 'grids',
      itemType: 'feature',
      storageCrs: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84',
      crs: ['http://www.opengis.net/def/crs/OGC/1.3/CRS84', 'http://www.opengis.net/def/crs/EPSG/0/4326'],
    });
    const missing = await get('/ogc/collections/roads').expect(404);
    expect(missing.body.code).toBe('not_found');
  });
});

describe('OGC API Features: items', () => {
  it('returns every building as GeoJSON in code order, with numberMatched and numberReturned', async () => {
    const response = await get('/ogc/collections/buildings/items').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/geo\+json/);
    expect(response.body).toMatchObject({ type: 'FeatureCollection', numberMatched: 3, numberReturned: 3 });
    expect(idsOf(response.body)).toEqual([FIXTURE.westHouse, FIXTURE.westShop, FIXTURE.eastHouse]);
    const house = response.body.features[0];
    expect(house.geometry.type).toBe('Polygon');
    expect(house.properties).toEqual({
      code: FIXTURE.westHouse,
      gridCode: FIXTURE.gridWest,
      address: '测试路1号',
      floors: 3,
      use: 'urban_village',
      managementMode: 'patrol',
      status: 'active',
    });
    expect(linkOf(response.body.links, 'next')).toBeUndefined();
  });

  it('pages with limit and offset through next and prev links', async () => {
    const first = await get('/ogc/collections/buildings/items?limit=2').expect(200);
    expect(first.body).toMatchObject({ numberMatched: 3, numberReturned: 2 });
    expect(idsOf(first.body)).toEqual([FIXTURE.westHouse, FIXTURE.westShop]);
    const next = new URL(linkOf(first.body.links, 'next')!.href);
    expect(next.searchParams.get('offset')).toBe('2');
    const second = await get(next.pathname + next.search).expect(200);
    expect(second.body).toMatchObject({ numberMatched: 3, numberReturned: 1 });
    expect(idsOf(second.body)).toEqual([FIXTURE.eastHouse]);
    expect(linkOf(second.body.links, 'next')).toBeUndefined();
    expect(new URL(linkOf(second.body.links, 'prev')!.href).searchParams.get('offset')).toBe('0');
  });

  it('filters by bbox, counting only what touches it', async () => {
    const east = await get('/ogc/collections/buildings/items?bbox=114.21,22.7,114.22,22.71').expect(200);
    expect(east.body.numberMatched).toBe(1);
    expect(idsOf(east.body)).toEqual([FIXTURE.eastHouse]);
    const westCorner = await get('/ogc/collections/grids/items?bbox=114.201,22.701,114.205,22.705&limit=1').expect(200);
    expect(westCorner.body).toMatchObject({ numberMatched: 1, numberReturned: 1 });
    expect(idsOf(westCorner.body)).toEqual([FIXTURE.gridWest]);
    expect(new URL(linkOf(westCorner.body.links, 'self')!.href).searchParams.get('bbox')).toBe('114.201,22.701,114.205,22.705');
  });

  it('publishes per-grid statistics, withholding resident counts below five', async () => {
    const response = await get('/ogc/collections/statistics/items').expect(200);
    const byId = Object.fromEntries(response.body.features.map((feature: { id: string; properties: object }) => [feature.id, feature.properties]));
    expect(byId[FIXTURE.gridWest]).toEqual({ code: FIXTURE.gridWest, name: '西网格', buildings: 2, units: 7, residents: 6 });
    expect(byId[FIXTURE.gridEast]).toEqual({ code: FIXTURE.gridEast, name: '东网格', buildings: 1, units: 2, residents: null });
  });

  it("withholds resident counts below the privacy setting's k, the k heatmaps use", async () => {
    const residentsById = async () => {
      const response = await get('/ogc/collections/statistics/items').expect(200);
      return Object.fromEntries(
        response.body.features.map((feature: { id: string; properties: { residents: number | null } }) => [feature.id, feature.properties.residents]),
      );
    };
    try {
      // West has 6 residents, East 3: k=7 withholds both, k=3 publishes both.
      await setPrivacyKByHand(t.handle.db, 7);
      expect(await residentsById()).toEqual({ [FIXTURE.gridWest]: null, [FIXTURE.gridEast]: null });
      await setPrivacyKByHand(t.handle.db, 3);
      expect(await residentsById()).toEqual({ [FIXTURE.gridWest]: 6, [FIXTURE.gridEast]: 3 });
    } finally {
      await setPrivacyKByHand(t.handle.db, null);
    }
  });

  it('counts people who moved in after the population window was last carried forward', async () => {
    // As if a day passed with no read extending the maintained window: today's move-ins are then
    // only in the change rows, which the statistics add to the last materialised day.
    const { rows } = await sql<{ today: string }>`SELECT city_today()::text AS today`.execute(t.handle.db);
    await sql`UPDATE grid_population_window SET last_day = city_today() - 1`.execute(t.handle.db);
    await insertResidents(t.handle.db, fixtureUnitCode(FIXTURE.eastHouse, 2, 1), 2, 31, { movedIn: defined(rows[0], 'the city day').today });
    const response = await get(`/ogc/collections/statistics/items/${FIXTURE.gridEast}`).expect(200);
    // 3 earlier residents + 2 today = 5: now published.
    expect(response.body.properties.residents).toBe(5);
  });

  it('publishes the administrative areas of every level', async () => {
    const response = await get('/ogc/collections/areas/items').expect(200);
    expect(response.body.numberMatched).toBe(3);
    expect(response.body.features.map((feature: { properties: { level: string } }) => feature.properties.level)).toEqual(['district', 'street', 'community']);
  });

  it('never carries person data', async () => {
    for (const id of ['areas', 'grids', 'buildings', 'building_points', 'statistics']) {
      const response = await get(`/ogc/collections/${id}/items`).expect(200);
      expect(response.text).not.toMatch(/住户|44030719900101/);
    }
  });

  it('returns one feature by code, 404 for an unknown code, 400 for a malformed one', async () => {
    const response = await get(`/ogc/collections/grids/items/${FIXTURE.gridEast}`).expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/geo\+json/);
    expect(response.body).toMatchObject({ type: 'Feature', id: FIXTURE.gridEast, properties: { name: '东网格' } });
    expect(response.body.geometry.type).toBe('MultiPolygon');
    expect(linkOf(response.body.links, 'collection')?.href).toMatch(/\/ogc\/collections\/grids$/);
    await get(`/ogc/collections/grids/items/${FIXTURE.gridEast}9`).expect(404);
    const bad = await get('/ogc/collections/grids/items/east').expect(400);
    expect(bad.body.fields[0].field).toBe('featureId');
  });

  it.each([
    ['limit=0', 'limit', /at least 1/],
    ['limit=10001', 'limit', /at most 10000/],
    ['limit=2.5', 'limit', /whole number/],
    ['offset=-1', 'offset', /0 or more/],
    ['bbox=114.2,22.7,114.21', 'bbox', /four numbers/],
    ['bbox=114.2,22.71,114.21,22.7', 'bbox', /minLat/],
    ['bbox=114.2,22.7,5,114.21,22.71,1', 'bbox', /minZ/],
    ['datetime=garbage', 'datetime', /RFC 3339/],
    ['datetime=2026-02-30', 'datetime', /RFC 3339/],
    ['datetime=../..', 'datetime', /RFC 3339/],
    ['f=xml', 'f', /json or html/],
    ['colour=red', '(root)', /colour/],
  ])('rejects %s with 400 naming %s', async (query, field, message) => {
    const response = await get(`/ogc/collections/buildings/items?${query}`).expect(400);
    const fields: { field: string; message: string }[] = response.body.fields;
    expect(fields).toContainEqual(expect.objectContaining({ field, message: expect.stringMatching(message) }));
    expect(new Set(fields.map((problem) => problem.field))).toEqual(new Set([field]));
  });
});

describe('OGC API Features: who reads the features', () => {
  it('answers 401 to anonymous feature reads and keeps the service documents public', async () => {
    await request(t.app).get('/ogc/collections/grids/items').expect(401);
    await request(t.app).get(`/ogc/collections/grids/items/${FIXTURE.gridWest}`).expect(401);
    await request(t.app).get('/ogc/collections').expect(200);
  });

  it("cuts every collection to the reader's jurisdiction, with the areas that contain it as places", async () => {
    await insertUser(t.handle.db, 'west-leader', 'leader', [FIXTURE.gridWest]);
    const westLeader = await t.logIn('west-leader');
    const codes = async (collection: string) => idsOf((await westLeader.get(`/ogc/collections/${collection}/items?limit=100`).expect(200)).body);
    expect(await codes('grids')).toEqual([FIXTURE.gridWest]);
    expect(await codes('statistics')).toEqual([FIXTURE.gridWest]);
    expect(await codes('areas')).toEqual([FIXTURE.district, FIXTURE.street, FIXTURE.community]);
    expect((await codes('buildings')).every((code) => code.startsWith(FIXTURE.gridWest))).toBe(true);
    await westLeader.get(`/ogc/collections/grids/items/${FIXTURE.gridEast}`).expect(404);
    await westLeader.get(`/ogc/collections/buildings/items/${FIXTURE.eastHouse}`).expect(404);
  });
});

describe('OGC API Features: bbox on geometry, one geometry type per collection, revalidation', () => {
  // A triangular grid east of the fixture (its bounding box is the square 114.22–114.23 × 22.70–22.71,
  // the triangle only its lower-left half) and a building known only by its point.
  const triangleGrid = '44030700100103';
  const pointOnly = `${triangleGrid}00001`;
  beforeAll(async () => {
    await editShapesByHand(
      t.handle.db,
      sql`INSERT INTO grids (code, community_code, name, geom, area_km2)
              VALUES (${triangleGrid}, ${FIXTURE.community}, '三角网格',
                      ST_GeomFromText('MULTIPOLYGON(((114.22 22.7,114.23 22.7,114.22 22.71,114.22 22.7)))', 4326), 0.5)`,
    );
    await writeCounted(t.handle.db, 'buildings', [pointOnly], (trx) =>
      sql`INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, point)
              VALUES (${pointOnly}, left(${pointOnly}, 9), ${triangleGrid}, '三角路1号', 2, 'residential', 'patrol', ST_SetSRID(ST_MakePoint(114.221, 22.701), 4326))`.execute(
        trx,
      ),
    );
  });

  const gridIds = async (bbox: string) => idsOf((await get(`/ogc/collections/grids/items?bbox=${bbox}`).expect(200)).body);

  it('matches features whose geometry intersects the bbox, not their bounding box', async () => {
    // Inside the triangle's bounding box, outside the triangle.
    const outside = await get('/ogc/collections/grids/items?bbox=114.228,22.708,114.229,22.709').expect(200);
    expect(outside.body).toMatchObject({ numberMatched: 0, numberReturned: 0 });
    expect(await gridIds('114.221,22.701,114.222,22.702')).toEqual([triangleGrid]);
  });

  it('reads a six-number bbox (with heights) and a bbox crossing the antimeridian', async () => {
    expect(await gridIds('114.201,22.701,0,114.205,22.705,100')).toEqual([FIXTURE.gridWest]);
    // West edge 170° east of the east edge 114.205°: 170..180 and -180..114.205.
    expect(await gridIds('170,22.7,114.205,22.71')).toEqual([FIXTURE.gridWest]);
    expect(await gridIds('114.215,22.7,114.205,22.71')).toEqual([FIXTURE.gridWest, FIXTURE.gridEast, triangleGrid]);
  });

  it('accepts an RFC 3339 datetime or interval (no collection has a time dimension)', async () => {
    for (const datetime of ['2026-12-01', '2026-12-01T08:00:00Z', '2026-01-01/2026-12-31', '../2026-12-31', '2026-01-01/..']) {
      await get(`/ogc/collections/grids/items?datetime=${encodeURIComponent(datetime)}`).expect(200);
    }
  });

  it('publishes footprints and points as two collections, each of one geometry type', async () => {
    const footprints = await get('/ogc/collections/buildings/items').expect(200);
    const points = await get('/ogc/collections/building_points/items').expect(200);
    const typesOf = (body: { features: { geometry: { type: string } }[] }) => new Set(body.features.map((feature) => feature.geometry.type));
    expect(typesOf(footprints.body)).toEqual(new Set(['Polygon']));
    expect(typesOf(points.body)).toEqual(new Set(['Point']));
    expect(idsOf(footprints.body)).not.toContain(pointOnly);
    expect(idsOf(points.body)).toEqual([FIXTURE.westHouse, FIXTURE.westShop, FIXTURE.eastHouse, pointOnly]);
    await get(`/ogc/collections/buildings/items/${pointOnly}`).expect(404);
    const point = await get(`/ogc/collections/building_points/items/${pointOnly}`).expect(200);
    expect(point.body.geometry).toEqual({ type: 'Point', coordinates: [114.221, 22.701] });
  });

  it('answers 304 to a client revalidating an unchanged page, and 200 once the data change', async () => {
    // One host for every request: supertest gives each request its own port, and links carry it.
    const fromGis = (url: string) => get(url).set('Host', 'gis.example.org');
    const url = '/ogc/collections/grids/items?limit=5';
    const first = await fromGis(url).expect(200);
    const tag = defined(first.headers.etag, 'an ETag');
    expect(tag).toBeTruthy();
    await fromGis(url).set('If-None-Match', tag).expect(304);
    expect((await fromGis(`${url}&offset=1`).expect(200)).headers.etag).not.toBe(tag);
    await editShapesByHand(t.handle.db, sql`UPDATE grids SET name = '三角网格（新）' WHERE code = ${triangleGrid}`);
    const changed = await fromGis(url).set('If-None-Match', tag).expect(200);
    expect(changed.headers.etag).not.toBe(tag);
  });
});

describe('OGC API and tiles: transport', () => {
  it('compresses feature pages with br or gzip, as the client asks', async () => {
    // Bodies under 1 KB go as they are (compressing them saves nothing): this page is larger.
    const url = '/ogc/collections/building_points/items';
    const plain = await get(url).set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBeGreaterThan(1024);
    const brotli = await get(url).set('Accept-Encoding', 'br').expect(200);
    expect(brotli.headers['content-encoding']).toBe('br');
    const gzip = await get(url).set('Accept-Encoding', 'gzip').expect(200);
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.body.type).toBe('FeatureCollection');
  });

  it('lets web clients of other origins read the public service documents', async () => {
    const response = await request(t.app).get('/ogc/collections').set('Origin', 'https://gis.example.org').expect(200);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });

  it.each(['/tiles', '/tiles/', '/tiles/nowhere', '/ogc/nowhere'])('answers %s with a JSON 404, never the dashboard page', async (path) => {
    const response = await get(path).expect(404);
    // Under /ogc an error is an RFC 7807 problem (application/problem+json), JSON all the same.
    expect(response.headers['content-type']).toMatch(/^application\/(problem\+)?json/);
  });
});

describe('OGC API Features: sortby, properties and queryables', () => {
  const buildingIds = async (query: string) => idsOf((await get(`/ogc/collections/building_points/items?${query}`).expect(200)).body);

  it('sorts by queryables, ties in code order, and keeps the order across pages', async () => {
    // Floors: west house 3, west shop 1, east house 2 (and later buildings of this file).
    const byFloorsDescending = await buildingIds('sortby=-floors&limit=3');
    expect(byFloorsDescending[0]).toBe(FIXTURE.westHouse);
    const first = await get('/ogc/collections/building_points/items?sortby=floors,-code&limit=2').expect(200);
    const next = new URL(linkOf(first.body.links, 'next')!.href);
    expect(next.searchParams.get('sortby')).toBe('floors,-code');
    const second = await get(next.pathname + next.search).expect(200);
    const all = await buildingIds('sortby=floors,-code&limit=100');
    expect([...idsOf(first.body), ...idsOf(second.body)]).toEqual(all.slice(0, idsOf(first.body).length + idsOf(second.body).length));
    const floors = (await get('/ogc/collections/building_points/items?sortby=floors,-code&limit=100').expect(200)).body.features.map(
      (feature: { properties: { floors: number } }) => feature.properties.floors,
    );
    expect(floors).toEqual([...floors].sort((a: number, b: number) => a - b));
  });

  it('returns only the asked properties, and carries them to the next page', async () => {
    const response = await get('/ogc/collections/statistics/items?properties=name,residents&limit=1').expect(200);
    expect(Object.keys(response.body.features[0].properties)).toEqual(['name', 'residents']);
    expect(response.body.features[0].geometry).toBeTruthy();
    expect(new URL(linkOf(response.body.links, 'next')!.href).searchParams.get('properties')).toBe('name,residents');
  });

  it.each([
    ['grids', 'sortby=colour', 'sortby', /not a queryable/],
    ['statistics', 'sortby=residents', 'sortby', /not a queryable/],
    ['grids', 'sortby=code;drop', 'sortby', /separated by commas/],
    ['grids', 'properties=secret', 'properties', /not a property/],
  ])('answers 400 to %s?%s naming %s', async (collection, query, field, message) => {
    const response = await get(`/ogc/collections/${collection}/items?${query}`).expect(400);
    expect(response.body.fields).toContainEqual(
      expect.objectContaining({ field, message: expect.stringMatching(message), messageZh: expect.stringMatching(/[\u4e00-\u9fff]/) }),
    );
  });

  it('describes the queryables as JSON Schema, linked from the collection and declared in conformance', async () => {
    const response = await request(t.app).get('/ogc/collections/buildings/queryables').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/schema\+json/);
    expect(response.body).toMatchObject({ type: 'object', properties: { floors: { type: 'integer' }, code: { type: 'string' } } });
    const collection = await request(t.app).get('/ogc/collections/buildings').expect(200);
    expect(collection.body.links).toContainEqual(expect.objectContaining({ rel: 'http://www.opengis.net/def/rel/ogc/1.0/queryables' }));
    const conformance = await request(t.app).get('/ogc/conformance').expect(200);
    expect(conformance.body.conformsTo).toContain('http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables');
    await request(t.app).get('/ogc/collections/roads/queryables').expect(404);
  });
});
