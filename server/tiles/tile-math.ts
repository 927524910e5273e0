/** Web-Mercator (XYZ) tile arithmetic: pure, no I/O. */
import type { Bbox } from '../domain/coordinates.ts';

export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** MVT grid units per tile side, and the buffer drawn around it so strokes do not break at edges. */
export const TILE_EXTENT = 4096;
export const TILE_BUFFER = 64;

const longitudeOf = (x: number, tilesPerSide: number) => (x / tilesPerSide) * 360 - 180;
const latitudeOf = (y: number, tilesPerSide: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / tilesPerSide))) * 180) / Math.PI;

/**
 * The tile's WGS84 bounds [minLon, minLat, maxLon, maxLat], widened by the render buffer so that
 * features just outside still reach the tile edge. Mercator keeps edges straight in lon/lat, so a
 * box here is exactly ST_Transform(ST_TileEnvelope(z, x, y, margin => buffer), 4326).
 */
export function tileBoundsWithBuffer({ z, x, y }: TileAddress, buffer = TILE_BUFFER / TILE_EXTENT): Bbox {
  const tilesPerSide = 2 ** z;
  return [
    longitudeOf(x - buffer, tilesPerSide),
    latitudeOf(y + 1 + buffer, tilesPerSide),
    longitudeOf(x + 1 + buffer, tilesPerSide),
    latitudeOf(y - buffer, tilesPerSide),
  ];
}
