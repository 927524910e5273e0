import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { analyticsSnapshotKey } from '../db/data-version.ts';
import { GzippedJson, gzipKept } from './json-writer.ts';

/**
 * Whole-city area heatmaps are read far more often than the figures change, and building one
 * (20,000 grids, a few MB of JSON) costs far more than sending it. Responses are kept per
 * data version (sql/0008_analytics_version.sql): the version is read in the same snapshot as
 * the figures, so a kept response is exactly what a fresh computation would give.
 *
 * They are kept gzipped only (a whole-city answer: 2.3 MB of JSON, 0.4 MB gzipped), so that
 * the 36 months of the time slider fit side by side; the rare client that takes no gzip gets
 * it unzipped per request.
 */
export interface CachedJson {
  gzip: Buffer;
  etag: string;
  /** The JSON itself when it was computed for this very request (not kept). */
  json?: Buffer;
}

export interface ResponseCache {
  /**
   * The response for `requestKey` at the current data version: kept, or computed now and kept.
   * `beforeComputing`, when given, is awaited only when the answer is not kept (a wait for figures
   * the computation would read), before the computation's snapshot is taken. `knownVersion`: the
   * version the caller read in a statement of its own just before (not read again).
   */
  read(
    db: Kysely<DB>,
    requestKey: string,
    compute: (trx: Transaction<DB>) => Promise<unknown>,
    beforeComputing?: () => Promise<void>,
    knownVersion?: string,
  ): Promise<{ body: CachedJson; hit: boolean }>;
}

/**
 * A request's key for kept answers: JSON with every object's keys sorted, so that one request
 * gives one key however its object was put together (a parsed query, or one built to warm it).
 */
export function keyOfRequest(request: unknown): string {
  return JSON.stringify(request, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

const DEFAULT_MAX_GZIP_BYTES = 64 * 1024 * 1024;

/**
 * `versionOf`: the version the answers are kept per, read in the snapshot they are computed in —
 * the data version by default; answers drawn from the shapes alone are kept per the shapes' version.
 */
export function createResponseCache(maxBytes = DEFAULT_MAX_GZIP_BYTES, versionOf: (db: Kysely<DB>) => Promise<string> = analyticsSnapshotKey): ResponseCache {
  // A Map iterates in insertion order: re-inserting on each hit makes the first key the least recently used.
  const entries = new Map<string, CachedJson>();
  // Requests for a key being computed wait for that computation rather than repeat it (eight
  // slider requests in flight for one month cost one computation).
  const computing = new Map<string, Promise<CachedJson>>();
  let heldBytes = 0;

  function remember(key: string, body: CachedJson): void {
    entries.set(key, { gzip: body.gzip, etag: body.etag });
    heldBytes += body.gzip.length;
    for (const [oldKey, old] of entries) {
      if (heldBytes <= maxBytes) break;
      entries.delete(oldKey);
      heldBytes -= old.gzip.length;
    }
  }

  function keptFor(key: string): CachedJson | undefined {
    const kept = entries.get(key);
    if (kept) {
      entries.delete(key);
      entries.set(key, kept);
    }
    return kept;
  }

  return {
    read: async (db, requestKey, compute, beforeComputing, knownVersion) => {
      // A kept answer needs only the key (one statement, one snapshot); a computed one reads the key
      // again in the snapshot it computes in.
      const kept = keptFor(`${knownVersion ?? (await versionOf(db))}\n${requestKey}`);
      if (kept) return { body: kept, hit: true };
      await beforeComputing?.();
      return db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const key = `${await versionOf(trx)}\n${requestKey}`;
          const keptMeanwhile = keptFor(key);
          if (keptMeanwhile) return { body: keptMeanwhile, hit: true };
          const pending = computing.get(key);
          if (pending) return { body: await pending, hit: true };
          const computed = (async () => {
            const answer = await compute(trx);
            const etag = `"${createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`;
            const body: CachedJson = answer instanceof GzippedJson ? { gzip: answer.gzip, etag } : await jsonBody(answer, etag);
            remember(key, body);
            return body;
          })();
          computing.set(key, computed);
          try {
            return { body: await computed, hit: false };
          } finally {
            computing.delete(key);
          }
        });
    },
  };
}

/**
 * An answer's JSON, kept for this request, and its gzip, made off the server's thread: a
 * whole-city answer takes 2 ms to gzip, and the slider's answers are built in the background
 * beside requests (issue 18).
 */
async function jsonBody(answer: unknown, etag: string): Promise<CachedJson> {
  const json = Buffer.from(JSON.stringify(answer));
  return { json, gzip: await gzipKept(json), etag };
}

/** Sends a kept body with an ETag (304 when the client has it), gzipped when the client takes it. */
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
  if (request.acceptsEncodings('gzip') === 'gzip') {
    response.setHeader('Content-Encoding', 'gzip');
    response.send(body.gzip);
    return;
  }
  response.send(body.json ?? gunzipSync(body.gzip));
}
