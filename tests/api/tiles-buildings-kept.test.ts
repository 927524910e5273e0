import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetBuildingTiles } from '../../server/demo/city/store.ts';
import { BUILDING_TILE_ZOOMS, buildingTilesOf, type BuildingTiles } from '../../server/tiles/building-tiles.ts';
import { TILE_LAYERS } from '../../server/tiles/layers.ts';
import { keepBuildingTile } from '../../server/tiles/repository/building-tiles.ts';
import { renderTile } from '../../server/tiles/service.ts';
import { ENGINE_UNDER_TEST } from '../helpers/database.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { asBinary, layerOf } from '../helpers/tiles-ogc-fixtures.ts';
import { writeCounted } from '../helpers/hand-edits.ts';

/**
 * The whole city's building tiles (z14 points, z15 footprints) rendered ahead and kept tile by tile
 * (issue 18, server/tiles/building-tiles.ts, sql/0033): a caller who sees the whole city reads the
 * kept tile (X-Renwu-Cache: stored) with exactly the bytes a render gives; a write to a building
 * forgets the tiles it touches in its own transaction, so no reader ever gets a tile older than its
 * snapshot; a tile rendered before a write is refused when kept. The fixture city's west house
 * (114.203, 22.703) and west shop are in z14 13389/7130, the east house (114.215, 22.705) in z14
 * 13390/7130; at z15 the west house alone is in 26779/14261, the east house in 26780/14261.
 */
const WEST_Z14 = { z: 14, x: 13389, y: 7130 };
const EAST_Z14 = { z: 14, x: 13390, y: 7130 };
const WEST_Z15 = { z: 15, x: 26779, y: 14261 };
const EAST_Z15 = { z: 15, x: 26780, y: 14261 };

let t: TestApp;
let buildingTiles: BuildingTiles;
let leader: LoggedIn;
let collector: LoggedIn;

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'leader', 'leader');
  await insertUser(t.handle.db, 'collector', 'collector', [FIXTURE.gridWest]);
  leader = await t.logIn('leader');
  collector = await t.logIn('collector');
  buildingTiles = buildingTilesOf(t.context.db);
});
afterAll(async () => {
  buildingTiles?.stop();
  await t?.close();
});

type Tile = { z: number; x: number; y: number };
const path = ({ z, x, y }: Tile) => `${z}/${x}/${y}`;
const getTile = (agent: LoggedIn, tile: Tile) => asBinary(agent.get(`/tiles/buildings/${path(tile)}.mvt`));
const rendered = async (tile: Tile) => Buffer.from((await renderTile(t.context, TILE_LAYERS.buildings, tile, { prefixes: null })).content);
const keptProgress = async () => (await leader.get('/api/health').expect(200)).body.keptBuildingTiles as { state: string; tiles: number; of: number };
const storedRow = async ({ z, x, y }: Tile) =>
  (
    await sql<{ generation: number; kept: boolean }>`
      SELECT generation::int AS generation, content IS NOT NULL AS kept FROM building_tiles WHERE z = ${z}::int AND x = ${x}::int AND y = ${y}::int`.execute(
      t.handle.db,
    )
  ).rows[0];
const statusesIn = (body: Buffer) =>
  Object.fromEntries(layerOf(body, 'buildings').map((feature) => [String(feature.properties.code), feature.properties.status]));

