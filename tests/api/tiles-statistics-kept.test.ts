import { VectorTile } from '@mapbox/vector-tile';
import { sql } from 'kysely';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TILE_LAYERS } from '../../server/tiles/layers.ts';
import { gridCountsByCode } from '../../server/tiles/repository/grid-statistics.ts';
import { renderTile } from '../../server/tiles/service.ts';
import type { StatisticsTiles } from '../../server/tiles/statistics-tiles.ts';
import type { LoggedIn, TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode, insertUser } from '../helpers/fixture-city.ts';
import { startStatisticsTilesApp, type StatisticsTilesApp } from '../helpers/statistics-tiles-app.ts';
import { asBinary, codesOf, insertResidents, layerOf } from '../helpers/tiles-ogc-fixtures.ts';
import { setPrivacyKByHand } from '../helpers/hand-edits.ts';

/**
 * Whole-city statistics tiles made from the grid tiles rendered ahead (issue 18,
 * server/tiles/statistics-tiles.ts): the pyramid's grid shapes with every grid's counts of the
 * caller's data version. They must carry exactly what a render in PostGIS carries (the same
 * features, ids and properties, small counts withheld at the same k), follow a registration at
 * once, and never reach a narrower caller, who still gets a rendered tile of their own grids.
 * Fixture city as in tests/api/tiles.test.ts: west grid 5 residents, east grid 4 until a fifth moves in.
 */
const BOTH_GRIDS_Z14 = { z: 14, x: 13389, y: 7130 };
const CITY_Z13 = { z: 13, x: 6694, y: 3565 };
const CITY_Z12 = { z: 12, x: 3347, y: 1782 };
/** The east grid's z14 tile: asked first after the move-in (no tile viewed before is rendered again for it in the background). */
const EAST_Z14 = { z: 14, x: 13390, y: 7130 };

let app: StatisticsTilesApp | undefined;
let t: TestApp;
let statistics: StatisticsTiles;
let leader: LoggedIn;
let collector: LoggedIn;

beforeAll(async () => {
  // West grid: 5 residents; east grid: 4, withheld below k = 5 until a fifth moves in.
  app = await startStatisticsTilesApp();
  ({ t, statistics } = app);
  await insertUser(t.handle.db, 'leader', 'leader');
  await insertUser(t.handle.db, 'collector', 'collector', [FIXTURE.gridWest]);
  leader = await t.logIn('leader');
  collector = await t.logIn('collector');
});
afterAll(async () => {
  await app?.stop();
});

type Address = { z: number; x: number; y: number };
const path = ({ z, x, y }: Address) => `${z}/${x}/${y}`;
const getTile = (agent: LoggedIn, layer: string, tile: Address) => asBinary(agent.get(`/tiles/${layer}/${path(tile)}.mvt`));
const renderedStatistics = async (tile: Address) => Buffer.from((await renderTile(t.context, TILE_LAYERS.statistics, tile, { prefixes: null })).content);

/** Each feature as id, properties and its geometry in tile coordinates, by grid code. */
function featuresOf(body: Buffer, layerName: string) {
  const layer = new VectorTile(new PbfReader(body)).layers[layerName];
  if (!layer) throw new Error(`the tile has no ${layerName} layer`);
  const features = Array.from({ length: layer.length }, (_, index) => layer.feature(index));
  return Object.fromEntries(
    features.map((feature) => [
      String(feature.properties.code),
      { id: feature.id, properties: feature.properties, rings: feature.loadGeometry().map((ring) => ring.map(({ x, y }) => [x, y])) },
    ]),
  );
}

/** Resident counts by grid code, and where the tile came from (X-Renwu-Cache). */
const residentsByCode = async (tile: Address) => {
  const response = await getTile(leader, 'statistics', tile).expect(200);
  const residents = Object.fromEntries(layerOf(response.body, 'statistics').map((cell) => [cell.properties.code, cell.properties.residents]));
  return { residents, cache: response.headers['x-renwu-cache'] };
};

