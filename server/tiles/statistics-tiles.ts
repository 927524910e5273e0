import type { Kysely } from 'kysely';
import type { AppContext } from '../context.ts';
import { analyticsSnapshotKey } from '../db/data-version.ts';
import type { DB } from '../db/schema.ts';
import { privacyThreshold } from '../heatmaps/service.ts';
import { TILE_LAYERS } from './layers.ts';
import { readMvtLayer, writeMvtLayer, type MvtValue } from './mvt-layer.ts';
import type { RenderedTile } from './render.ts';
import { renderTile } from './render.ts';
import { gridCountsByCode, type GridCounts } from './repository/grid-statistics.ts';
import { shapePyramidOf, type ShapePyramid } from './shape-pyramid.ts';
import type { QuickTile } from './tile-cache.ts';
import type { TileAddress } from './tile-math.ts';

/**
 * Statistics tiles as "shapes once, values per data version" (issue 18). A statistics tile is the
 * grids of the tile with their counts. Rendered in PostGIS, each one joins every grid of the tile to
 * the kept daily counts: a z12 tile of 324 grids probed 324 leaves of a 15-million-row index, 9 ms
 * warm and 100–200 ms when those pages were not in memory, and every registration made every tile
 * of the city be rendered again.
 *
 * So, for a caller who sees the whole city and a tile the shape pyramid holds (z12–z14), the tile is
 * the pyramid's grid tile (the same grids with their codes and names, their geometry already
 * clipped, simplified to half a pixel and encoded) with each grid's counts added; the counts of all
 * grids are read once per data version (one statement, ≈ 35 ms warm for 20,000 grids, shared by
 * every tile of that version) with the same joins and expressions the rendered tile uses
 * (db/feature-sql.ts), so the numbers and the withheld counts are the same. Narrower callers and deeper zooms are rendered as before.
 */

type CityCounts = Map<string, GridCounts>;

export interface StatisticsTiles {
  /** A statistics tile in the caller's snapshot (a REPEATABLE READ transaction: the tile cache renders in one). */
  tile(context: AppContext, tile: TileAddress, prefixes: readonly string[] | null): Promise<RenderedTile & { stored?: true }>;
  /**
   * The data version with the tile's grids from the pyramid, in one statement (tile-cache.ts
   * QuickTile): the tile is made without a transaction when the counts of that version are kept.
   */
  quick: (db: Kysely<DB>, tile: TileAddress, prefixes: readonly string[] | null) => ReturnType<QuickTile>;
  /**
   * Keeps the counts of the latest data version ready (WARM_KEPT_ANSWERS): read now, and again
   * within WATCH_MS of every change, so that the first tiles after a write do not wait for them.
   */
  watch(context: AppContext): void;
  stop(): void;
}

/** How often the watch looks for a new data version: a read of the counts is ≈ 35–100 ms, so at most ~5% of a core under a steady stream of writes. */
const WATCH_MS = 2000;

function createStatisticsTiles(pyramid: ShapePyramid): StatisticsTiles {
  const layer = TILE_LAYERS.statistics;
  /** The counts of the latest data version read: concurrent readers of one version share one read. */
  let kept: { version: string; counts: Promise<CityCounts>; ready: boolean } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<unknown> | undefined;

  /** Every grid's counts in the reader's snapshot (a REPEATABLE READ transaction). */
  async function countsOfSnapshot(db: Kysely<DB>): Promise<CityCounts> {
    const version = await analyticsSnapshotKey(db);
    if (kept?.version !== version) {
      const counts = (async () => gridCountsByCode(db, await privacyThreshold(db)))();
      const entry = { version, counts, ready: false };
      kept = entry;
      counts.then(
        () => {
          entry.ready = true;
        },
        // A failed read is not kept: the next tile reads again.
        () => {
          if (kept === entry) kept = undefined;
        },
      );
    }
    return kept.counts;
  }

  function fromShapes(shapes: RenderedTile | undefined, counts: CityCounts): Uint8Array | undefined {
    return shapes && !shapes.truncated ? withStatistics(shapes.content, counts, layer.maxFeatures) : undefined;
  }

  return {
    async tile(context, tile, prefixes) {
      const shapes = await pyramid.storedTile(context, TILE_LAYERS.grids, tile, prefixes);
      const content = shapes && fromShapes(shapes, await countsOfSnapshot(context.db));
      return content ? { content, truncated: false, stored: true } : renderTile(context, layer, tile, { prefixes });
    },
    async quick(db, tile, prefixes) {
      if (!kept?.ready) return undefined;
      const found = await pyramid.storedNow(db, TILE_LAYERS.grids, tile, prefixes, true);
      const version = found?.analyticsKey;
      if (!found || version === undefined) return undefined;
      return {
        version,
        tile: async () => {
          const entry = kept;
          const content = entry?.version === version && entry.ready ? fromShapes(found.tile, await entry.counts) : undefined;
          return content && { content, truncated: false, stored: true as const };
        },
      };
    },
    watch(context) {
      const readLatest = () => {
        reading ??= context.db
          .transaction()
          .setIsolationLevel('repeatable read')
          .execute((trx) => countsOfSnapshot(trx))
          .catch(() => undefined) // only a head start: a tile reads the counts itself
          .finally(() => {
            reading = undefined;
          });
      };
      readLatest();
      timer ??= setInterval(readLatest, WATCH_MS).unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

const statisticsByDatabase = new WeakMap<Kysely<DB>, StatisticsTiles>();

/** The statistics tiles of one database (one per server: main.ts starts their watch, the tile routes read them). */
export function statisticsTilesOf(db: Kysely<DB>): StatisticsTiles {
  let tiles = statisticsByDatabase.get(db);
  if (!tiles) {
    tiles = createStatisticsTiles(shapePyramidOf(db));
    statisticsByDatabase.set(db, tiles);
  }
  return tiles;
}

/**
 * The grid tile's features under the statistics layer's name, each with its code and name (the
 * grid tile's) and its grid's counts, a withheld count left out as ST_AsMVT leaves out a jsonb null;
 * undefined when the tile holds more features than the statistics layer carries (the renderer then
 * cuts it and says so).
 */
function withStatistics(gridTile: Uint8Array, counts: CityCounts, maxFeatures: number): Uint8Array | undefined {
  const shapes = readMvtLayer(gridTile);
  if (!shapes) return new Uint8Array();
  if (shapes.features.length > maxFeatures) return undefined;
  const features = shapes.features.map((feature) => ({
    ...feature,
    properties: { ...feature.properties, ...presentCounts(counts.get(String(feature.properties.code))) },
  }));
  return writeMvtLayer({ ...shapes, name: TILE_LAYERS.statistics.name, features });
}

function presentCounts(counts: GridCounts | undefined): Record<string, MvtValue> {
  const present: Record<string, MvtValue> = {};
  for (const [key, value] of Object.entries(counts ?? {})) if (value !== null) present[key] = value;
  return present;
}
