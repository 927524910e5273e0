import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TILE_LAYERS, type TileLayerName } from '../../server/tiles/layers.ts';
import { renderTile } from '../../server/tiles/service.ts';
import { createTileCache, type TileCache, type TileRenderer, type TileRequest } from '../../server/tiles/tile-cache.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity } from '../helpers/fixture-city.ts';
import { decodeTile, insertResidents } from '../helpers/tiles-ogc-fixtures.ts';

/**
 * The tile cache (server/tiles/tile-cache.ts, issue 18): after a data change the tiles people were
 * viewing are rendered again in the background, so the next pan finds them kept, and what is kept is
 * exactly what a fresh render gives, with the change in it; the cache never holds more bytes than its limit.
 * Tiles as in tests/api/tiles.test.ts: z14 13389/7130 holds the west grid, 13390/7130 the east one.
 */
let t: TestApp;
let render: TileRenderer;

const request = (layer: TileLayerName, x: number): TileRequest => ({ layer, tile: { z: 14, x, y: 7130 }, prefixes: null });
const WEST = 13389;
const EAST = 13390;

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  // East grid: 4 residents, withheld below k = 5 until a fifth moves in.
  await insertResidents(t.handle.db, fixtureUnitCode(FIXTURE.eastHouse, 1, 1), 4, 11);
  render = (trx, { layer, tile, prefixes }) => renderTile({ ...t.context, db: trx }, TILE_LAYERS[layer], tile, { prefixes });
});
afterAll(async () => t?.close());

const read = (cache: TileCache, asked: TileRequest) => cache.read(t.handle.db, asked, undefined, { render: (trx) => render(trx, asked) });
const residentsOfEast = (content: Uint8Array) =>
  decodeTile(Buffer.from(content)).statistics?.find((cell) => cell.properties.code === FIXTURE.gridEast)?.properties.residents;

describe('tile cache', () => {
  it('renders the viewed tiles again after a move-in, in the background, with the move-in in them', async () => {
    const cache = createTileCache(undefined, { db: t.handle.db, render });
    const east = request('statistics', EAST);
    const first = await read(cache, east);
    await read(cache, request('grids', WEST));
    expect(first.notModified || residentsOfEast(first.tile.content)).toBeUndefined();

    await insertResidents(t.handle.db, fixtureUnitCode(FIXTURE.eastHouse, 2, 1), 1, 31);
    // Any read at the new version starts the refill of the rest.
    const west = await read(cache, request('grids', WEST));
    expect(west.notModified === false && west.hit).toBe(false);
    await cache.refilled();

    const again = await read(cache, east);
    if (again.notModified) throw new Error('asked without an ETag');
    expect(again.hit).toBe(true);
    expect(again.etag).not.toBe(first.etag);
    expect(residentsOfEast(again.tile.content)).toBe(5);
    const fresh = await t.handle.db.transaction().execute((trx) => render(trx, east));
    expect(Buffer.from(again.tile.content).equals(Buffer.from(fresh.content))).toBe(true);
  });

  it('never holds more bytes than its limit, forgetting the least recently used tile first', async () => {
    const one = await t.handle.db.transaction().execute((trx) => render(trx, request('grids', WEST)));
    // Room for about two tiles.
    const limit = 2 * (one.content.byteLength + 256) + 100;
    const cache = createTileCache(limit, { db: t.handle.db, render });
    const tiles = [request('grids', WEST), request('grids', EAST), request('statistics', WEST), request('statistics', EAST), request('buildings', WEST)];
    for (const asked of tiles) {
      await read(cache, asked);
      expect(cache.heldBytes()).toBeLessThanOrEqual(limit);
    }
    const oldest = await read(cache, tiles[0]!);
    expect(oldest.notModified === false && oldest.hit).toBe(false);
    const newest = await read(cache, tiles.at(-1)!);
    expect(newest.notModified === false && newest.hit).toBe(true);
  });
});
