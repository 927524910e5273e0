import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { geoPackageValidator, validateGeoPackage } from '../helpers/export-geopackage.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { writeCounted } from '../helpers/hand-edits.ts';

const run = promisify(execFile);

/** ogrinfo's version line, or undefined when GDAL is not installed. */
async function ogrinfoVersion(): Promise<string | undefined> {
  try {
    return (await run('ogrinfo', ['--version'])).stdout.trim();
  } catch {
    return undefined;
  }
}

const gdalVersion = await ogrinfoVersion();
if (!gdalVersion) {
  if (process.env.REQUIRE_GDAL === '1') throw new Error('REQUIRE_GDAL=1 but ogrinfo (gdal-bin) is not installed');
  process.stdout.write('\n[renwu tests] skipping the GDAL check of the OGC API: ogrinfo (gdal-bin) is not installed\n');
}

const pointOnly = `${FIXTURE.gridEast}00002`;
const validator = geoPackageValidator();

/** Where each collection's geometry is stored: the test counts ST_Intersects there, independently of the OGC code. */
const GEOMETRY_OF: Record<string, { table: string; column: string }> = {
  areas: { table: 'admin_areas', column: 'geom' },
  grids: { table: 'grids', column: 'geom' },
  statistics: { table: 'grids', column: 'geom' },
  buildings: { table: 'buildings', column: 'footprint' },
  building_points: { table: 'buildings', column: 'point' },
};

type Box = readonly [number, number, number, number];
const boxPolygon = ([minX, minY, maxX, maxY]: Box) => [
  [minX, minY],
  [maxX, minY],
  [maxX, maxY],
  [minX, maxY],
  [minX, minY],
];

/** PostGIS's count of the collection's rows whose geometry meets the polygon (the planner sees the whole fixture city). */
async function intersectingCount(collection: string, ring: number[][]): Promise<number> {
  const { table, column } = GEOMETRY_OF[collection]!;
  const wkt = `POLYGON((${ring.map(([x, y]) => `${x} ${y}`).join(',')}))`;
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}
    WHERE ST_Intersects(${sql.ref(column)}, ST_GeomFromText(${wkt}, 4326))`.execute(t.handle.db);
  return rows[0]!.n;
}
let t: TestApp;
let server: Server;
let datasource: string;
/** The session GDAL sends (GDAL_HTTP_COOKIE): features are read by signed-in users only. */
let sessionCookie = '';
/** The session's CSRF token, for the one write the test makes (creating an access token). */
let csrfToken = '';

// ogrinfo runs as a child process against a real listening server; execFile is asynchronous so
// that this process keeps answering its requests.
const ogrinfo = async (...args: string[]) =>
  (await run('ogrinfo', ['-ro', ...args], { timeout: 60_000, env: { ...process.env, GDAL_HTTP_COOKIE: sessionCookie } })).stdout;

/** Signs in over HTTP as a GIS user would in a browser, and keeps the session cookie's name=value. */
async function signIn(origin: string, username: string): Promise<string> {
  const response = await fetch(`${origin}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: FIXTURE.password }),
  });
  const cookie = response.headers.getSetCookie().find((header) => header.startsWith('renwu_session='));
  if (!response.ok || !cookie) throw new Error(`login failed: ${response.status}`);
  csrfToken = ((await response.json()) as { csrfToken: string }).csrfToken;
  return cookie.split(';')[0]!;
}