describe('statistics tiles made from the shapes rendered ahead', () => {
  it('carries the features, ids and properties of a rendered tile, on the grid tile’s shapes', async () => {
    for (const tile of [BOTH_GRIDS_Z14, CITY_Z13, CITY_Z12]) {
      const response = await getTile(leader, 'statistics', tile).expect(200);
      expect(response.headers['x-renwu-cache'], path(tile)).toBe('stored');
      const made = featuresOf(response.body, 'statistics');
      const rendered = featuresOf(await renderedStatistics(tile), 'statistics');
      expect(Object.keys(made).sort(), path(tile)).toEqual([FIXTURE.gridEast, FIXTURE.gridWest].sort());
      for (const code of Object.keys(rendered)) {
        expect(made[code]!.id, `${path(tile)} ${code}`).toBe(rendered[code]!.id);
        expect(made[code]!.properties, `${path(tile)} ${code}`).toEqual(rendered[code]!.properties);
      }
      const shapes = featuresOf((await getTile(leader, 'grids', tile).expect(200)).body, 'grids');
      for (const code of Object.keys(shapes)) expect(made[code]!.rings, `${path(tile)} ${code}`).toEqual(shapes[code]!.rings);
    }
    // West: 2 buildings, 7 units, 5 residents. East: 4 residents, withheld (k = 5).
    const west = featuresOf((await getTile(leader, 'statistics', BOTH_GRIDS_Z14).expect(200)).body, 'statistics')[FIXTURE.gridWest];
    expect(west?.properties).toEqual({ code: FIXTURE.gridWest, name: '西网格', buildings: 2, units: 7, residents: 5 });
    expect((await residentsByCode(CITY_Z13)).residents).toEqual({ [FIXTURE.gridWest]: 5, [FIXTURE.gridEast]: undefined });
  });

  it('follows a move-in and the privacy setting at once, made from the shapes with the tile’s own counts until the city’s are read', async () => {
    await insertResidents(t.handle.db, fixtureUnitCode(FIXTURE.eastHouse, 2, 1), 1, 31);
    // The city's counts kept are of the version before: this tile reads its own grids' counts (with
    // the move-in), or the city's if the watch has read them meanwhile.
    const first = await residentsByCode(CITY_Z13);
    expect(first.residents).toEqual({ [FIXTURE.gridWest]: 5, [FIXTURE.gridEast]: 5 });
    expect(first.cache).toBe('stored');
    await statistics.counted();
    expect(await residentsByCode(EAST_Z14)).toEqual({ residents: { [FIXTURE.gridEast]: 5 }, cache: 'stored' });
    try {
      await setPrivacyKByHand(t.handle.db, 6);
      const withheld = { [FIXTURE.gridWest]: undefined, [FIXTURE.gridEast]: undefined };
      expect(await residentsByCode(CITY_Z13)).toEqual({ residents: withheld, cache: 'stored' });
      await statistics.counted();
      // Made from the counts (stored), or already made so by the background refill of the tiles viewed (hit).
      const again = await residentsByCode(CITY_Z12);
      expect(again.residents).toEqual(withheld);
      expect(again.cache).toMatch(/^(stored|hit)$/);
    } finally {
      await setPrivacyKByHand(t.handle.db, null);
    }
  });

  it('makes a tile of a version the city’s read cannot see from its own grids’ counts, without waiting for that read', async () => {
    // A move-in not yet committed: the tile's snapshot sees it, no other connection does, so the
    // city's counts of this version are never read. The tile used to wait 400 ms for them, then be
    // rendered in PostGIS (not "stored").
    const rollBack = new Error('rolled back');
    let made: { stored?: true; ms: number; residents: Record<string, unknown> } | undefined;
    const moveIn = t.handle.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await insertResidents(trx, fixtureUnitCode(FIXTURE.eastHouse, 2, 1), 1, 41);
        const started = Date.now();
        const tile = await statistics.tile({ ...t.context, db: trx }, CITY_Z13, null);
        const cells = layerOf(Buffer.from(tile.content), 'statistics');
        made = {
          stored: tile.stored,
          ms: Date.now() - started,
          residents: Object.fromEntries(cells.map((cell) => [cell.properties.code, cell.properties.residents])),
        };
        throw rollBack;
      });
    await expect(moveIn).rejects.toBe(rollBack);
    if (!made) throw new Error('the tile was not made');
    expect(made.stored).toBe(true);
    expect(made.residents).toEqual({ [FIXTURE.gridWest]: 5, [FIXTURE.gridEast]: 6 });
    expect(made.ms).toBeLessThan(400);
  });

  it("renders a narrower caller's statistics and tiles deeper than the pyramid", async () => {
    const mine = await getTile(collector, 'statistics', BOTH_GRIDS_Z14).expect(200);
    expect(mine.headers['x-renwu-cache']).toBe('miss');
    expect(codesOf(layerOf(mine.body, 'statistics'))).toEqual([FIXTURE.gridWest]);
    const deeper = await getTile(leader, 'statistics', { z: 15, x: 26779, y: 14261 }).expect(200);
    expect(deeper.headers['x-renwu-cache']).toBe('miss');
  });

  it('reads the city’s counts without JIT compilation, in that read’s transaction only', async () => {
    // At Shenzhen scale the read's estimate passed jit_above_cost: 240 ms compiling a 55 ms read.
    const settings = await t.handle.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL jit = on`.execute(trx);
      const counts = await gridCountsByCode(trx, 5);
      const { rows } = await sql<{ jit: string }>`SELECT current_setting('jit') AS jit`.execute(trx);
      return { jit: rows[0]!.jit, grids: counts.size };
    });
    expect(settings).toEqual({ jit: 'off', grids: 2 });
    const { rows } = await sql<{ jit: string }>`SELECT current_setting('jit') AS jit`.execute(t.handle.db);
    expect(rows[0]!.jit).toBe('on');
  });
});
