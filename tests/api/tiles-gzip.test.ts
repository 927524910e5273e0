import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipKept } from '../../server/http/json-writer.ts';
import { buildingTilesOf } from '../../server/tiles/building-tiles.ts';
import { gzippedOnce, MIN_GZIPPED_TILE_BYTES } from '../../server/tiles/gzipped-tiles.ts';
import { shapePyramidOf } from '../../server/tiles/shape-pyramid.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { asBinary, layerOf } from '../helpers/tiles-ogc-fixtures.ts';
import { editShapesByHand, writeCounted } from '../helpers/hand-edits.ts';

/**
 * Tiles are sent gzipped, from a copy made once per kept tile (issue 18: the compression middleware
 * never compressed MVT, a media type it does not know as compressible, so a z11 grid tile went out as
 * ~90 KB raw). Tiles rendered ahead (the shape pyramid, the building tiles) are kept with a gzipped
 * copy made by their builders (sql/0034), which is sent as it is: no request gzips them. The fixture
 * city with 200 more buildings and 78 small grids in the west grid, so that its z14 buildings tile and
 * its z13 grids tile are worth compressing.
 */
const WEST_Z14 = '14/13389/7130';
const CITY_Z13 = { z: 13, x: 6694, y: 3565 };
let t: TestApp;
let leader: LoggedIn;

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'leader', 'leader');
  await writeCounted(
    t.handle.db,
    'buildings',
    Array.from({ length: 200 }, (_, index) => `${FIXTURE.gridWest}${String(100 + index).padStart(5, '0')}`),
    (trx) =>
      sql`INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, point)
            SELECT ${FIXTURE.gridWest} || lpad(n::text, 5, '0'), left(${FIXTURE.gridWest}, 9), ${FIXTURE.gridWest}, '测试路' || n || '号', 6, 'residential', 'patrol',
                   ST_SetSRID(ST_MakePoint(114.2005 + (n % 20) * 0.0004, 22.7005 + (n / 20) * 0.0004), 4326)
            FROM generate_series(100, 299) AS n`.execute(trx),
  );
  await editShapesByHand(
    t.handle.db,
    sql`INSERT INTO grids (code, community_code, name, geom, area_km2)
            SELECT ${FIXTURE.community} || lpad(n::text, 2, '0'), ${FIXTURE.community}, '小网格' || n,
                   ST_Multi(ST_MakeEnvelope(114.2002 + (n % 10) * 0.0009, 22.7002 + (n / 10) * 0.0009, 114.2009 + (n % 10) * 0.0009, 22.7009 + (n / 10) * 0.0009, 4326)), 0.006
            FROM generate_series(3, 80) AS n`,
  );
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

interface KeptRow {
  content: Uint8Array;
  gzipped: Uint8Array | null;
}

/** The tile as sent to a client taking gzip: its Content-Length is that of the copy sent. */
const sentLength = async (url: string) => {
  const response = await asBinary(leader.get(url).set('Accept-Encoding', 'gzip')).expect(200);
  expect(response.headers['content-encoding']).toBe('gzip');
  return { length: Number(response.headers['content-length']), cache: response.headers['x-renwu-cache'], body: response.body as Buffer };
};

/**
 * A kept row's gzipped copy is its bytes, and what a request sends. The builders gzip at zlib's default
 * level, a first answer's copy is made at level 1: the length sent tells which one went out.
 */
async function expectKeptCopySent(row: KeptRow | undefined, url: string): Promise<void> {
  expect(row?.gzipped, url).toBeTruthy();
  const { content, gzipped } = row as { content: Uint8Array; gzipped: Uint8Array };
  expect(Buffer.compare(gunzipSync(gzipped), Buffer.from(content))).toBe(0);
  expect((await gzipKept(content)).length, 'a first answer would send another copy').not.toBe(gzipped.length);
  const sent = await sentLength(url);
  expect(sent.cache).toBe('stored');
  expect(sent.length).toBe(gzipped.length);
  expect(Buffer.compare(sent.body, Buffer.from(content))).toBe(0);
}

describe('tiles rendered ahead, kept gzipped', () => {
  it('sends a building tile rendered ahead as the gzipped copy its builder kept, and forgets the copy with the tile', async () => {
    await buildingTilesOf(t.handle.db).build(t.context);
    const kept = () => sql<KeptRow>`SELECT content, gzipped FROM building_tiles WHERE z = 14 AND x = 13389 AND y = 7130`.execute(t.handle.db);
    await expectKeptCopySent((await kept()).rows[0], `/tiles/buildings/${WEST_Z14}.mvt`);
    await writeCounted(t.handle.db, 'buildings', [FIXTURE.westHouse], (trx) =>
      sql`UPDATE buildings SET floors = floors + 1 WHERE code = ${FIXTURE.westHouse}`.execute(trx),
    );
    expect((await kept()).rows[0]).toEqual({ content: null, gzipped: null });
  });

  it('sends a grid tile of the shape pyramid as its gzipped copy, and keeps none for a tile sent as it is', async () => {
    const pyramid = shapePyramidOf(t.handle.db);
    pyramid.watch(t.context);
    await pyramid.built();
    pyramid.stop();
    const { z, x, y } = CITY_Z13;
    const kept = await sql<KeptRow>`SELECT content, gzipped FROM shape_tiles WHERE layer = 'grids' AND z = ${z} AND x = ${x} AND y = ${y}`.execute(t.handle.db);
    await expectKeptCopySent(kept.rows[0], `/tiles/grids/${z}/${x}/${y}.mvt`);
    const small = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM shape_tiles WHERE octet_length(content) < ${MIN_GZIPPED_TILE_BYTES} AND gzipped IS NOT NULL`.execute(t.handle.db);
    expect(small.rows[0]!.n).toBe(0);
  });
});
