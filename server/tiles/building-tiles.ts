import type { Kysely } from 'kysely';
import type { AppContext } from '../context.ts';
import { shapesKeyOf } from '../db/data-version.ts';
import { perDatabase } from '../db/per-database.ts';
import type { DB } from '../db/schema.ts';
import { logger } from '../logger.ts';
import { foregroundQuiet } from '../http/foreground.ts';
import { gzippedCopyToKeep } from './gzipped-tiles.ts';
import { TILE_LAYERS } from './layers.ts';
import { renderTile, type RenderedTile } from './render.ts';
import { extentOf } from './repository.ts';
import { keepBuildingTile, keptBuildingTileKeys, storedBuildingTile } from './repository/building-tiles.ts';
import { renderingFormat } from './rendering-format.ts';
import { shapePyramidOf, type PyramidProgress, type ShapePyramid } from './shape-pyramid.ts';
import { tilesCovering, type TileAddress } from './tile-math.ts';

/**
 * The whole city's building tiles at z14 (points) and z15 (footprints), rendered ahead in the
 * background and kept in the database tile by tile (issue 18, sql/0033_building_tiles.sql): a
 * building tile was rendered on request (12 ms of CPU alone, 50–100 ms with 8 tiles in flight on
 * two cores). A write to buildings marks the tiles it touches; the next pass (every minute, or at
 * start-up) renders those again, and until then they are rendered on request as before. Deeper
 * zooms hold a few dozen buildings a tile and are rendered on request; so are the tiles of a caller
 * who does not see the whole city.
 */
export const BUILDING_TILE_ZOOMS: readonly number[] = [14, 15];
const LAYER = TILE_LAYERS.buildings;
const MAX_ZOOM = Math.max(...BUILDING_TILE_ZOOMS);
/** How often a server renders the tiles marked since its last pass. */
const WATCH_MS = 60_000;
/** PostgreSQL's serialization_failure: a writer marked the tile after it was rendered. */
const SERIALIZATION_FAILURE = '40001';

export interface BuildingTiles {
  /**
   * The kept tile for a caller who sees the whole city, read in one statement (no transaction),
   * with its version (its generation and format); undefined when not kept current (rendered on
   * request then) or not kept for this caller or zoom.
   */
  storedNow(context: AppContext, tile: TileAddress, prefixes: readonly string[] | null): Promise<{ version: string; tile: RenderedTile } | undefined>;
  /** Renders every tile of the city not kept current (one pass; a pass under way is joined). */
  build(context: AppContext): Promise<void>;
  /** Builds now and every minute (WARM_KEPT_ANSWERS). */
  watch(context: AppContext): void;
  progress(): PyramidProgress;
  stop(): void;
}

const isSerializationFailure = (error: unknown) => (error as { code?: string } | null)?.code === SERIALIZATION_FAILURE;

function createBuildingTiles(pyramid: ShapePyramid): BuildingTiles {
  const progress: PyramidProgress = { state: 'none', tiles: 0, of: 0 };
  let format: string | undefined;
  let building: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const formatOf = (context: AppContext) => (format ??= renderingFormat(context, [LAYER], MAX_ZOOM));

  /** Renders and keeps one tile in a snapshot of its own; false when a writer marked it meanwhile. */
  async function renderAndKeep(context: AppContext, tile: TileAddress): Promise<boolean> {
    try {
      await context.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const rendered = await renderTile({ ...context, db: trx }, LAYER, tile);
          await keepBuildingTile(trx, formatOf(context), tile, rendered, await gzippedCopyToKeep(rendered.content));
        });
      return true;
    } catch (error) {
      if (isSerializationFailure(error)) return false;
      throw error;
    }
  }

  async function pass(context: AppContext): Promise<void> {
    const { extent, kept } = await context.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => ({ extent: await extentOf(trx, null), kept: await keptBuildingTileKeys(trx, formatOf(context)) }));
    const wanted = extent ? BUILDING_TILE_ZOOMS.flatMap((z) => tilesCovering(extent, z, z)) : [];
    const missing = wanted.filter(({ z, x, y }) => !kept.has(`${z}/${x}/${y}`));
    Object.assign(progress, { state: 'building', tiles: wanted.length - missing.length, of: wanted.length });
    let refused = 0;
    for (const tile of missing) {
      await foregroundQuiet();
      if (await renderAndKeep(context, tile)) progress.tiles += 1;
      else refused += 1;
    }
    // A tile refused was marked by a write while it rendered: the next pass renders it again.
    progress.state = refused === 0 ? 'kept' : 'building';
    if (missing.length > 0) logger.info('building tiles rendered ahead', { tiles: missing.length - refused, of: wanted.length, refused });
  }

  return {
    async storedNow(context, tile, prefixes) {
      // A caller known not to see the whole city costs no statement.
      if (!BUILDING_TILE_ZOOMS.includes(tile.z) || !(await pyramid.mightSeeWholeCity(prefixes))) return undefined;
      const found = await storedBuildingTile(context.db, formatOf(context), tile);
      // The caller's districts are checked against this snapshot's shapes (else the tile is rendered for the caller).
      if (!found.tile || !(await pyramid.seesWholeCityAt(context.db, prefixes, shapesKeyOf(found.shapesVersion)))) return undefined;
      return { version: `building-tile-${found.generation}-${formatOf(context)}`, tile: found.tile };
    },
    build(context) {
      building ??= pass(context)
        .catch((error: unknown) => {
          // Only a head start: tiles not kept are rendered on request, and the next pass tries again.
          progress.state = 'none';
          logger.warn('building tiles not rendered ahead', { error: error instanceof Error ? error.message : String(error) });
        })
        .finally(() => {
          building = undefined;
        });
      return building;
    },
    watch(context) {
      void this.build(context);
      timer ??= setInterval(() => void this.build(context), WATCH_MS).unref();
    },
    progress: () => ({ ...progress }),
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/** The building tiles of one database (one per server: main.ts starts the watch, the tile routes read them). */
export const buildingTilesOf: (db: Kysely<DB>) => BuildingTiles = perDatabase((db) => createBuildingTiles(shapePyramidOf(db)));
