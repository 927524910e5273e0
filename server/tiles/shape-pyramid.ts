import type { Kysely } from 'kysely';
import type { AppContext } from '../context.ts';
import { shapeSnapshotKey, shapesKeyOf } from '../db/data-version.ts';
import { perDatabase } from '../db/per-database.ts';
import type { DB } from '../db/schema.ts';
import { logger } from '../logger.ts';
import { foregroundQuiet } from '../http/foreground.ts';
import { gzippedCopyToKeep } from './gzipped-tiles.ts';
import { TILE_LAYERS, type TileLayer } from './layers.ts';
import { extentOf } from './repository.ts';
import { isWithinJurisdiction } from '../domain/codes.ts';
import {
  cityDistrictCodes,
  forgetOlderShapeTiles,
  keepShapeTile,
  keptShapeTileKeys,
  storedShapeTile,
  storedShapeTileAtVersion,
  type StoredTileUse,
} from './repository/shape-tiles.ts';
import { renderTile, type RenderedTile } from './render.ts';
import { tilesCovering, type TileAddress } from './tile-math.ts';
import { renderingFormat } from './rendering-format.ts';

/**
 * The whole city's grid and area tiles rendered ahead, once per version of the shapes (issue 18,
 * sql/0030_shape_tiles.sql): a map's first view and every pan then read tiles that are already
 * made, instead of each server rendering each tile on its first request (a z11 grid tile: ~1,000
 * grids, 14 ms of PostGIS warm, and far more with 8 in flight on two cores).
 *
 * Up to PYRAMID_MAX_ZOOM: a z14 tile is ~2.4 km wide (Shenzhen-scale city: 2,352 of them per
 * layer, 6,440 tiles in all, 19 MB); a deeper one holds a few dozen grids and renders in a few
 * milliseconds.
 */
export const PYRAMID_MAX_ZOOM = 14;
const PYRAMID_LAYERS: readonly TileLayer[] = Object.values(TILE_LAYERS).filter((layer) => layer.keptPer === 'shapes');
/** How often a server looks whether another process (an import, the generator) changed the shapes. */
const SHAPES_WATCH_MS = 60_000;

export interface PyramidProgress {
  /**
   * none: not built by this server (WARM_KEPT_ANSWERS off, not started, or the last build failed);
   * building; kept: every tile at the shapes of the last check (a change is seen within a minute).
   */
  state: 'none' | 'building' | 'kept';
  /** Tiles kept at the current shapes, of all the pyramid's. */
  tiles: number;
  of: number;
}

const addressKey = (layer: TileLayer, { z, x, y }: TileAddress) => `${layer.name}/${z}/${x}/${y}`;

export interface ShapePyramid {
  /**
   * A tile of a shapes layer: from the pyramid where it holds it at the shapes of the caller's
   * snapshot (a caller who sees the whole city, z ≤ PYRAMID_MAX_ZOOM), else rendered. `stored`
   * says which (the X-Renwu-Cache header).
   */
  tile(context: AppContext, layer: TileLayer, tile: TileAddress, prefixes: readonly string[] | null): Promise<RenderedTile & { stored?: true }>;
  /** The pyramid's tile of a shapes layer, when it holds it for this caller at the shapes of the caller's snapshot; else undefined. */
  storedTile(context: AppContext, layer: TileLayer, tile: TileAddress, prefixes: readonly string[] | null): Promise<RenderedTile | undefined>;
  /**
   * The same without a transaction: the pyramid's tile with the shapes' key it is kept at (and what
   * `use` needs besides: StoredTileUse), read in one statement; undefined when the pyramid does not
   * hold it for this caller, or cannot tell without a snapshot of its own.
   */
  storedNow(
    db: Kysely<DB>,
    layer: TileLayer,
    tile: TileAddress,
    prefixes: readonly string[] | null,
    use: StoredTileUse,
  ): Promise<{ shapesKey: string; analyticsKey?: string; tile: RenderedTile } | undefined>;
  /**
   * Whether a caller of `prefixes` sees the whole city at the shapes of `shapesKey` (read in the
   * caller's snapshot): by the district codes last read when they are of those shapes, else read
   * again first (false if the shapes moved on meanwhile).
   */
  seesWholeCityAt(db: Kysely<DB>, prefixes: readonly string[] | null, shapesKey: string): Promise<boolean>;
  /** False when the district codes last read show that a caller of `prefixes` does not see the whole city (no statement). */
  mightSeeWholeCity(prefixes: readonly string[] | null): Promise<boolean>;
  progress(): PyramidProgress;
  /** Builds the pyramid now (unless a build is under way), and again whenever the shapes change (checked every minute). */
  watch(context: AppContext): void;
  /** The build under way, if any (tests wait on it). */
  built(): Promise<void>;
  stop(): void;
}

/** Whether a jurisdiction of `prefixes` takes in every one of the city's districts. */
function coversCity(districts: readonly string[], prefixes: readonly string[] | null): boolean {
  return prefixes === null || districts.every((code) => isWithinJurisdiction(code, prefixes));
}

