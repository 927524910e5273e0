import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';

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

let t: TestApp;
let server: Server;
let datasource: string;
/** The session GDAL sends (GDAL_HTTP_COOKIE): features are read by signed-in users only. */
let sessionCookie = '';

// ogrinfo runs as a child process against a real listening server; execFile is asynchronous so
// that this process keeps answering its requests.
const ogrinfo = async (...args: string[]) =>
  (await run('ogrinfo', ['-ro', ...args], { timeout: 60_000, env: { ...process.env, GDAL_HTTP_COOKIE: sessionCookie } })).stdout;

/** Signs in over HTTP as a GIS user would in a browser, and keeps the session cookie's name=value. */
async function signIn(origin: string, username: string): Promise<string> {
  const response = await fetch(`${origin}/api/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: FIXTURE.password }),
  });
  const cookie = response.headers.getSetCookie().find((header) => header.startsWith('renwu_session='));
  if (!response.ok || !cookie) throw new Error(`login failed: ${response.status}`);
  return cookie.split(';')[0]!;
}

describe.runIf(gdalVersion)(`GDAL reads the OGC API (${gdalVersion})`, () => {
  beforeAll(async () => {
    t = await startTestApp();
    await insertFixtureCity(t.handle.db);
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

  it('lists the four collections with their feature counts', async () => {
    const summary = await ogrinfo('-so', '-al', datasource);
    const counts = Object.fromEntries([...summary.matchAll(/Layer name: (\w+)[\s\S]*?Feature Count: (\d+)/g)].map((match) => [match[1], Number(match[2])]));
    // The fixture city: district, street, community; two grids; three buildings.
    expect(counts).toEqual({ areas: 3, grids: 2, buildings: 3, statistics: 2 });
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
});
