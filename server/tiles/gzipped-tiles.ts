import type { Request, Response } from 'express';
import { gzipKept } from '../http/json-writer.ts';
import type { RenderedTile } from './render.ts';

/**
 * Tiles sent gzipped, from a copy made once per tile content (issue 18). The compression middleware
 * in front of /tiles never compressed them: it compresses only the media types it knows as
 * compressible, and MVT is not one, so a z11 grid tile went out as ~90 KB raw. Gzipping each
 * response would cost milliseconds of CPU per tile on the server, though a map's tiles are kept and
 * answered many times over: a kept tile is the same bytes each time, so its gzipped copy is made on
 * its first answer (on libuv's thread pool) and lives as long as those bytes. Tiles rendered ahead
 * (the shape pyramid, the building tiles) are gzipped by their builders and kept with that copy
 * (sql/0034), so that no request pays it.
 */
/** Smaller tiles are sent as they are (the compression middleware's own threshold): gzip would save less than it costs. */
export const MIN_GZIPPED_TILE_BYTES = 1024;

const gzippedCopies = new WeakMap<Uint8Array, Promise<Buffer>>();

/** `content` gzipped, made once for the same bytes however often they are answered. */
export function gzippedOnce(content: Uint8Array): Promise<Buffer> {
  let copy = gzippedCopies.get(content);
  if (!copy) {
    // Level 1, as kept answers: a z11 grid tile 91 → 37.5 KB (36.6 KB at level 6, for half again the time).
    copy = gzipKept(content);
    gzippedCopies.set(content, copy);
    copy.catch(() => gzippedCopies.delete(content));
  }
  return copy;
}

/**
 * How the builders gzip the tiles they render ahead: zlib's default level. They work in the
 * background, once per tile, and the copy is sent every time the tile is asked (a z11 grid tile
 * 36.6 KB against 37.5 KB at level 1, for half again the time).
 */
export const RENDERED_AHEAD_GZIP = { level: 6 } as const;

/** The gzipped copy a builder keeps beside a tile rendered ahead: null when the tile is sent as it is. */
export async function gzippedCopyToKeep(content: Uint8Array): Promise<Uint8Array | null> {
  return content.byteLength >= MIN_GZIPPED_TILE_BYTES ? gzipKept(content, RENDERED_AHEAD_GZIP) : null;
}

/** Sends a tile gzipped (its kept copy, else one made once) when the client takes gzip and the tile is worth it, else as it is. */
export async function sendTile(request: Request, response: Response, { content, gzipped: keptCopy }: RenderedTile, mediaType: string): Promise<void> {
  response.vary('Accept-Encoding');
  response.type(mediaType);
  if (content.byteLength >= MIN_GZIPPED_TILE_BYTES && request.acceptsEncodings('gzip') === 'gzip') {
    const gzipped = keptCopy ?? (await gzippedOnce(content));
    // Set before sending: the compression middleware leaves an encoded response alone.
    response.setHeader('Content-Encoding', 'gzip');
    response.send(gzipped);
    return;
  }
  response.send(Buffer.from(content.buffer, content.byteOffset, content.byteLength));
}
