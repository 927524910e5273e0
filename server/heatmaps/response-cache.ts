import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Whole-city area heatmaps are read far more often than the figures change, and building one
 * (20,000 grids, a few MB of JSON) costs far more than sending it. Responses are kept per
 * data version (sql/0008_analytics_version.sql): the version is read in the same snapshot as
 * the figures, so a kept response is exactly what a fresh computation would give.
 */
export interface CachedJson {
  json: Buffer;
  etag: string;
  gzip?: Buffer;
}

export interface ResponseCache {
  /** The response for `requestKey` at the current data version: kept, or computed now and kept. */
  read(db: Kysely<DB>, requestKey: string, compute: (trx: Transaction<DB>) => Promise<unknown>): Promise<{ body: CachedJson; hit: boolean }>;
}

// Counted in JSON bytes; a gzip copy, made on first demand, adds about a tenth.
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
// Below this a gzip pass costs more than it saves on a local network.
const GZIP_FROM_BYTES = 8 * 1024;

export function createResponseCache(maxBytes = DEFAULT_MAX_BYTES): ResponseCache {
  // A Map iterates in insertion order: re-inserting on each hit makes the first key the least recently used.
  const entries = new Map<string, CachedJson>();
  let heldBytes = 0;

  function remember(key: string, body: CachedJson): void {
    entries.set(key, body);
    heldBytes += body.json.length;
    for (const [oldKey, old] of entries) {
      if (heldBytes <= maxBytes) break;
      entries.delete(oldKey);
      heldBytes -= old.json.length;
    }
  }

  return {
    read: (db, requestKey, compute) =>
      db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
        const version = await sql<{ key: string }>`SELECT analytics_snapshot_key() AS key`.execute(trx);
        const key = `${version.rows[0]!.key}\n${requestKey}`;
        const kept = entries.get(key);
        if (kept) {
          entries.delete(key);
          entries.set(key, kept);
          return { body: kept, hit: true };
        }
        const json = Buffer.from(JSON.stringify(await compute(trx)));
        const body: CachedJson = { json, etag: `"${createHash('sha256').update(key).digest('base64url').slice(0, 27)}"` };
        remember(key, body);
        return { body, hit: false };
      }),
  };
}

/** Sends a kept body with an ETag (304 when the client has it) and gzip when the client takes it. */
export function sendCachedJson(request: Request, response: Response, body: CachedJson, hit: boolean): void {
  response.setHeader('ETag', body.etag);
  response.setHeader('Vary', 'Accept-Encoding');
  response.setHeader('Cache-Control', 'private, no-cache');
  response.setHeader('X-Renwu-Cache', hit ? 'hit' : 'miss');
  if (request.headers['if-none-match'] === body.etag) {
    response.status(304).end();
    return;
  }
  response.type('application/json');
  if (body.json.length >= GZIP_FROM_BYTES && request.acceptsEncodings('gzip') === 'gzip') {
    body.gzip ??= gzipSync(body.json, { level: 1 });
    response.setHeader('Content-Encoding', 'gzip');
    response.send(body.gzip);
    return;
  }
  response.send(body.json);
}
