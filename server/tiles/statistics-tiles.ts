import type { Kysely } from 'kysely';
import type { AppContext } from '../context.ts';
import { analyticsSnapshotKey } from '../db/data-version.ts';
import { perDatabase } from '../db/per-database.ts';
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
 * grids are read once per data version (one statement, 35–110 ms for 20,000 grids, shared by
 * every tile of that version) with the same joins and expressions the rendered tile uses
 * (db/feature-sql.ts), so the numbers and the withheld counts are the same. Until the counts of
 * the caller's version are read, its tiles are rendered as before. Narrower callers and deeper zooms are rendered as before.
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
   * soon after every change (WATCH_MS, paced) while statistics tiles are being asked (IDLE_MS),
   * so that the tiles after a write find them.
   */
  watch(): void;
  /** The read of the counts under way, if any (tests wait on it). */
  counted(): Promise<void>;
  stop(): void;
}

/**
 * How often the watch looks for a new data version, and how long it rests after reading the counts
 * (at least twice the read's own time): a read is ≈ 35 ms warm, 55 ms with cold pages and ≈ 110 ms
 * right after a burst of writes (without JIT: repository/grid-statistics.ts), so under a steady
 * stream of writes it takes at most a third of one core, and 10% when warm.
 */
const WATCH_MS = 500;
const REST_FACTOR = 2;
/** The watch reads only while statistics tiles were asked within this time: a stream of writes nobody views pays nothing. */
const IDLE_MS = 5 * 60_000;
/**
 * How long a tile of a new data version waits for the city's counts before it is rendered in
 * PostGIS instead: a read is 35–110 ms (a rendered tile, its pages cold, is 100–200 ms). Before
 * the read ran without JIT it was 250–750 ms right after a burst or on a cold start, of which
 * 240–270 ms compiling; the bound stays for a database under other load.
 */
const COUNTS_WAIT_MS = 400;

function createStatisticsTiles(db: Kysely<DB>, pyramid: ShapePyramid): StatisticsTiles {
  const layer = TILE_LAYERS.statistics;
  /** The counts of the latest data version read. */
  let kept: { version: string; counts: CityCounts } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<unknown> | undefined;
  let restUntil = 0;
  let askedAt = Number.NEGATIVE_INFINITY;

  /**
   * Reads every grid's counts in a snapshot of its own, in the background (one read at a time),
   * unless they are kept for that snapshot's version already.
   */
  function readLatest(): Promise<unknown> {
    reading ??= db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const version = await analyticsSnapshotKey(trx);
        if (kept?.version === version) return;
        const started = Date.now();
        kept = { version, counts: await gridCountsByCode(trx, await privacyThreshold(trx)) };
        restUntil = Date.now() + REST_FACTOR * (Date.now() - started);
      })
      .catch(() => undefined) // only a head start: until read, tiles are rendered in PostGIS
      .finally(() => {
        reading = undefined;
      });
    return reading;
  }

  /**
   * The counts of `version`: kept, or read now and waited for at most `waitMs`; undefined after
   * that (the caller renders in PostGIS, the read goes on).
   */
  async function countsOf(version: string, waitMs: number): Promise<CityCounts | undefined> {
    askedAt = Date.now();
    if (kept?.version !== version) {
      const read = readLatest();
      if (waitMs > 0) await Promise.race([read, new Promise((resolve) => setTimeout(resolve, waitMs))]);
    }
    return kept?.version === version ? kept.counts : undefined;
  }

  /** The statistics tile from the grid tile, with the counts of `version` (not needed for a tile without grids). */
  async function fromShapes(shapes: RenderedTile, version: string, waitMs: number): Promise<Uint8Array | undefined> {
    if (shapes.truncated) return undefined;
    if (shapes.content.length === 0) return shapes.content;
    const counts = await countsOf(version, waitMs);
    return counts && withStatistics(shapes.content, counts, layer.maxFeatures);
  }

  return {
    async tile(context, tile, prefixes) {
      const shapes = await pyramid.storedTile(context, TILE_LAYERS.grids, tile, prefixes);
      const content = shapes && (await fromShapes(shapes, await analyticsSnapshotKey(context.db), COUNTS_WAIT_MS));
      return content ? { content, truncated: false, stored: true } : renderTile(context, layer, tile, { prefixes });
    },
    async quick(db, tile, prefixes) {
      if (!kept) return undefined;
      const found = await pyramid.storedNow(db, TILE_LAYERS.grids, tile, prefixes, true);
      const version = found?.analyticsKey;
      if (!found || version === undefined) return undefined;
      return {
        version,
        tile: async () => {
          // No wait here: without the counts the request goes on to tile(), which waits for them once.
          const content = await fromShapes(found.tile, version, 0);
          return content && { content, truncated: false, stored: true as const };
        },
      };
    },
    watch() {
      readLatest();
      timer ??= setInterval(() => {
        const now = Date.now();
        if (now >= restUntil && now - askedAt < IDLE_MS) void readLatest();
      }, WATCH_MS).unref();
    },
    counted: async () => {
      await reading;
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/** The statistics tiles of one database (one per server: main.ts starts their watch, the tile routes read them). */
export const statisticsTilesOf: (db: Kysely<DB>) => StatisticsTiles = perDatabase((db) => createStatisticsTiles(db, shapePyramidOf(db)));

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
