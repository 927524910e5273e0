import { sql } from 'kysely';
import { PMTiles, TileType, Compression, type Source } from 'pmtiles';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tileIdOf } from '../../server/tiles/pmtiles.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { ENGINE_UNDER_TEST } from '../helpers/database.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { asBinary, codesOf, decodeTile, insertResidents } from '../helpers/tiles-ogc-fixtures.ts';
import { defined } from '../helpers/defined.ts';
import { editShapesByHand } from '../helpers/hand-edits.ts';

// The fixture city (lon 114.20–114.22, lat 22.70–22.71): z13 6694/3565 holds all of it,
// z14 13389/7130 both grids (see tests/api/tiles.test.ts).
const ALL_Z13 = [13, 6694, 3565] as const;
const BOTH_GRIDS_Z14 = [14, 13389, 7130] as const;

let t: TestApp;
let leader: LoggedIn;

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'leader', 'leader');
  await insertUser(t.handle.db, 'planner', 'planner', [FIXTURE.gridWest]);
  await insertUser(t.handle.db, 'collector', 'collector', [FIXTURE.gridWest]);
  // West grid: 5 current residents (published); east grid: 4 (withheld, below k=5).
  await insertResidents(t.handle.db, fixtureUnitCode(FIXTURE.westHouse, 1, 1), 5, 1);
  await insertResidents(t.handle.db, fixtureUnitCode(FIXTURE.eastHouse, 1, 1), 4, 11);
  leader = await t.logIn('leader');
});
afterAll(async () => t?.close());

/** A pmtiles Source over the downloaded bytes, as a client reading the file from disk would have. */
function bufferSource(bytes: Buffer): Source {
  return {
    getKey: () => 'download.pmtiles',
    getBytes: async (offset, length) => ({ data: new Uint8Array(bytes.subarray(offset, offset + length)).buffer }),
  };
}

async function download(agent: LoggedIn, query: string) {
  const response = await asBinary(agent.get(`/api/exports/pmtiles?${query}`)).expect(200);
  return { response, archive: new PMTiles(bufferSource(response.body)) };
}

async function tileOf(archive: PMTiles, [z, x, y]: readonly [number, number, number]) {
  const tile = await archive.getZxy(z, x, y);
  return tile ? decodeTile(Buffer.from(tile.data)) : {};
}

