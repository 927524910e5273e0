import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../server/app.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

/**
 * The dashboard's page and scripts travel compressed when the client takes it (the leader's first
 * view is ~1.9 MB of scripts, ~0.5 MB gzipped). Needs the built dashboard (`npm run build`, which
 * CI runs before the tests); skipped with the reason where it is missing.
 */
const built = fs.existsSync(path.join(WEB_DIST, 'index.html'));
if (!built) console.warn(`dashboard-assets: skipped, no built dashboard at ${WEB_DIST} (npm run build)`);

let t: TestApp;
beforeAll(async () => {
  if (built) t = await startTestApp();
});
afterAll(async () => t?.close());

describe.skipIf(!built)('dashboard assets', () => {
  it('sends its scripts gzipped to a client that takes gzip, and plain to one that does not', async () => {
    // The page itself is under the 1 KiB below which compressing does not pay.
    const page = await request(t.app).get('/').expect(200);
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    const zipped = await request(t.app).get(script!).set('Accept-Encoding', 'gzip').expect(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const plain = await request(t.app).get(script!).set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.text).toBe(plain.text);
  });
});
