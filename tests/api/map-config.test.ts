import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../server/config.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';

/** The basemap setting: none by default (nothing fetched elsewhere), an intranet style URL when set. */
describe('basemap configuration', () => {
  let started: TestApp | undefined;
  afterEach(async () => {
    await started?.close();
    started = undefined;
  });

  async function appWith(environment: NodeJS.ProcessEnv): Promise<TestApp> {
    started = await startTestApp(environment);
    await insertFixtureCity(started.handle.db);
    await insertUser(started.handle.db, 'leader1', 'leader', []);
    return started;
  }

  it('has no basemap by default, and the CSP allows only this origin', async () => {
    const testApp = await appWith({});
    const leader = await testApp.logIn('leader1');
    const response = await leader.get('/api/map-config');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ basemap: null });
    const policy = response.headers['content-security-policy'];
    expect(policy).toContain("connect-src 'self';");
    expect(policy).toContain("img-src 'self' data: blob:;");
  });

  it('serves a configured style URL and its CRS, and lets the map fetch from that origin only', async () => {
    const testApp = await appWith({ BASEMAP_STYLE_URL: 'https://tiles.gov.example:8443/styles/street.json', BASEMAP_CRS: 'wgs84' });
    const leader = await testApp.logIn('leader1');
    const response = await leader.get('/api/map-config');
    expect(response.body).toEqual({ basemap: { styleUrl: 'https://tiles.gov.example:8443/styles/street.json', crs: 'wgs84' } });
    const policy = response.headers['content-security-policy'];
    expect(policy).toContain("connect-src 'self' https://tiles.gov.example:8443;");
    expect(policy).toContain("img-src 'self' data: blob: https://tiles.gov.example:8443;");
    expect(policy).toContain("default-src 'self';");
  });

  it('needs a login', async () => {
    const testApp = await appWith({});
    expect((await request(testApp.app).get('/api/map-config')).status).toBe(401);
  });

  it('defaults the CRS to wgs84 (天地图 is CGCS2000)', () => {
    expect(readConfig({ BASEMAP_STYLE_URL: 'http://10.1.2.3/style.json' }).basemap).toMatchObject({ crs: 'wgs84', origin: 'http://10.1.2.3' });
    expect(readConfig({ BASEMAP_STYLE_URL: '' }).basemap).toBeUndefined();
  });

  it('rejects a style URL that is not http(s) and an unknown CRS, naming the setting', () => {
    expect(() => readConfig({ BASEMAP_STYLE_URL: 'not a url' })).toThrow(/BASEMAP_STYLE_URL: must be an http\(s\) URL/);
    expect(() => readConfig({ BASEMAP_STYLE_URL: 'file:///etc/style.json' })).toThrow(/BASEMAP_STYLE_URL/);
    expect(() => readConfig({ BASEMAP_CRS: 'bd09' })).toThrow(/BASEMAP_CRS: must be wgs84 or gcj02/);
    expect(() => readConfig({ BASEMAP_CRS: 'GCJ02' })).toThrow(/BASEMAP_CRS: must be wgs84 or gcj02/);
  });

  it('accepts a GCJ-02 raster style (the browser shifts its tiles onto WGS84) and reports its CRS', async () => {
    const styleUrl = 'http://10.1.2.3:8080/styles/amap-raster.json';
    expect(readConfig({ BASEMAP_STYLE_URL: styleUrl, BASEMAP_CRS: 'gcj02' }).basemap).toMatchObject({ crs: 'gcj02', origin: 'http://10.1.2.3:8080' });
    const testApp = await appWith({ BASEMAP_STYLE_URL: styleUrl, BASEMAP_CRS: 'gcj02' });
    const leader = await testApp.logIn('leader1');
    const response = await leader.get('/api/map-config');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ basemap: { styleUrl, crs: 'gcj02' } });
    // The shifted tiles are fetched by the page (connect-src) from the office's origin only.
    expect(response.headers['content-security-policy']).toContain("connect-src 'self' http://10.1.2.3:8080;");
  });
});
