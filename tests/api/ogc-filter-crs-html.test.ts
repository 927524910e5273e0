import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { writeCounted } from '../helpers/hand-edits.ts';

/** OGC API Features Part 3 (CQL2 filter), Part 2 (crs), the HTML encoding and RFC 7807 problems (issue 22 item 5). */

let t: TestApp;
let reader: LoggedIn;
const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
const EPSG_4326 = 'http://www.opengis.net/def/crs/EPSG/0/4326';
const HOSTILE_ADDRESS = '<script>alert(1)</script>"&\'';

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'planner', 'planner');
  reader = await t.logIn('planner');
  // A point-only building, and an address to escape.
  await writeCounted(t.handle.db, 'buildings', [`${FIXTURE.gridEast}00002`], (trx) =>
    sql`INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, point)
            VALUES (${`${FIXTURE.gridEast}00002`}, left(${FIXTURE.gridEast}, 9), ${FIXTURE.gridEast}, '测试路2号', 5, 'residential', 'gated', ST_SetSRID(ST_MakePoint(114.216, 22.706), 4326))`.execute(
      trx,
    ),
  );
  await writeCounted(t.handle.db, 'buildings', [FIXTURE.westShop], (trx) =>
    sql`UPDATE buildings SET address = ${HOSTILE_ADDRESS} WHERE code = ${FIXTURE.westShop}`.execute(trx),
  );
});
afterAll(async () => t?.close());

const items = (collection: string, query: Record<string, string>) => reader.get(`/ogc/collections/${collection}/items?${new URLSearchParams(query)}`);
const matched = async (collection: string, query: Record<string, string>) => (await items(collection, query).expect(200)).body.numberMatched as number;
const count = async (query: ReturnType<typeof sql<{ n: number }>>) => (await query.execute(t.handle.db)).rows[0]!.n;

