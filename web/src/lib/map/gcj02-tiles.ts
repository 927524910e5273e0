/**
 * GCJ-02 raster basemaps under WGS-84 data. The map and every renwu layer stay in WGS-84; each
 * basemap tile the map asks for (a WGS-84 Web Mercator tile z/x/y) is pieced together from the
 * office's GCJ-02 tiles, shifted by the GCJ-02 offset at that place, so a road drawn in the
 * GCJ-02 imagery lands on its true WGS-84 position. Pure functions: the plan of which source
 * tiles to fetch and where to draw them (gcj02-basemap.ts fetches and draws).
 *
 * Accuracy: across China the offset varies by up to ~0.86 px from a 256-px tile's centre to its
 * edge (measured at z 3–18; from z 8 up the variation in pixels hardly depends on the zoom, as
 * the offset's slope and the pixel size both scale with the tile) and twice that for 512-px
 * tiles: one offset per tile would put pixels up to 1.5 px off. So the offset is taken at the
 * centre of each BLOCK_PIXELS square block (< 0.25 px of variation within it) and rounded to a
 * whole pixel (≤ 0.5 px; crisp imagery, no resampling): every pixel lands within 0.65 px of its
 * exact place on each axis (tests/unit/gcj02-tiles.test.ts checks < 1 px from z 8 to 18).
 */
import { wgs84ToGcj02 } from '../../../../server/domain/coordinates.ts';

export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** Copy the rectangle (sx, sy, width, height) of sources[source] to (dx, dy) of the tile. */
export interface TileDraw {
  source: number;
  sx: number;
  sy: number;
  width: number;
  height: number;
  dx: number;
  dy: number;
}

export interface ShiftPlan {
  sources: TileAddress[];
  draws: TileDraw[];
}

export const BLOCK_PIXELS = 64;

/** Web Mercator world pixel of a WGS-84 point at zoom z, for tiles of tileSize pixels. */
export function worldPixel([lon, lat]: readonly [number, number], z: number, tileSize: number): [number, number] {
  const worldSize = tileSize * 2 ** z;
  const radians = (lat * Math.PI) / 180;
  const mercatorY = Math.log(Math.tan(radians) + 1 / Math.cos(radians));
  return [((lon + 180) / 360) * worldSize, ((1 - mercatorY / Math.PI) / 2) * worldSize];
}

export function lonLatOfPixel([px, py]: readonly [number, number], z: number, tileSize: number): [number, number] {
  const worldSize = tileSize * 2 ** z;
  const lon = (px / worldSize) * 360 - 180;
  const lat = (Math.atan(Math.sinh(Math.PI - (2 * Math.PI * py) / worldSize)) * 180) / Math.PI;
  return [lon, lat];
}

/** Where, in world pixels of the GCJ-02 tiles, the imagery of WGS-84 world pixel `pixel` is. */
export function gcj02PixelOf(pixel: readonly [number, number], z: number, tileSize: number): [number, number] {
  return worldPixel(wgs84ToGcj02(lonLatOfPixel(pixel, z, tileSize)), z, tileSize);
}

/** Pieces [start, start + length) of a pixel line, cut at source tile edges. */
function spans(start: number, length: number, tileSize: number): Array<{ tile: number; from: number; at: number; length: number }> {
  const pieces = [];
  for (let cursor = start; cursor < start + length; ) {
    const tile = Math.floor(cursor / tileSize);
    const end = Math.min(start + length, (tile + 1) * tileSize);
    pieces.push({ tile, from: cursor - tile * tileSize, at: cursor - start, length: end - cursor });
    cursor = end;
  }
  return pieces;
}

/** Which GCJ-02 source tiles the WGS-84 tile needs (up to 4), and where each piece goes. */
export function shiftPlan(tile: TileAddress, tileSize: number): ShiftPlan {
  const tilesAcross = 2 ** tile.z;
  const block = Math.min(BLOCK_PIXELS, tileSize);
  const sources: TileAddress[] = [];
  const sourceIndex = new Map<string, number>();
  const indexOf = (x: number, y: number): number => {
    const wrappedX = ((x % tilesAcross) + tilesAcross) % tilesAcross; // across the antimeridian
    const key = `${wrappedX}/${y}`;
    if (!sourceIndex.has(key)) sourceIndex.set(key, sources.push({ z: tile.z, x: wrappedX, y }) - 1);
    return sourceIndex.get(key)!;
  };
  const draws: TileDraw[] = [];
  for (let blockY = 0; blockY < tileSize; blockY += block) {
    for (let blockX = 0; blockX < tileSize; blockX += block) {
      const centre: [number, number] = [tile.x * tileSize + blockX + block / 2, tile.y * tileSize + blockY + block / 2];
      const [shiftedX, shiftedY] = gcj02PixelOf(centre, tile.z, tileSize);
      const startX = Math.round(shiftedX - block / 2);
      const startY = Math.round(shiftedY - block / 2);
      for (const row of spans(startY, block, tileSize)) {
        if (row.tile < 0 || row.tile >= tilesAcross) continue; // beyond the poles: nothing to draw
        for (const column of spans(startX, block, tileSize)) {
          draws.push({
            source: indexOf(column.tile, row.tile),
            sx: column.from,
            sy: row.from,
            width: column.length,
            height: row.length,
            dx: blockX + column.at,
            dy: blockY + row.at,
          });
        }
      }
    }
  }
  return { sources, draws };
}

/** The office's tile URL for a source tile: {z}/{x}/{y} filled in, y counted from the south for TMS. */
export function sourceTileUrl(template: string, { z, x, y }: TileAddress, scheme: 'xyz' | 'tms'): string {
  const row = scheme === 'tms' ? 2 ** z - 1 - y : y;
  return template.replaceAll('{z}', String(z)).replaceAll('{x}', String(x)).replaceAll('{y}', String(row));
}

export const GCJ02_PROTOCOL = 'renwu-gcj02';

/**
 * The tile URL the map asks for instead of the office's: MapLibre fills in {z}/{x}/{y} (the
 * WGS-84 tile); the office's template travels URI-encoded, so its own braces stay untouched.
 */
export function shiftedTileTemplate(template: string, tileSize: number, scheme: 'xyz' | 'tms'): string {
  return `${GCJ02_PROTOCOL}://${tileSize}/${scheme}/${encodeURIComponent(template)}/{z}/{x}/{y}`;
}

export interface ShiftedTileRequest {
  tile: TileAddress;
  tileSize: number;
  scheme: 'xyz' | 'tms';
  template: string;
}

export function parseShiftedTileUrl(url: string): ShiftedTileRequest {
  const [size, scheme, template, z, x, y] = url.slice(`${GCJ02_PROTOCOL}://`.length).split('/');
  if (y === undefined || (scheme !== 'xyz' && scheme !== 'tms')) throw new Error(`not a shifted basemap tile URL: ${url}`);
  return { tile: { z: Number(z), x: Number(x), y: Number(y) }, tileSize: Number(size), scheme, template: decodeURIComponent(template!) };
}