/** GET an OGC API document as the signed-in planner. */
async function ogcJson(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${datasource.replace(/^OAPIF:/, '')}${path}`, { headers: { Cookie: sessionCookie, Accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

const collectionIds = async () => ((await ogcJson('/collections')).collections as { id: string }[]).map((collection) => collection.id);

/** The API's numberMatched for the collection's items, with the query parameters given. */
async function numberMatched(collection: string, parameters: Record<string, string> = {}): Promise<number> {
  const query = new URLSearchParams({ limit: '1', ...parameters });
  return (await ogcJson(`/collections/${collection}/items?${query}`)).numberMatched as number;
}

describe.runIf(gdalVersion)(`GDAL reads the OGC API (${gdalVersion})`, () => {
  beforeAll(async () => {
    t = await startTestApp();
    await insertFixtureCity(t.handle.db);
    // A building known only by its point: Shapefile and GeoPackage layers hold one geometry type.
    await writeCounted(t.handle.db, 'buildings', [pointOnly], (trx) =>
      sql`INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, point)
              VALUES (${pointOnly}, left(${pointOnly}, 9), ${FIXTURE.gridEast}, '测试路2号', 1, 'residential', 'patrol', ST_SetSRID(ST_MakePoint(114.216, 22.706), 4326))`.execute(
        trx,
      ),
    );
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    datasource = `OAPIF:${origin}/ogc`;
    await insertUser(t.handle.db, 'gis-planner', 'planner');
    sessionCookie = await signIn(origin, 'gis-planner');
  });
  afterAll(async () => {
    if (server) await new Promise((resolve) => server.close(resolve));
    await t?.close();
  });

  it('lists the five collections with their feature counts', async () => {
    const summary = await ogrinfo('-so', '-al', datasource);
    const counts = Object.fromEntries([...summary.matchAll(/Layer name: (\w+)[\s\S]*?Feature Count: (\d+)/g)].map((match) => [match[1], Number(match[2])]));
    // The fixture city: district, street, community; two grids; three footprints and four building points.
    expect(counts).toEqual({ areas: 3, grids: 2, buildings: 3, building_points: 4, statistics: 2 });
  });

  it('reads every building with its attributes, following next links page by page', async () => {
    const listing = await ogrinfo('-oo', 'PAGE_SIZE=2', '-geom=SUMMARY', datasource, 'buildings');
    const codes = [...listing.matchAll(/code \(String\) = (\d{19})/g)].map((match) => match[1]);
    expect(codes).toEqual([FIXTURE.westHouse, FIXTURE.westShop, FIXTURE.eastHouse]);
    expect(listing).toMatch(/use \(String\) = urban_village/);
    expect(listing).toMatch(/POLYGON/);
  });

  it('filters by a spatial extent through bbox', async () => {
    const listing = await ogrinfo('-spat', '114.21', '22.70', '114.22', '22.71', '-geom=NO', datasource, 'buildings');
    const codes = [...listing.matchAll(/code \(String\) = (\d{19})/g)].map((match) => match[1]);
    expect(codes).toEqual([FIXTURE.eastHouse]);
  });

  it('filters by attribute (-where), whether GDAL sends it as a CQL2 filter or filters the pages itself', async () => {
    // Floors in the fixture: 3, 1, 2, and the point-only building 1.
    const listing = await ogrinfo('-geom=NO', '-where', "floors >= 2 AND use = 'urban_village'", datasource, 'building_points');
    const codes = [...listing.matchAll(/code \(String\) = (\d{19})/g)].map((match) => match[1]);
    const expected = await sql<{ code: string }>`SELECT code FROM buildings WHERE floors >= 2 AND use = 'urban_village' ORDER BY code`.execute(t.handle.db);
    expect(codes).toEqual(expected.rows.map((row) => row.code));
    expect(codes.length).toBeGreaterThan(0);
  });

  it.each(['GPKG', 'ESRI Shapefile'])('copies every collection /ogc/collections lists with ogr2ogr to %s, feature for feature', async (format) => {
    const collections = await collectionIds();
    expect(collections.sort()).toEqual(Object.keys(GEOMETRY_OF).sort());
    const folder = await mkdtemp(join(tmpdir(), 'renwu-ogr-'));
    try {
      for (const collection of collections) {
        const target = join(folder, format === 'GPKG' ? `${collection}.gpkg` : collection);
        await run('ogr2ogr', ['-f', format, target, datasource, collection], { timeout: 60_000, env: { ...process.env, GDAL_HTTP_COOKIE: sessionCookie } });
        const copied = (await run('ogrinfo', ['-ro', '-so', '-al', target])).stdout;
        expect(Number(copied.match(/Feature Count: (\d+)/)?.[1]), collection).toBe(await numberMatched(collection));
        if (format === 'GPKG' && validator) await validateGeoPackage(validator, target);
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  // Extents that cut through the fixture city's grids and buildings rather than holding all or none.
  const BOXES = [
    [114.2055, 22.701, 114.2165, 22.709],
    [114.212, 22.702, 114.218, 22.708],
    [114.19, 22.69, 114.2005, 22.7005],
  ] as const;

  it.each(BOXES)('bbox %s, %s, %s, %s (ogrinfo -spat) finds in every collection the features PostGIS ST_Intersects counts', async (...box) => {
    const polygon = boxPolygon(box);
    let cutCollections = 0;
    for (const collection of await collectionIds()) {
      const listing = await ogrinfo('-geom=NO', '-spat', ...box.map(String), datasource, collection);
      const found = listing.match(/^OGRFeature\(/gm)?.length ?? 0;
      const expected = await intersectingCount(collection, polygon);
      expect(found, `${collection} in ${box.join(',')}`).toBe(expected);
      if (expected > 0 && expected < (await numberMatched(collection))) cutCollections += 1;
    }
    // Each extent keeps some features of some collection and leaves others out: the filter is really applied.
    expect(cutCollections).toBeGreaterThan(0);
  });

  it.each(BOXES)('a CQL2 S_INTERSECTS filter (%s, %s, %s, %s) matches in every collection the PostGIS ST_Intersects count', async (...box) => {
    const polygon = boxPolygon(box);
    const filter = `S_INTERSECTS(geometry, POLYGON((${polygon.map(([x, y]) => `${x} ${y}`).join(', ')})))`;
    for (const collection of await collectionIds()) {
      const expected = await intersectingCount(collection, polygon);
      expect(await numberMatched(collection, { filter, 'filter-lang': 'cql2-text' }), `${collection} text`).toBe(expected);
      const json = { op: 's_intersects', args: [{ property: 'geometry' }, { type: 'Polygon', coordinates: [polygon] }] };
      expect(await numberMatched(collection, { filter: JSON.stringify(json), 'filter-lang': 'cql2-json' }), `${collection} json`).toBe(expected);
    }
  });

  it('reads with a personal access token instead of a cookie (GDAL_HTTP_HEADERS), as QGIS or a script would', async () => {
    const origin = datasource.replace(/^OAPIF:/, '').replace(/\/ogc$/, '');
    const created = await fetch(`${origin}/api/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: sessionCookie, 'X-CSRF-Token': csrfToken },
      body: JSON.stringify({ name: 'GDAL', expiresInDays: 1 }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    // The token only: no session cookie (GDAL_HTTP_COOKIE) in this environment.
    const { GDAL_HTTP_COOKIE: _cookie, ...environment } = process.env;
    const headers = { ...environment, GDAL_HTTP_HEADERS: `Authorization: Bearer ${token}` };
    const summary = (await run('ogrinfo', ['-ro', '-so', datasource, 'grids'], { timeout: 60_000, env: headers })).stdout;
    expect(summary).toMatch(/Feature Count: 2/);
    const tile = (await run('ogrinfo', ['-ro', '-so', '-al', `MVT:${origin}/tiles/grids/13/6694/3565.mvt`], { timeout: 60_000, env: headers })).stdout;
    expect(tile).toMatch(/Feature Count: 2/);
  });
});