describe('building tiles rendered ahead', () => {
  it('keeps every building tile of the city at z14 and z15, and says so in /api/health', async () => {
    expect(await keptProgress()).toEqual({ state: 'none', tiles: 0, of: 0 });
    await buildingTiles.build(t.context);
    const progress = await keptProgress();
    expect(progress.state).toBe('kept');
    // The fixture's 0.02° × 0.01° is one or two tiles a side at z14 and z15.
    expect(progress.of).toBeGreaterThanOrEqual(3);
    expect(progress.tiles).toBe(progress.of);
    const stored = await sql<{
      z: number;
      n: number;
    }>`SELECT z, count(*)::int AS n FROM building_tiles WHERE content IS NOT NULL GROUP BY z ORDER BY z`.execute(t.handle.db);
    expect(stored.rows.map((row) => row.z)).toEqual([...BUILDING_TILE_ZOOMS]);
    expect(stored.rows.reduce((sum, row) => sum + row.n, 0)).toBe(progress.of);
  });

  it('serves a whole-city caller the kept tile, byte for byte the tile a render gives', async () => {
    for (const tile of [WEST_Z14, EAST_Z14, WEST_Z15, EAST_Z15]) {
      const response = await getTile(leader, tile).expect(200);
      expect(response.headers['x-renwu-cache'], path(tile)).toBe('stored');
      expect(Buffer.from(response.body).equals(await rendered(tile)), path(tile)).toBe(true);
    }
    const again = await getTile(leader, WEST_Z14).expect(200);
    expect(again.headers['x-renwu-cache']).toBe('hit');
  });

  it("renders a narrower caller's tiles (only its buildings) and tiles deeper than z15", async () => {
    const mine = await getTile(collector, WEST_Z14).expect(200);
    expect(mine.headers['x-renwu-cache']).toBe('miss');
    expect(Object.keys(statusesIn(mine.body)).sort()).toEqual([FIXTURE.westHouse, FIXTURE.westShop].sort());
    // The east house's tile is kept, but none of it is the west grid's collector's.
    await getTile(collector, EAST_Z14).expect(204);
    const deeper = await getTile(leader, { z: 16, x: 53558, y: 28522 }).expect(200);
    expect(deeper.headers['x-renwu-cache']).toBe('miss');
  });

  it('forgets the tiles a building write touches in the writing transaction, and renders them again', async () => {
    const before = await getTile(leader, WEST_Z15).expect(200);
    const [westBefore, westZ14Before, eastBefore] = [await storedRow(WEST_Z15), await storedRow(WEST_Z14), await storedRow(EAST_Z15)];
    await writeCounted(t.handle.db, 'buildings', [FIXTURE.westHouse], (trx) =>
      sql`UPDATE buildings SET status = 'demolished' WHERE code = ${FIXTURE.westHouse}`.execute(trx),
    );

    expect(await storedRow(WEST_Z15)).toEqual({ generation: westBefore!.generation + 1, kept: false });
    expect(await storedRow(WEST_Z14)).toEqual({ generation: westZ14Before!.generation + 1, kept: false });
    // The east house's tile holds no changed building.
    expect(await storedRow(EAST_Z15)).toEqual(eastBefore);

    const after = await getTile(leader, WEST_Z15).expect(200);
    expect(after.headers['x-renwu-cache']).toBe('miss');
    expect(statusesIn(after.body)[FIXTURE.westHouse]).toBe('demolished');
    expect(after.headers.etag).not.toBe(before.headers.etag);

    await buildingTiles.build(t.context);
    expect((await keptProgress()).state).toBe('kept');
    const kept = await getTile(leader, WEST_Z15).expect(200);
    expect(kept.headers['x-renwu-cache']).toBe('stored');
    expect(Buffer.from(kept.body).equals(await rendered(WEST_Z15))).toBe(true);
    expect(statusesIn(kept.body)[FIXTURE.westHouse]).toBe('demolished');
    expect(kept.headers.etag).not.toBe(before.headers.etag);
  });

  it('forgets nothing for a write that changes nothing drawn (a landlord, a compound)', async () => {
    const before = await storedRow(WEST_Z15);
    await writeCounted(t.handle.db, 'buildings', [FIXTURE.westHouse], (trx) =>
      sql`UPDATE buildings SET landlord_name = '张三', has_video = true WHERE code = ${FIXTURE.westHouse}`.execute(trx),
    );
    expect(await storedRow(WEST_Z15)).toEqual(before);
    expect((await getTile(leader, WEST_Z15).expect(200)).headers['x-renwu-cache']).toMatch(/^(hit|stored)$/);
  });

  it('marks the tiles of a new building, also where no tile was kept before', async () => {
    // A building of the west grid in the west house's z15 tile, whose row is gone (never kept).
    await sql`DELETE FROM building_tiles WHERE z = ${WEST_Z15.z}::int AND x = ${WEST_Z15.x}::int AND y = ${WEST_Z15.y}::int`.execute(t.handle.db);
    await writeCounted(t.handle.db, 'buildings', [`${FIXTURE.gridWest}00009`], (trx) =>
      sql`INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, point)
              VALUES (${`${FIXTURE.gridWest}00009`}, left(${FIXTURE.gridWest}, 9), ${FIXTURE.gridWest}, '测试路9号', 4, 'residential', 'property',
                      ST_SetSRID(ST_MakePoint(114.2084, 22.7045), 4326))`.execute(trx),
    );
    expect(await storedRow(WEST_Z15)).toEqual({ generation: 1, kept: false });
    const response = await getTile(leader, WEST_Z15).expect(200);
    expect(response.headers['x-renwu-cache']).toBe('miss');
    expect(statusesIn(response.body)).toHaveProperty(`${FIXTURE.gridWest}00009`);
  });

  it('marks the same zooms in SQL as the server renders ahead', async () => {
    const zooms = await sql<{ z: number }>`SELECT DISTINCT z FROM building_tiles_of(ST_SetSRID(ST_MakePoint(114.203, 22.703), 4326)) ORDER BY z`.execute(
      t.handle.db,
    );
    expect(zooms.rows.map((row) => row.z)).toEqual([...BUILDING_TILE_ZOOMS]);
  });

  it.skipIf(ENGINE_UNDER_TEST === 'pglite')('refuses to keep a tile rendered before a write that touched it (PostgreSQL: two sessions)', async () => {
    await buildingTiles.build(t.context);
    const keeping = t.handle.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const tile = await renderTile({ ...t.context, db: trx }, TILE_LAYERS.buildings, EAST_Z14);
        // Another session changes a building of the tile and commits after this snapshot was taken.
        await writeCounted(t.handle.db, 'buildings', [FIXTURE.eastHouse], (trx) =>
          sql`UPDATE buildings SET floors = floors + 1 WHERE code = ${FIXTURE.eastHouse}`.execute(trx),
        );
        await keepBuildingTile(trx, 'any format', EAST_Z14, tile, null);
      });
    await expect(keeping).rejects.toMatchObject({ code: '40001' });
    expect((await storedRow(EAST_Z14))?.kept).toBe(false);
  });

  it('forgets every building tile after a bulk load', async () => {
    await buildingTiles.build(t.context);
    await forgetBuildingTiles(t.handle.db);
    const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM building_tiles`.execute(t.handle.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
