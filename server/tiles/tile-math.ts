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

const columnOf = (lon: number, tilesPerSide: number) => Math.min(tilesPerSide - 1, Math.max(0, Math.floor(((lon + 180) / 360) * tilesPerSide)));
function rowOf(lat: number, tilesPerSide: number): number {
  const radians = (lat * Math.PI) / 180;
  const row = Math.floor(((1 - Math.log(Math.tan(radians) + 1 / Math.cos(radians)) / Math.PI) / 2) * tilesPerSide);
  return Math.min(tilesPerSide - 1, Math.max(0, row));
}

/** Every tile of zooms minzoom..maxzoom that the bounds touch. */
export function tilesCovering([minLon, minLat, maxLon, maxLat]: Bbox, minzoom: number, maxzoom: number): TileAddress[] {
  const tiles: TileAddress[] = [];
  for (let z = minzoom; z <= maxzoom; z++) {
    const side = 2 ** z;
    for (let x = columnOf(minLon, side); x <= columnOf(maxLon, side); x++) {
      for (let y = rowOf(maxLat, side); y <= rowOf(minLat, side); y++) tiles.push({ z, x, y });
    }
  }
  return tiles;
}