describe('CQL2 filter (OGC API Features Part 3)', () => {
  // Each filter, with the plain SQL that counts the same rows.
  const cases: [string, string, ReturnType<typeof sql<{ n: number }>>][] = [
    ['building_points', 'floors >= 2', sql`SELECT count(*)::int AS n FROM buildings WHERE floors >= 2`],
    [
      'building_points',
      "use = 'urban_village' AND floors BETWEEN 1 AND 3",
      sql`SELECT count(*)::int AS n FROM buildings WHERE use = 'urban_village' AND floors BETWEEN 1 AND 3`,
    ],
    [
      'building_points',
      "NOT (use IN ('urban_village', 'shop')) OR address LIKE '测试路%'",
      sql`SELECT count(*)::int AS n FROM buildings WHERE NOT (use IN ('urban_village','shop')) OR address LIKE '测试路%'`,
    ],
    ['areas', 'parentCode IS NULL', sql`SELECT count(*)::int AS n FROM admin_areas WHERE parent_code IS NULL`],
    [
      'building_points',
      'managementMode IS NOT NULL and floors <> 3',
      sql`SELECT count(*)::int AS n FROM buildings WHERE management_mode IS NOT NULL AND floors <> 3`,
    ],
    ['buildings', 'floors < 3', sql`SELECT count(*)::int AS n FROM buildings WHERE footprint IS NOT NULL AND floors < 3`],
    [
      'areas',
      "level = 'community' OR parentCode = '440307'",
      sql`SELECT count(*)::int AS n FROM admin_areas WHERE level = 'community' OR parent_code = '440307'`,
    ],
    ['grids', `code > '${FIXTURE.gridWest}'`, sql`SELECT count(*)::int AS n FROM grids WHERE code > ${FIXTURE.gridWest}`],
    [
      'buildings',
      'S_INTERSECTS(geometry, BBOX(114.21, 22.7, 114.22, 22.71))',
      sql`SELECT count(*)::int AS n FROM buildings WHERE ST_Intersects(footprint, ST_MakeEnvelope(114.21, 22.7, 114.22, 22.71, 4326))`,
    ],
    [
      'building_points',
      'S_INTERSECTS(geometry, POLYGON((114.2 22.7, 114.215 22.7, 114.215 22.71, 114.2 22.71, 114.2 22.7))) AND floors > 0',
      sql`SELECT count(*)::int AS n FROM buildings WHERE floors > 0 AND ST_Intersects(point, ST_GeomFromText('POLYGON((114.2 22.7,114.215 22.7,114.215 22.71,114.2 22.71,114.2 22.7))', 4326))`,
    ],
  ];

  it.each(cases)('%s?filter=%s counts what plain SQL counts', async (collection, filter, plain) => {
    const expected = await count(plain);
    const response = await items(collection, { filter, limit: '1000' }).expect(200);
    expect(response.body.numberMatched).toBe(expected);
    expect(response.body.numberReturned).toBe(expected);
  });

  it('reads cql2-json as it reads the same filter in text, and carries the filter into the next page', async () => {
    const json = {
      op: 'and',
      args: [
        { op: '>=', args: [{ property: 'floors' }, 1] },
        { op: 'in', args: [{ property: 'use' }, ['urban_village', 'residential']] },
      ],
    };
    const fromJson = await matched('building_points', { filter: JSON.stringify(json), 'filter-lang': 'cql2-json' });
    expect(fromJson).toBe(await matched('building_points', { filter: "floors >= 1 AND use IN ('urban_village', 'residential')" }));
    expect(fromJson).toBe(await count(sql`SELECT count(*)::int AS n FROM buildings WHERE floors >= 1 AND use IN ('urban_village','residential')`));
    const first = await items('building_points', { filter: 'floors >= 1', limit: '1' }).expect(200);
    const next = new URL(first.body.links.find((link: { rel: string }) => link.rel === 'next').href);
    expect(next.searchParams.get('filter')).toBe('floors >= 1');
    const second = await reader.get(next.pathname + next.search).expect(200);
    expect(second.body.numberMatched).toBe(first.body.numberMatched);
  });

  it('describes the geometry among the queryables and declares only the classes it meets', async () => {
    const queryables = await request(t.app).get('/ogc/collections/buildings/queryables').expect(200);
    expect(queryables.body.properties.geometry).toMatchObject({ format: 'geometry-any' });
    const { conformsTo } = (await request(t.app).get('/ogc/conformance').expect(200)).body;
    expect(conformsTo).toEqual(
      expect.arrayContaining([
        'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter',
        'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter',
        'http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2',
        'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
        'http://www.opengis.net/spec/cql2/1.0/conf/cql2-json',
        'http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs',
        'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html',
      ]),
    );
    // Not met, so not claimed: temporal and array operators, functions, the full spatial set.
    expect(conformsTo.filter((uri: string) => /temporal|array|functions|spatial-functions|property-property/.test(uri))).toEqual([]);
  });

  const hostile: [string, Record<string, string>, RegExp][] = [
    ['an injection after a literal', { filter: "code = '1'; DROP TABLE buildings; --" }, /;|read/],
    ['an injection inside a quoted name', { filter: '"code; DROP TABLE buildings" = 1' }, /read/],
    ['a function call', { filter: 'pg_sleep(5) = 1' }, /pg_sleep|comparison/],
    ['an unknown property', { filter: "password = 'x'" }, /password is not a queryable of building_points/],
    ['a column of the table that is not a queryable', { filter: 'footprint IS NULL' }, /footprint is not a queryable/],
    ['a person table name', { filter: "persons.id_number = '1'" }, /read/],
    ['a string compared with a number', { filter: "floors = 'three'" }, /different types/],
    ['LIKE on a number', { filter: 'floors LIKE 1' }, /does not take number/],
    ['nesting 1,000 deep', { filter: `${'('.repeat(1000)}floors = 1${')'.repeat(1000)}` }, /nested deeper than 20/],
    [
      'cql2-json nesting deep',
      { 'filter-lang': 'cql2-json', filter: `${'{"op":"not","args":['.repeat(50)}{"op":"=","args":[{"property":"floors"},1]}${']}'.repeat(50)}` },
      /nested deeper/,
    ],
    ['cql2-json that is not JSON', { 'filter-lang': 'cql2-json', filter: 'floors = 1' }, /not valid JSON/],
    ['an unknown cql2-json operator', { 'filter-lang': 'cql2-json', filter: '{"op":"sql","args":["1=1"]}' }, /unknown operator/],
    ['a polygon ring left open', { filter: 'S_INTERSECTS(geometry, POLYGON((114.2 22.7, 114.3 22.7, 114.3 22.8)))' }, /POLYGON is not valid/],
    ['a bbox beyond WGS84', { filter: 'S_INTERSECTS(geometry, BBOX(114, 22, 200, 23))' }, /WGS84/],
    ['an unfinished expression', { filter: 'floors >=' }, /ends too early/],
    ['a very long filter', { filter: `floors IN (${Array.from({ length: 1200 }, (_, index) => index).join(',')})` }, /at most 4000 characters/],
  ];

  it.each(hostile)('answers %s with 400 naming filter in English and Chinese, changing nothing', async (_label, query, message) => {
    const before = await count(sql`SELECT count(*)::int AS n FROM buildings`);
    const response = await items('building_points', query).expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.fields).toHaveLength(1);
    expect(response.body.fields[0]).toMatchObject({
      field: 'filter',
      message: expect.stringMatching(message),
      messageZh: expect.stringMatching(/[\u4e00-\u9fff]/),
    });
    expect(await count(sql`SELECT count(*)::int AS n FROM buildings`)).toBe(before);
  });

  it('documents filter, filter-lang, filter-crs, crs and bbox-crs in the OpenAPI document', async () => {
    const document = (await request(t.app).get('/api/openapi.json').expect(200)).body;
    const names = (path: string) => document.paths[path].get.parameters.map((parameter: { name: string }) => parameter.name);
    expect(names('/ogc/collections/{collectionId}/items')).toEqual(expect.arrayContaining(['filter', 'filter-lang', 'filter-crs', 'crs', 'bbox-crs', 'f']));
    expect(names('/ogc/collections/{collectionId}/items/{featureId}')).toEqual(expect.arrayContaining(['crs', 'f']));
  });

  it('refuses an unknown filter-lang or filter-crs', async () => {
    expect((await items('grids', { filter: 'code = 1', 'filter-lang': 'sql' }).expect(400)).body.fields[0].field).toBe('filter-lang');
    expect((await items('grids', { filter: "code = '1'", 'filter-crs': EPSG_4326 }).expect(400)).body.fields[0].field).toBe('filter-crs');
  });
});

