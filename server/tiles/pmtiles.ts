import { gzipSync } from 'node:zlib';
import type { Bbox } from '../domain/coordinates.ts';
import type { TileAddress } from './tile-math.ts';

/**
 * A PMTiles v3 writer (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): one file
 * holding a tile pyramid, read by pmtiles-aware clients (the `pmtiles` protocol of MapLibre, QGIS,
 * GDAL) from a plain file server or disk, for the intranet (政务网) that reaches no tile server.
 *
 * Layout: the 127-byte header, the root directory, the metadata JSON, the leaf directories, then
 * the tile data in tile-id order (clustered). Directories, metadata and tiles are gzipped, and the
 * header says so. Pure: no I/O.
 */

export interface ArchiveTile extends TileAddress {
  /** An uncompressed MVT. */
  data: Uint8Array;
}

export interface ArchiveDescription {
  minZoom: number;
  maxZoom: number;
  /** [minLon, minLat, maxLon, maxLat] in WGS84. */
  bounds: Bbox;
  metadata: Record<string, unknown>;
}

const HEADER_BYTES = 127;
/** The spec: header and root directory together fit in the first 16 KiB a client fetches. */
const ROOT_DIRECTORY_MAX_BYTES = 16384 - HEADER_BYTES;
const COMPRESSION_GZIP = 2;
const TILE_TYPE_MVT = 1;

interface Entry {
  tileId: number;
  offset: number;
  length: number;
  /** 0 marks a leaf directory; 1 a single tile. */
  runLength: number;
}

function rotate(size: number, xy: [number, number], rx: number, ry: number): void {
  if (ry !== 0) return;
  if (rx === 1) {
    xy[0] = size - 1 - xy[0];
    xy[1] = size - 1 - xy[1];
  }
  [xy[0], xy[1]] = [xy[1], xy[0]];
}

/** The tile's position on the Hilbert curve of its zoom, after every tile of the zooms above. */
export function tileIdOf({ z, x, y }: TileAddress): number {
  const tilesAbove = (4 ** z - 1) / 3;
  const xy: [number, number] = [x, y];
  let position = 0;
  for (let size = 2 ** (z - 1); size >= 1; size /= 2) {
    const rx = (xy[0] & size) > 0 ? 1 : 0;
    const ry = (xy[1] & size) > 0 ? 1 : 0;
    position += size * size * ((3 * rx) ^ ry);
    rotate(size, xy, rx, ry);
  }
  return tilesAbove + position;
}

function pushVarint(bytes: number[], value: number): void {
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
}

/** A directory: the count, then per column (id deltas, run lengths, lengths, offsets), varints; gzipped. */
function serializeDirectory(entries: Entry[]): Buffer {
  const bytes: number[] = [];
  pushVarint(bytes, entries.length);
  let lastId = 0;
  for (const entry of entries) {
    pushVarint(bytes, entry.tileId - lastId);
    lastId = entry.tileId;
  }
  for (const entry of entries) pushVarint(bytes, entry.runLength);
  for (const entry of entries) pushVarint(bytes, entry.length);
  entries.forEach((entry, index) => {
    const previous = entries[index - 1];
    // 0 = right after the previous entry's bytes; otherwise offset + 1.
    pushVarint(bytes, previous && entry.offset === previous.offset + previous.length ? 0 : entry.offset + 1);
  });
  return gzipSync(Uint8Array.from(bytes));
}

/** The root directory, with leaf directories when the entries do not fit in it alone. */
function directories(entries: Entry[]): { root: Buffer; leaves: Buffer } {
  const root = serializeDirectory(entries);
  if (root.length <= ROOT_DIRECTORY_MAX_BYTES) return { root, leaves: Buffer.alloc(0) };
  for (let leafSize = 4096; ; leafSize *= 2) {
    const leafBuffers: Buffer[] = [];
    const rootEntries: Entry[] = [];
    let offset = 0;
    for (let start = 0; start < entries.length; start += leafSize) {
      const leaf = serializeDirectory(entries.slice(start, start + leafSize));
      rootEntries.push({ tileId: entries[start]!.tileId, offset, length: leaf.length, runLength: 0 });
      leafBuffers.push(leaf);
      offset += leaf.length;
    }
    const leafRoot = serializeDirectory(rootEntries);
    if (leafRoot.length <= ROOT_DIRECTORY_MAX_BYTES) return { root: leafRoot, leaves: Buffer.concat(leafBuffers) };
  }
}

const toE7 = (degrees: number) => Math.round(degrees * 1e7);

function header(fields: { root: number; metadata: number; leaves: number; tileData: number; tiles: number; description: ArchiveDescription }): Buffer {
  const { root, metadata, leaves, tileData, tiles, description } = fields;
  const bytes = Buffer.alloc(HEADER_BYTES);
  bytes.write('PMTiles', 0, 'ascii');
  bytes.writeUInt8(3, 7);
  // Each section's offset and length, in file order.
  const sections: [number, number][] = [
    [HEADER_BYTES, root],
    [HEADER_BYTES + root, metadata],
    [HEADER_BYTES + root + metadata, leaves],
    [HEADER_BYTES + root + metadata + leaves, tileData],
  ];
  sections.forEach(([offset, length], index) => {
    bytes.writeBigUInt64LE(BigInt(offset), 8 + index * 16);
    bytes.writeBigUInt64LE(BigInt(length), 16 + index * 16);
  });
  // Addressed tiles, tile entries, tile contents: one each, no run lengths or shared contents.
  for (const at of [72, 80, 88]) bytes.writeBigUInt64LE(BigInt(tiles), at);
  bytes.writeUInt8(1, 96); // clustered: tile data in tile-id order
  bytes.writeUInt8(COMPRESSION_GZIP, 97); // internal (directories, metadata)
  bytes.writeUInt8(COMPRESSION_GZIP, 98); // tiles
  bytes.writeUInt8(TILE_TYPE_MVT, 99);
  bytes.writeUInt8(description.minZoom, 100);
  bytes.writeUInt8(description.maxZoom, 101);
  const [minLon, minLat, maxLon, maxLat] = description.bounds;
  [minLon, minLat, maxLon, maxLat].forEach((degrees, index) => bytes.writeInt32LE(toE7(degrees), 102 + index * 4));
  bytes.writeUInt8(description.maxZoom, 118);
  bytes.writeInt32LE(toE7((minLon + maxLon) / 2), 119);
  bytes.writeInt32LE(toE7((minLat + maxLat) / 2), 123);
  return bytes;
}

/** The archive of `tiles` (empty ones left out by the caller), each gzipped. */
export function writePmtiles(tiles: ArchiveTile[], description: ArchiveDescription): Buffer {
  const ordered = tiles.map((tile) => ({ tileId: tileIdOf(tile), data: gzipSync(tile.data) })).sort((a, b) => a.tileId - b.tileId);
  const entries: Entry[] = [];
  let offset = 0;
  for (const { tileId, data } of ordered) {
    entries.push({ tileId, offset, length: data.length, runLength: 1 });
    offset += data.length;
  }
  const { root, leaves } = directories(entries);
  const metadata = gzipSync(JSON.stringify(description.metadata));
  const tileData = Buffer.concat(ordered.map((tile) => tile.data));
  return Buffer.concat([
    header({ root: root.length, metadata: metadata.length, leaves: leaves.length, tileData: tileData.length, tiles: entries.length, description }),
    root,
    metadata,
    leaves,
    tileData,
  ]);
}