function createShapePyramid(): ShapePyramid {
  const progress: PyramidProgress = { state: 'none', tiles: 0, of: 0 };
  let building: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let keptVersion: string | undefined;
  let format: string | undefined;
  const formatOf = (context: AppContext) => (format ??= renderingFormat(context, PYRAMID_LAYERS, PYRAMID_MAX_ZOOM));
  /** The district codes of the shapes last read (cityDistrictCodes), with the shapes' version they belong to. */
  let districtsOfShapes: { version: string; codes: Promise<string[]> } | undefined;

  /**
   * Whether a caller bounded to `prefixes` sees every grid and area of the city (a district's leader
   * in a one-district deployment, a city office): the pyramid, rendered for the whole city, holds
   * exactly that caller's tiles. Read in the caller's snapshot.
   */
  async function seesWholeCity(db: Kysely<DB>, prefixes: readonly string[] | null): Promise<boolean> {
    if (prefixes === null) return true;
    const version = await shapeSnapshotKey(db);
    if (districtsOfShapes?.version !== version) {
      const codes = cityDistrictCodes(db);
      districtsOfShapes = { version, codes };
      codes.catch(() => {
        if (districtsOfShapes?.codes === codes) districtsOfShapes = undefined;
      });
    }
    return coversCity(await districtsOfShapes.codes, prefixes);
  }

  /** seesWholeCity without a statement, by the district codes last read (`known`): false when none were read. */
  async function knownToSeeWholeCity(known: typeof districtsOfShapes, prefixes: readonly string[] | null): Promise<boolean> {
    if (prefixes === null) return true;
    const districts = await known?.codes.catch(() => undefined);
    return districts !== undefined && coversCity(districts, prefixes);
  }

  /** Renders the missing tiles at the shapes' version; false when the shapes changed meanwhile. */
  async function buildAt(context: AppContext): Promise<boolean> {
    const { db } = context;
    const { version, extent, kept } = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => ({
        version: await shapeSnapshotKey(trx),
        extent: await extentOf(trx, null),
        kept: await keptShapeTileKeys(trx, formatOf(context)),
      }));
    const wanted = extent ? PYRAMID_LAYERS.flatMap((layer) => tilesCovering(extent, layer.minZoom, PYRAMID_MAX_ZOOM).map((tile) => ({ layer, tile }))) : [];
    const missing = wanted.filter(({ layer, tile }) => !kept.has(addressKey(layer, tile)));
    Object.assign(progress, { state: 'building', tiles: wanted.length - missing.length, of: wanted.length });
    for (const { layer, tile } of missing) {
      await foregroundQuiet();
      // One tile a transaction, rendered and kept in the snapshot whose shapes' version it is kept at.
      const current = await db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          if ((await shapeSnapshotKey(trx)) !== version) return false;
          const rendered = await renderTile({ ...context, db: trx }, layer, tile);
          await keepShapeTile(trx, formatOf(context), layer.name, tile, rendered, await gzippedCopyToKeep(rendered.content));
          return true;
        });
      if (!current) return false;
      progress.tiles += 1;
    }
    await forgetOlderShapeTiles(db, formatOf(context));
    keptVersion = version;
    progress.state = 'kept';
    if (missing.length > 0) logger.info('shape tiles rendered ahead', { tiles: missing.length, of: wanted.length, version });
    return true;
  }

  async function build(context: AppContext): Promise<void> {
    if ((await shapeSnapshotKey(context.db)) === keptVersion) return;
    // The shapes may change while it renders (an import): start again at their new version.
    while (!(await buildAt(context))) logger.info('shapes changed while their tiles were rendered ahead: starting again', {});
  }

  function buildOnce(context: AppContext): Promise<void> {
    building ??= build(context)
      .catch((error: unknown) => {
        // Only a head start: tiles the pyramid lacks are rendered on request, and the next check tries again.
        progress.state = 'none';
        logger.warn('shape tiles not rendered ahead', { error: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        building = undefined;
      });
    return building;
  }

  async function storedTile(context: AppContext, layer: TileLayer, tile: TileAddress, prefixes: readonly string[] | null) {
    if (layer.keptPer !== 'shapes' || tile.z > PYRAMID_MAX_ZOOM || !(await seesWholeCity(context.db, prefixes))) return undefined;
    return storedShapeTile(context.db, formatOf(context), layer.name, tile);
  }

  return {
    async tile(context, layer, tile, prefixes) {
      const stored = await storedTile(context, layer, tile, prefixes);
      return stored ? { ...stored, stored: true } : renderTile(context, layer, tile, { prefixes });
    },
    storedTile,
    async storedNow(db, layer, tile, prefixes, use) {
      if (layer.keptPer !== 'shapes' || tile.z > PYRAMID_MAX_ZOOM || !format) return undefined;
      // A caller not known to see the whole city costs no statement here (a narrower one renders in a transaction).
      const known = districtsOfShapes;
      if (!(await knownToSeeWholeCity(known, prefixes))) return undefined;
      const found = await storedShapeTileAtVersion(db, format, layer.name, tile, use);
      const shapesKey = shapesKeyOf(found.shapesVersion);
      // The districts must be those of exactly these shapes (else the caller reads in a transaction).
      if (!found.tile || (prefixes !== null && known?.version !== shapesKey)) return undefined;
      return { shapesKey, ...(found.analyticsKey !== undefined && { analyticsKey: found.analyticsKey }), tile: found.tile };
    },
    async seesWholeCityAt(db, prefixes, shapesKey) {
      if (prefixes === null) return true;
      if (districtsOfShapes?.version !== shapesKey) await seesWholeCity(db, prefixes);
      const known = districtsOfShapes;
      return known?.version === shapesKey && (await knownToSeeWholeCity(known, prefixes));
    },
    async mightSeeWholeCity(prefixes) {
      const known = districtsOfShapes;
      return known === undefined || (await knownToSeeWholeCity(known, prefixes));
    },
    progress: () => ({ ...progress }),
    watch(context) {
      void buildOnce(context);
      timer ??= setInterval(() => void buildOnce(context), SHAPES_WATCH_MS).unref();
    },
    built: async () => {
      await building;
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/** The pyramid of one database (one per server: the health route reads its progress). */
export const shapePyramidOf: (db: Kysely<DB>) => ShapePyramid = perDatabase(() => createShapePyramid());
