import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzippedOnce, MIN_GZIPPED_TILE_BYTES } from '../../server/tiles/gzipped-tiles.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { asBinary, layerOf } from '../helpers/tiles-ogc-fixtures.ts';

/**
 * Tiles are sent gzipped, from a copy made once per kept tile (issue 18: the compression middleware
 * never compressed MVT, a media type it does not know as compressible, so a z11 grid tile went out as
 * ~90 KB raw). The fixture city with 200 more buildings in the west grid, so that its z14 buildings
 * tile is worth compressing.
 */
const WEST_Z14 = '14/13389/7130';
let t: TestApp;
let leader: LoggedIn;

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'leader', 'leader');
  await sql`INSERT INTO buildings (code, grid_code, address, floors, use, management_mode, point)
            SELECT ${FIXTURE.gridWest} || lpad(n::text, 5, '0'), ${FIXTURE.gridWest}, '测试路' || n || '号', 6, 'residential', 'patrol',
                   ST_SetSRID(ST_MakePoint(114.2005 + (n % 20) * 0.0004, 22.7005 + (n / 20) * 0.0004), 4326)
            FROM generate_series(100, 299) AS n`.execute(t.handle.db);
  leader = await t.logIn('leader');
});
afterAll(async () => t?.close());

const tile = (encoding: string) => asBinary(leader.get(`/tiles/buildings/${WEST_Z14}.mvt`).set('Accept-Encoding', encoding)).expect(200);

describe('tiles sent gzipped', () => {
  it('sends a tile gzipped whole, with its length, the same tile as sent plain, kept or not', async () => {
    const plain = await tile('identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThanOrEqual(MIN_GZIPPED_TILE_BYTES);
    expect(layerOf(plain.body, 'buildings').length).toBeGreaterThan(200);
    for (const _answer of ['first', 'kept']) {
      const zipped = await tile('gzip, deflate, br');
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers.vary).toMatch(/Accept-Encoding/);
      // A copy made before sending has its length (a stream gzipped while sent would be chunked).
      expect(Number(zipped.headers['content-length'])).toBeGreaterThan(0);
      expect(Number(zipped.headers['content-length'])).toBeLessThan(plain.body.length);
      // supertest unzips: the same bytes as the plain tile.
      expect(Buffer.compare(zipped.body, plain.body)).toBe(0);
    }
  });

  it('gzips the same bytes once', async () => {
    const content = new Uint8Array(4096).fill(7);
    expect(gzippedOnce(content)).toBe(gzippedOnce(content));
    expect(gzippedOnce(new Uint8Array(4096).fill(7))).not.toBe(gzippedOnce(content));
  });
});