describe('crs (OGC API Features Part 2)', () => {
  it('lists crs and storageCrs; answers CRS84 by default and EPSG:4326 in latitude-longitude order', async () => {
    const collection = await request(t.app).get('/ogc/collections/building_points').expect(200);
    expect(collection.body).toMatchObject({ crs: [CRS84, EPSG_4326], storageCrs: CRS84 });
    const url = `/ogc/collections/building_points/items/${FIXTURE.gridEast}00002`;
    const plain = await reader.get(url).expect(200);
    expect(plain.headers['content-crs']).toBe(`<${CRS84}>`);
    expect(plain.body.geometry.coordinates).toEqual([114.216, 22.706]);
    const latLon = await reader.get(`${url}?crs=${encodeURIComponent(EPSG_4326)}`).expect(200);
    expect(latLon.headers['content-crs']).toBe(`<${EPSG_4326}>`);
    expect(latLon.body.geometry.coordinates).toEqual([22.706, 114.216]);
    const page = await items('building_points', { crs: EPSG_4326, filter: `code = '${FIXTURE.gridEast}00002'` }).expect(200);
    expect(page.headers['content-crs']).toBe(`<${EPSG_4326}>`);
    expect(page.body.features[0].geometry.coordinates).toEqual([22.706, 114.216]);
  });

  it('reads bbox-crs EPSG:4326 as lat,lon, and carries bbox and crs into the next page as given', async () => {
    const lonLat = await items('building_points', { bbox: '114.21,22.7,114.22,22.71' }).expect(200);
    const latLon = await items('building_points', { bbox: '22.7,114.21,22.71,114.22', 'bbox-crs': EPSG_4326, crs: EPSG_4326, limit: '1' }).expect(200);
    expect(latLon.body.numberMatched).toBe(lonLat.body.numberMatched);
    expect(latLon.body.numberMatched).toBe(2);
    const next = new URL(latLon.body.links.find((link: { rel: string }) => link.rel === 'next').href);
    expect(Object.fromEntries(next.searchParams)).toMatchObject({ bbox: '22.7,114.21,22.71,114.22', 'bbox-crs': EPSG_4326, crs: EPSG_4326 });
    // As lon,lat the same numbers are out of range: latitude 114 does not exist.
    const wrongOrder = await items('building_points', { bbox: '114.21,22.7,114.22,22.71', 'bbox-crs': EPSG_4326 }).expect(400);
    expect(wrongOrder.body.fields[0]).toMatchObject({ field: 'bbox', message: expect.stringMatching(/WGS84/) });
  });

  it('offers no other system: no EPSG code for GCJ-02, no web mercator', async () => {
    for (const crs of ['http://www.opengis.net/def/crs/EPSG/0/3857', 'GCJ-02', 'EPSG:4326']) {
      const response = await items('grids', { crs }).expect(400);
      expect(response.body.fields[0]).toMatchObject({ field: 'crs', messageZh: expect.stringMatching(/[\u4e00-\u9fff]/) });
    }
    await items('grids', { 'bbox-crs': 'http://www.opengis.net/def/crs/EPSG/0/3857', bbox: '0,0,1,1' }).expect(400);
  });
});

