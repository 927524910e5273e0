import type { Request, Response } from 'express';
import { gzipKept } from '../http/json-writer.ts';

/**
 * Tiles sent gzipped, from a copy made once per tile content (issue 18). The compression middleware
 * in front of /tiles never compressed them: it compresses only the media types it knows as
 * compressible, and MVT is not one, so a z11 grid tile went out as ~90 KB raw. Gzipping each
 * response would cost milliseconds of CPU per tile on the server, though a map's tiles are kept and
 * answered many times over: a kept tile is the same bytes each time, so its gzipped copy is made on
 * its first answer (on libuv's thread pool) and lives as long as those bytes.
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

/** Sends a tile gzipped when the client takes gzip and the tile is worth it, else as it is. */
export async function sendTile(request: Request, response: Response, content: Uint8Array, mediaType: string): Promise<void> {
  response.vary('Accept-Encoding');
  response.type(mediaType);
  if (content.byteLength >= MIN_GZIPPED_TILE_BYTES && request.acceptsEncodings('gzip') === 'gzip') {
    const gzipped = await gzippedOnce(content);
    // Set before sending: the compression middleware leaves an encoded response alone.
    response.setHeader('Content-Encoding', 'gzip');
    response.send(gzipped);
    return;
  }
  response.send(Buffer.from(content.buffer, content.byteOffset, content.byteLength));
}