describe(`PMTiles export (${ENGINE_UNDER_TEST})`, () => {
  it('places tiles on the Hilbert curve as the spec does', () => {
    expect(tileIdOf({ z: 0, x: 0, y: 0 })).toBe(0);
    expect(
      (
        [
          [0, 0],
          [0, 1],
          [1, 1],
          [1, 0],
        ] as const
      ).map(([x, y]) => tileIdOf({ z: 1, x, y })),
    ).toEqual([1, 2, 3, 4]);
    expect(tileIdOf({ z: 2, x: 0, y: 0 })).toBe(5);
  });

  it('writes an archive the pmtiles reader opens: gzipped MVT, the zooms asked for, the area’s bounds, the layers’ fields', async () => {
    const { response, archive } = await download(leader, 'minzoom=12&maxzoom=14');
    expect(response.headers['content-type']).toBe('application/vnd.pmtiles');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="tiles-440307-[\d-]+\.pmtiles"$/);
    const header = await archive.getHeader();
    expect(header).toMatchObject({
      specVersion: 3,
      tileType: TileType.Mvt,
      tileCompression: Compression.Gzip,
      internalCompression: Compression.Gzip,
      minZoom: 12,
      maxZoom: 14,
    });
    expect([header.minLon, header.minLat, header.maxLon, header.maxLat].map((degrees) => Number(degrees.toFixed(5)))).toEqual([114.2, 22.7, 114.22, 22.71]);
    const metadata = (await archive.getMetadata()) as { vector_layers: { id: string; fields: Record<string, string> }[] };
    expect(metadata.vector_layers.map((layer) => layer.id)).toEqual(['areas', 'grids', 'statistics']);
    expect(Object.keys(defined(metadata.vector_layers[2], 'the statistics layer').fields)).toContain('residents');
  });

  it('holds areas, grids and k-anonymised statistics in each tile, with numeric feature ids', async () => {
    const { archive } = await download(leader, 'minzoom=12&maxzoom=14');
    const tile = await tileOf(archive, BOTH_GRIDS_Z14);
    // Each area's shape and its label point (server/tiles/layers.ts).
    expect(codesOf(tile.areas?.filter((feature) => feature.type === 'Polygon'))).toEqual([FIXTURE.district, FIXTURE.street, FIXTURE.community].sort());
    expect(codesOf(tile.areas?.filter((feature) => feature.type === 'Point'))).toEqual([FIXTURE.district, FIXTURE.street, FIXTURE.community].sort());
    expect(codesOf(tile.grids)).toEqual([FIXTURE.gridWest, FIXTURE.gridEast]);
    const byCode = Object.fromEntries(defined(tile.statistics, 'the statistics layer').map((cell) => [cell.properties.code, cell.properties]));
    expect(byCode[FIXTURE.gridWest]?.residents).toBe(5);
    // Four residents: withheld, as in the served tiles.
    expect(byCode[FIXTURE.gridEast]).not.toHaveProperty('residents');
    expect(
      defined(tile.grids, 'the grids layer')
        .map((grid) => grid.id)
        .sort(),
    ).toEqual([Number(FIXTURE.gridWest), Number(FIXTURE.gridEast)].sort());
    // Statistics start at z12, grids at z11: a z13 tile holds both; zooms outside the archive hold nothing.
    expect(Object.keys(await tileOf(archive, ALL_Z13)).sort()).toEqual(['areas', 'grids', 'statistics']);
    expect(await archive.getZxy(15, 26779, 14261)).toBeUndefined();
  });

  it('takes only the layers asked for', async () => {
    const { archive } = await download(leader, 'layers=grids&minzoom=14&maxzoom=14');
    expect(Object.keys(await tileOf(archive, BOTH_GRIDS_Z14))).toEqual(['grids']);
  });

  it('covers only the caller’s jurisdiction', async () => {
    const planner = await t.logIn('planner');
    const { response, archive } = await download(planner, 'minzoom=14&maxzoom=14');
    expect(response.headers['content-disposition']).toContain(`tiles-${FIXTURE.gridWest}-`);
    const tile = await tileOf(archive, BOTH_GRIDS_Z14);
    expect(codesOf(tile.grids)).toEqual([FIXTURE.gridWest]);
    expect(codesOf(tile.statistics)).toEqual([FIXTURE.gridWest]);
    expect(tile.areas).toBeUndefined();
  });

  it.each([
    ['maxzoom=17', 'maxzoom', /between 0 and 16/],
    ['minzoom=x', 'minzoom', /whole number/],
    ['minzoom=14&maxzoom=12', 'maxzoom', /not be below minzoom/],
    ['layers=grids,persons', 'layers', /areas, grids, statistics/],
  ])('rejects %s with 400 naming %s', async (query, field, message) => {
    const response = await leader.get(`/api/exports/pmtiles?${query}`).expect(400);
    expect(response.body.error.details.fields).toEqual([
      expect.objectContaining({ field, message: expect.stringMatching(message), messageZh: expect.stringMatching(/须|不能/) }),
    ]);
  });

  it('refuses an archive of too many tiles, naming maxzoom', async () => {
    // A district a degree wide: ~180 × 180 tiles at z16.
    await editShapesByHand(
      t.handle.db,
      sql`INSERT INTO admin_areas (code, level, parent_code, name, geom)
              VALUES ('440399', 'district', NULL, '大区', ST_GeomFromText('MULTIPOLYGON(((113 22,114 22,114 23,113 23,113 22)))', 4326))`,
    );
    await insertUser(t.handle.db, 'wide', 'leader', ['440399']);
    const wide = await t.logIn('wide');
    const response = await wide.get('/api/exports/pmtiles?minzoom=16&maxzoom=16').expect(400);
    expect(response.body.error.code).toBe('export_too_large');
    expect(response.body.error.details.fields).toEqual([expect.objectContaining({ field: 'maxzoom' })]);
  });

  it('is for the layer exporters: a collector gets 403, a stranger 401', async () => {
    const collector = await t.logIn('collector');
    await collector.get('/api/exports/pmtiles').expect(403);
    await request(t.app).get('/api/exports/pmtiles').expect(401);
  });
});