describe('HTML pages (f=html, or Accept: text/html)', () => {
  const browser = (url: string) => reader.get(url).set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');

  it.each(['/ogc', '/ogc/collections', '/ogc/collections/grids', '/ogc/conformance', '/ogc/collections/grids/queryables'])(
    'serves %s as HTML to a browser, as JSON to others',
    async (url) => {
      const page = await browser(url).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toMatch(/^<!DOCTYPE html>/);
      expect(page.text).not.toMatch(/<script|<style|\sstyle=|\son\w+=/i);
      expect(page.headers['vary']).toMatch(/Accept/);
      expect((await reader.get(url).set('Accept', '*/*').expect(200)).headers['content-type']).toMatch(/json/);
      expect((await browser(`${url}?f=json`).expect(200)).headers['content-type']).toMatch(/json/);
    },
  );

  it('links the pages to one another in HTML', async () => {
    const collections = await reader.get('/ogc/collections?f=html').expect(200);
    expect(collections.text).toMatch(/href="http:\/\/127\.0\.0\.1:\d+\/ogc\/collections\/grids\/items\?f=html"/);
    expect(collections.text).toContain('Building footprints');
    // The JSON documents point at their HTML page too.
    const landing = await reader.get('/ogc').expect(200);
    expect(landing.body.links).toContainEqual(expect.objectContaining({ rel: 'alternate', type: 'text/html', href: expect.stringMatching(/\/ogc\?f=html$/) }));
    const page = await items('grids', { limit: '1' }).expect(200);
    expect(page.body.links).toContainEqual(expect.objectContaining({ rel: 'alternate', type: 'text/html', href: expect.stringMatching(/items\?.*f=html/) }));
  });

  it('shows items as a table of properties, escaped, linking each feature and the next page', async () => {
    const page = await items('buildings', { f: 'html', limit: '2' }).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<th>address</th>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#39;');
    expect(page.text).not.toContain(HOSTILE_ADDRESS);
    expect(page.text).not.toMatch(/<script/i);
    expect(page.text).toContain(`/ogc/collections/buildings/items/${FIXTURE.westHouse}?f=html`);
    expect(page.text).toMatch(/offset=2[^"]*f=html|f=html[^"]*offset=2/);
    const item = await browser(`/ogc/collections/buildings/items/${FIXTURE.westShop}`).expect(200);
    expect(item.text).toContain('<th scope="row">address</th><td>&lt;script&gt;');
    expect(item.text).not.toMatch(/<script/i);
  });
});

describe('errors under /ogc are RFC 7807 problem details', () => {
  it('answers a bad query with type, title, status, detail and the fields, and leaves /api errors as they are', async () => {
    const response = await items('grids', { limit: '0' }).expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: 'urn:renwu:error:invalid_request',
      title: 'Bad Request',
      status: 400,
      detail: expect.stringMatching(/limit/),
      code: 'invalid_request',
      detailZh: expect.stringMatching(/[\u4e00-\u9fff]/),
      fields: [expect.objectContaining({ field: 'limit', messageZh: expect.stringMatching(/[\u4e00-\u9fff]/) })],
    });
    const missing = await reader.get('/ogc/collections/roads').expect(404);
    expect(missing.body).toMatchObject({ type: 'urn:renwu:error:not_found', title: 'Not Found', status: 404, code: 'not_found' });
    const unauthenticated = await request(t.app).get('/ogc/collections/grids/items').expect(401);
    expect(unauthenticated.body).toMatchObject({ status: 401, code: 'unauthenticated' });
    const api = await reader.get('/api/nowhere').expect(404);
    expect(api.headers['content-type']).toMatch(/^application\/json/);
    expect(api.body.error.code).toBe('no_route');
  });
});
