import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TILE_LAYERS } from '../../server/tiles/layers.ts';
import { renderTile } from '../../server/tiles/service.ts';
import { PYRAMID_MAX_ZOOM, shapePyramidOf, type ShapePyramid } from '../../server/tiles/shape-pyramid.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { asBinary, codesOf, layerOf } from '../helpers/tiles-ogc-fixtures.ts';
import { editShapesByHand } from '../helpers/hand-edits.ts';

/**
 * The whole city's grid and area tiles rendered ahead once per version of the shapes (issue 18,
 * server/tiles/shape-pyramid.ts, sql/0030): a caller who sees the whole city reads them from the
 * pyramid (X-Renwu-Cache: stored) with exactly the bytes a render gives; a narrower caller's tiles
 * are rendered; a boundary change retires the old tiles at once, and the pyramid is rendered again.
 * The fixture city (tests/api/tiles.test.ts): z14 13389/7130 holds both grids; z13 6694/3565 all of it.
 */
const BOTH_GRIDS_Z14 = { z: 14, x: 13389, y: 7130 };
const CITY_Z13 = { z: 13, x: 6694, y: 3565 };

let t: TestApp;
let pyramid: ShapePyramid;
let leader: LoggedIn;
let collector: LoggedIn;

beforeAll(async () => {
  t = await startTestApp({ WARM_KEPT_ANSWERS: 'on' });
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'leader', 'leader');
  await insertUser(t.handle.db, 'collector', 'collector', [FIXTURE.gridWest]);
  leader = await t.logIn('leader');
  collector = await t.logIn('collector');
  pyramid = shapePyramidOf(t.context.db);
});
afterAll(async () => {
  pyramid?.stop();
  await t?.close();
});

const path = ({ z, x, y }: { z: number; x: number; y: number }) => `${z}/${x}/${y}`;
const getTile = (agent: LoggedIn, layer: string, tile: { z: number; x: number; y: number }) => asBinary(agent.get(`/tiles/${layer}/${path(tile)}.mvt`));
const rendered = async (layer: 'grids' | 'areas', tile: { z: number; x: number; y: number }) =>
  Buffer.from((await renderTile(t.context, TILE_LAYERS[layer], tile, { prefixes: null })).content);
const keptTiles = async () => (await leader.get('/api/health').expect(200)).body.keptTiles as { state: string; tiles: number; of: number };
const storedVersions = async () =>
  (await sql<{ version: string }>`SELECT DISTINCT shapes_version::text AS version FROM shape_tiles`.execute(t.handle.db)).rows.map((row) => row.version);

describe('grid and area tiles rendered ahead', () => {
  it('keeps every tile of the city for grids and areas up to z14, and says so in /api/health', async () => {
    expect(await keptTiles()).toEqual({ state: 'none', tiles: 0, of: 0 });
    pyramid.watch(t.context);
    await pyramid.built();
    const progress = await keptTiles();
    expect(progress.state).toBe('kept');
    // grids z8–z14 and areas z6–z14 over the fixture's 0.02° × 0.01°: one or two tiles a zoom.
    expect(progress.of).toBeGreaterThanOrEqual(7 + 9);
    expect(progress.tiles).toBe(progress.of);
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM shape_tiles`.execute(t.handle.db);
    expect(stored.rows[0]!.n).toBe(progress.of);
  });

  it('serves a whole-city caller the stored tile, byte for byte the tile a render gives', async () => {
    for (const [layer, tile] of [
      ['grids', BOTH_GRIDS_Z14],
      ['grids', CITY_Z13],
      ['areas', CITY_Z13],
    ] as const) {
      const response = await getTile(leader, layer, tile).expect(200);
      expect(response.headers['x-renwu-cache'], `${layer} ${path(tile)}`).toBe('stored');
      expect(Buffer.from(response.body).equals(await rendered(layer, tile)), `${layer} ${path(tile)}`).toBe(true);
    }
    const again = await getTile(leader, 'grids', BOTH_GRIDS_Z14).expect(200);
    expect(again.headers['x-renwu-cache']).toBe('hit');
  });

  it('does not serve the tiles another release rendered (another format)', async () => {
    await sql`UPDATE shape_tiles SET format = 'an older release'`.execute(t.handle.db);
    const response = await getTile(leader, 'areas', { z: 12, x: 3347, y: 1782 }).expect(200);
    expect(response.headers['x-renwu-cache']).toBe('miss');
  });

  it("renders a narrower caller's tiles and tiles deeper than the pyramid", async () => {
    const mine = await getTile(collector, 'grids', BOTH_GRIDS_Z14).expect(200);
    expect(mine.headers['x-renwu-cache']).toBe('miss');
    expect(codesOf(layerOf(mine.body, 'grids'))).toEqual([FIXTURE.gridWest]);
    const deeper = await getTile(leader, 'grids', { z: PYRAMID_MAX_ZOOM + 1, x: 26780, y: 14261 }).expect(200);
    expect(deeper.headers['x-renwu-cache']).toBe('miss');
  });

  it('never serves a stored tile of older shapes, and renders the pyramid again after a boundary change', async () => {
    const before = await getTile(leader, 'grids', CITY_Z13).expect(200);
    const [oldVersion] = await storedVersions();
    // A boundary import moves the west grid's shape by ~100 m.
    await editShapesByHand(t.handle.db, sql`UPDATE grids SET geom = ST_Translate(geom, 0.001, 0) WHERE code = ${FIXTURE.gridWest}`);

    const after = await getTile(leader, 'grids', CITY_Z13).expect(200);
    expect(after.headers['x-renwu-cache']).toBe('miss');
    expect(Buffer.from(after.body).equals(Buffer.from(before.body))).toBe(false);
    expect(Buffer.from(after.body).equals(await rendered('grids', CITY_Z13))).toBe(true);

    pyramid.watch(t.context);
    await pyramid.built();
    expect((await keptTiles()).state).toBe('kept');
    const versions = await storedVersions();
    expect(versions).toHaveLength(1);
    expect(versions[0]).not.toBe(oldVersion);
    // A tile nobody viewed (the viewed ones were rendered again in memory after the change).
    const stored = await getTile(leader, 'areas', BOTH_GRIDS_Z14).expect(200);
    expect(stored.headers['x-renwu-cache']).toBe('stored');
    expect(Buffer.from(stored.body).equals(await rendered('areas', BOTH_GRIDS_Z14))).toBe(true);
  });
});
