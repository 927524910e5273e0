import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { CodePrefixes } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';
import { analyticsSnapshotKey } from '../db/data-version.ts';
import type { TileLayerName } from './layers.ts';
import type { RenderedTile } from './render.ts';
import type { TileAddress } from './tile-math.ts';

/**
 * Tiles kept per data version, as Martin keeps them per source: a map view asks for the same
 * dozens of tiles again on every pan back, and the figures change far less often than that.
 *
 * The version is read in the same snapshot as the features: the analytics version
 * (sql/0008_analytics_version.sql) for layers of figures, which read only tables it covers
 * (grid_unit_stats and the population tables directly; any write to buildings or units recounts
 * grid_unit_stats, which bumps it), and the shapes' version (sql/0029) for the grids and areas. The ETag hashes version, layer, tile and the caller's jurisdiction, so a client that
 * holds the tile gets 304 without it being rendered again, and a narrower caller never gets a
 * wider caller's tile.
 */
export interface TileRequest {
  layer: TileLayerName;
  tile: TileAddress;
  prefixes: CodePrefixes;
}

/**
 * A tile's version read together with what makes the tile without a transaction (a tile rendered
 * ahead, read in the same statement): `tile()` gives it, or undefined when it cannot be made so.
 */
export type QuickTile = (db: Kysely<DB>) => Promise<
  | {
      version: string;
      /** The version names this tile alone (a building tile's generation), not the layer's: it starts no refill. */
      perTile?: true;
      tile(): Promise<RenderedTile | undefined>;
    }
  | undefined
>;

/** Where a tile not kept in memory comes from, tried in this order. */
export interface TileSources {
  /**
   * Asked first: the version it reads stands for the version statement, and the tile it makes is
   * kept and answered without a transaction (a tile rendered ahead).
   */
  quick?: QuickTile;
  /** After a miss in memory: the tile rendered in one statement with the version of its snapshot, or undefined. */
  atOnce?: (db: Kysely<DB>) => Promise<{ version: string; tile: RenderedTile } | undefined>;
  /** Otherwise: rendered in a REPEATABLE READ transaction, whose version it is kept at. */
  render: (trx: Transaction<DB>) => Promise<RenderedTile>;
}

export type TileRead = { etag: string; notModified: true } | { etag: string; notModified: false; tile: RenderedTile; hit: boolean };

export interface TileCache {
  read(db: Kysely<DB>, request: TileRequest, ifNoneMatch: string | undefined, sources: TileSources): Promise<TileRead>;
  /** The refill under way after a data change, if any (tests wait on it). */
  refilled(): Promise<void>;
  heldBytes(): number;
}

/**
 * Renders any tile again, for the refill after a data change: the tiles people were looking at
 * are rendered for the new version in the background, one at a time, most recently used first,
 * so that a pan after a write finds them kept (issue 18).
 */
export type TileRenderer = (trx: Transaction<DB>, request: TileRequest) => Promise<RenderedTile>;

/** At most this many tiles are rendered again after one data change. */
const MAX_REFILL_TILES = 2000;

interface KeptTile {
  version: string;
  request: TileRequest;
  tile: RenderedTile;
  /** Kept at its own version (QuickTile perTile): no refill renders it at the layer's. */
  perTile?: true;
}

/** ~400 typical z14 tiles of 80 KiB. */
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
/** What an entry costs beyond its bytes (an empty tile still takes a slot). */
const ENTRY_OVERHEAD_BYTES = 256;

const sizeOf = (kept: KeptTile) => kept.tile.content.byteLength + (kept.tile.gzipped?.byteLength ?? 0) + ENTRY_OVERHEAD_BYTES;

function keyOf(version: string, { layer, tile, prefixes }: TileRequest): string {
  const jurisdiction = prefixes === null ? '*' : [...prefixes].sort().join(',');
  return `${version}\n${layer}/${tile.z}/${tile.x}/${tile.y}\n${jurisdiction}`;
}

const etagOf = (key: string) => `"${createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`;

/** Whether an If-None-Match header names `etag` (a list, or *). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/**
 * `versionOf`: what the cache's tiles are kept per, read in the reader's snapshot: the analytics
 * version (every layer's data), or the shapes' version for layers that draw only shapes.
 */
