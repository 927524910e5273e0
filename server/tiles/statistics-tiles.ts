import type { Kysely } from 'kysely';
import type { AppContext } from '../context.ts';
import { analyticsSnapshotKey } from '../db/data-version.ts';
import { perDatabase } from '../db/per-database.ts';
import type { DB } from '../db/schema.ts';
import { privacyThreshold } from '../heatmaps/service.ts';
import { TILE_LAYERS } from './layers.ts';
import { readMvtLayer, writeMvtLayer, type MvtLayer, type MvtValue } from './mvt-layer.ts';
import type { RenderedTile } from './render.ts';
import { renderTile } from './render.ts';
import { DEFAULT_PRIVACY_K } from '../domain/privacy.ts';
import { gridCountsByCode, gridCountsInSnapshot, type GridCounts } from './repository/grid-statistics.ts';
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
 * the caller's version are read, a tile waits for that read if it is under way, or else reads its
 * own grids' counts (one statement that also reads the version and the privacy k of its snapshot,
 * so no transaction either; they were made in a transaction of eight statements once, 150–200 ms
 * each under the bench's 8 tiles in flight). Narrower callers and deeper zooms are rendered as before.
 */

type CityCounts = Map<string, GridCounts>;

export interface StatisticsTiles {
  /** A statistics tile in the caller's snapshot (a REPEATABLE READ transaction: the tile cache renders in one). */
  tile(context: AppContext, tile: TileAddress, prefixes: readonly string[] | null): Promise<RenderedTile & { stored?: true }>;
  /**
   * The data version with the tile's grids from the pyramid, in one statement (tile-cache.ts
   * QuickTile): the tile is made without a transaction, with the city's counts of that version when
   * kept, else with its own grids' (one more statement).
   */
  quick: (db: Kysely<DB>, tile: TileAddress, prefixes: readonly string[] | null) => ReturnType<QuickTile>;
  /**
   * Keeps the counts of the latest data version ready (WARM_KEPT_ANSWERS): read now, and again
   * soon after every change (WATCH_MS, paced) while a map's tiles are being asked (IDLE_MS),
   * so that the tiles after a write find them.
   */
  watch(): void;
  /** A map tile of any layer was asked: a map is open, so the counts are kept current (its statistics tiles come next), read at once after a pause. */
  viewed(): void;
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
/** The watch reads only while a map's tiles (any layer) were asked within this time: a stream of writes nobody views pays nothing. */
const IDLE_MS = 5 * 60_000;

function createStatisticsTiles(db: Kysely<DB>, pyramid: ShapePyramid): StatisticsTiles {
  const layer = TILE_LAYERS.statistics;
  /** The counts of the latest data version read, withheld at `privacyK`. */
  let kept: { version: string; privacyK: number; counts: CityCounts } | undefined;
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
        const privacyK = await privacyThreshold(trx);
        kept = { version, privacyK, counts: await gridCountsByCode(trx, privacyK) };
        restUntil = Date.now() + REST_FACTOR * (Date.now() - started);
      })
      .catch(() => undefined) // only a head start: until read, each tile reads its own grids' counts
      .finally(() => {
        reading = undefined;
      });
    return reading;
  }

  /**
   * The counts of `version` for a tile's grids: the city's if kept (waiting for their read under
   * way, if any), else the tile's own. Undefined when the data has moved past `version` (only
   * outside a transaction). Right after a burst of writes a tile's own read took 20–40 ms of the
   * database, and eight in flight 100–235 ms each, against one city's read for all of them
   * (64–117 ms); the watch and a map's first tile start that read (viewed), not each tile.
   */
  async function countsAt(db: Kysely<DB>, version: string, codes: readonly string[]): Promise<CityCounts | undefined> {
    askedAt = Date.now();
    if (kept?.version !== version && reading) await reading;
    if (kept?.version === version) return kept.counts;
    // k is the one of the counts last read, unless the statement finds another.
    let privacyK = kept?.privacyK ?? DEFAULT_PRIVACY_K;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const read = await gridCountsInSnapshot(db, privacyK, codes);
      if (read.version !== version) return undefined;
      if (read.privacyK === privacyK) return read.counts;
      privacyK = read.privacyK;
    }
    return undefined;
  }

  return {
    async tile(context, tile, prefixes) {
      const shapes = await pyramid.storedTile(context, TILE_LAYERS.grids, tile, prefixes);
      // The version is read only for a tile with grids to count (in the caller's transaction it cannot move).
      const content = shapes && (await fromShapes(shapes, async (codes) => countsAt(context.db, await analyticsSnapshotKey(context.db), codes)));
      return content ? { content, truncated: false, stored: true } : renderTile(context, layer, tile, { prefixes });
    },
    async quick(db, tile, prefixes) {
      const found = await pyramid.storedNow(db, TILE_LAYERS.grids, tile, prefixes, 'statistics');
      const version = found?.analyticsKey;
      if (!found || version === undefined) return undefined;
      return {
        version,
        tile: async () => {
          // Undefined only if the data moved on meanwhile: the request goes on to tile(), in a transaction.
          const content = await fromShapes(found.tile, (codes) => countsAt(db, version, codes));
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
    viewed() {
      const now = Date.now();
      // While watched, a map opened after a pause reads the counts now, not at the watch's next
      // look: its statistics tiles follow its grid tiles within a few hundred milliseconds.
      if (timer && now - askedAt > WATCH_MS && now >= restUntil) void readLatest();
      askedAt = now;
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
 * The statistics tile from a grid tile: its features under the statistics layer's name, each with
 * its code and name (the grid tile's) and its grid's counts (from `countsOf` the tile's grid codes),
 * a withheld count left out as ST_AsMVT leaves out a jsonb null. Undefined when the counts are not
 * at hand, or the tile holds more features than the statistics layer carries (the renderer then
 * cuts it and says so).
 */
async function fromShapes(shapes: RenderedTile, countsOf: (codes: string[]) => Promise<CityCounts | undefined>): Promise<Uint8Array | undefined> {
  if (shapes.truncated) return undefined;
  if (shapes.content.length === 0) return shapes.content;
  const grids = readMvtLayer(shapes.content);
  if (!grids) return new Uint8Array();
  if (grids.features.length > TILE_LAYERS.statistics.maxFeatures) return undefined;
  const counts = await countsOf(grids.features.map((feature) => String(feature.properties.code)));
  return counts && withStatistics(grids, counts);
}

function withStatistics(grids: MvtLayer, counts: CityCounts): Uint8Array {
  const features = grids.features.map((feature) => ({
    ...feature,
    properties: { ...feature.properties, ...presentCounts(counts.get(String(feature.properties.code))) },
  }));
  return writeMvtLayer({ ...grids, name: TILE_LAYERS.statistics.name, features });
}

function presentCounts(counts: GridCounts | undefined): Record<string, MvtValue> {
  const present: Record<string, MvtValue> = {};
  for (const [key, value] of Object.entries(counts ?? {})) if (value !== null) present[key] = value;
  return present;
}
