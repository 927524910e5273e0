import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { CodePrefixes } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';
import type { TileLayerName } from './layers.ts';
import type { RenderedTile } from './service.ts';
import type { TileAddress } from './tile-math.ts';

/**
 * Tiles kept per data version, as Martin keeps them per source: a map view asks for the same
 * dozens of tiles again on every pan back, and the figures change far less often than that.
 *
 * The version is the analytics version (sql/0008_analytics_version.sql), read in the same
 * snapshot as the features: every layer reads only tables it covers (grids, grid_unit_stats and
 * the population tables directly; any write to buildings or units recounts grid_unit_stats, which
 * bumps it). The ETag hashes version, layer, tile and the caller's jurisdiction, so a client that
 * holds the tile gets 304 without it being rendered again, and a narrower caller never gets a
 * wider caller's tile.
 */
export interface TileRequest {
  layer: TileLayerName;
  tile: TileAddress;
  prefixes: CodePrefixes;
}

export type TileRead = { etag: string; notModified: true } | { etag: string; notModified: false; tile: RenderedTile; hit: boolean };

export interface TileCache {
  read(db: Kysely<DB>, request: TileRequest, ifNoneMatch: string | undefined, render: (trx: Transaction<DB>) => Promise<RenderedTile>): Promise<TileRead>;
}

/** ~400 typical z14 tiles of 80 KiB. */
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
/** What an entry costs beyond its bytes (an empty tile still takes a slot). */
const ENTRY_OVERHEAD_BYTES = 256;

const sizeOf = (tile: RenderedTile) => tile.content.byteLength + ENTRY_OVERHEAD_BYTES;

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

export function createTileCache(maxBytes = DEFAULT_MAX_BYTES): TileCache {
  // A Map iterates in insertion order: re-inserting on each hit makes the first key the least recently used.
  const entries = new Map<string, RenderedTile>();
  let heldBytes = 0;

  function remember(key: string, tile: RenderedTile): void {
    entries.set(key, tile);
    heldBytes += sizeOf(tile);
    for (const [oldKey, old] of entries) {
      if (heldBytes <= maxBytes) break;
      entries.delete(oldKey);
      heldBytes -= sizeOf(old);
    }
  }

  return {
    read: (db, request, ifNoneMatch, render) =>
      db.transaction().setIsolationLevel('repeatable read').execute(async (trx): Promise<TileRead> => {
        const version = await sql<{ key: string }>`SELECT analytics_snapshot_key() AS key`.execute(trx);
        const key = keyOf(version.rows[0]!.key, request);
        const etag = etagOf(key);
        if (matches(ifNoneMatch, etag)) return { etag, notModified: true };
        const kept = entries.get(key);
        if (kept) {
          entries.delete(key);
          entries.set(key, kept);
          return { etag, notModified: false, tile: kept, hit: true };
        }
        const tile = await render(trx);
        remember(key, tile);
        return { etag, notModified: false, tile, hit: false };
      }),
  };
}