export function createTileCache(
  maxBytes = DEFAULT_MAX_BYTES,
  refill?: { db: Kysely<DB>; render: TileRenderer },
  versionOf: (db: Kysely<DB>) => Promise<string> = analyticsSnapshotKey,
): TileCache {
  // A Map iterates in insertion order: re-inserting on each hit makes the first key the least recently used.
  const entries = new Map<string, KeptTile>();
  let heldBytes = 0;
  let latestVersion: string | undefined;
  let refilling: Promise<void> | undefined;

  function forget(key: string): void {
    const old = entries.get(key);
    if (!old) return;
    entries.delete(key);
    heldBytes -= sizeOf(old);
  }

  function remember(key: string, kept: KeptTile): void {
    forget(key);
    entries.set(key, kept);
    heldBytes += sizeOf(kept);
    for (const oldKey of entries.keys()) {
      if (heldBytes <= maxBytes) break;
      forget(oldKey);
    }
  }

  /** Renders the older versions' tiles again at `version`, newest first; stops when the data moves on again. */
  async function refillFor(version: string, { db, render }: { db: Kysely<DB>; render: TileRenderer }): Promise<void> {
    const stale = [...entries]
      .filter(([, kept]) => kept.version !== version && !kept.perTile)
      .reverse()
      .slice(0, MAX_REFILL_TILES);
    for (const [oldKey, { request }] of stale) {
      const current = await db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const now = await versionOf(trx);
          if (now !== version) return false;
          const key = keyOf(now, request);
          if (!entries.has(key)) remember(key, { version: now, request, tile: await render(trx, request) });
          return true;
        });
      forget(oldKey);
      if (!current) return;
    }
  }

  function noteVersion(version: string): void {
    if (version === latestVersion) return;
    latestVersion = version;
    startRefill();
  }

  /** Refills for the latest version, unless a refill runs: that one, once done, starts the next if the version moved on. */
  function startRefill(): void {
    const version = latestVersion;
    if (!refill || refilling || version === undefined) return;
    refilling = refillFor(version, refill)
      .catch(() => undefined) // a refill is only a head start: a failed one leaves tiles to be rendered on request
      .finally(() => {
        refilling = undefined;
        if (latestVersion !== version) startRefill();
      });
  }

  /** The answer without rendering at `version`: 304 for the client's own ETag, or the kept tile. */
  function keptRead(version: string, request: TileRequest, ifNoneMatch: string | undefined): TileRead | undefined {
    const key = keyOf(version, request);
    const etag = etagOf(key);
    if (matches(ifNoneMatch, etag)) return { etag, notModified: true };
    const kept = entries.get(key);
    if (!kept) return undefined;
    entries.delete(key);
    entries.set(key, kept);
    return { etag, notModified: false, tile: kept.tile, hit: true };
  }

  return {
    read: async (db, request, ifNoneMatch, { quick, atOnce, render }) => {
      // A 304 or a kept tile needs only the version (one statement, one snapshot); a rendered one
      // reads it again in the snapshot it renders in.
      // The refill of the other tiles starts once this one is answered: the caller waits for no one.
      const found = await quick?.(db);
      const known = found?.version ?? (await versionOf(db));
      const noteLayerVersion = (version: string) => !found?.perTile && noteVersion(version);
      const kept = keptRead(known, request, ifNoneMatch);
      if (kept) {
        noteLayerVersion(known);
        return kept;
      }
      const made = found ? { version: known, tile: await found.tile() } : await atOnce?.(db);
      if (made?.tile) {
        const key = keyOf(made.version, request);
        remember(key, { version: made.version, request, tile: made.tile, ...(found?.perTile && { perTile: true as const }) });
        noteLayerVersion(made.version);
        const etag = etagOf(key);
        return matches(ifNoneMatch, etag) ? { etag, notModified: true } : { etag, notModified: false, tile: made.tile, hit: false };
      }
      const rendered = await db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const version = await versionOf(trx);
          const keptMeanwhile = keptRead(version, request, ifNoneMatch);
          if (keptMeanwhile) return { version, read: keptMeanwhile };
          const key = keyOf(version, request);
          const tile = await render(trx);
          remember(key, { version, request, tile });
          return { version, read: { etag: etagOf(key), notModified: false, tile, hit: false } satisfies TileRead };
        });
      noteVersion(rendered.version);
      return rendered.read;
    },
    refilled: async () => {
      await refilling;
    },
    heldBytes: () => heldBytes,
  };
}
