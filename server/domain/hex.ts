import { cellArea, latLngToCell } from 'h3-js';
import type { Bbox } from './coordinates.ts';

/**
 * Map cells that are not administrative areas: H3 hexagons and ground squares. Points (buildings,
 * case locations) are binned into them. Pure: shared by the server and the web app.
 */
export const H3_RESOLUTION = { min: 5, max: 10, default: 8 } as const;
export const SQUARE_METRES = { min: 100, max: 5000, default: 500 } as const;

export interface CellOfPoint {
  /** Stable identifier: the H3 index, or "column:row" of the square grid. */
  code: string;
  areaKm2: number;
  /** minLon, minLat, maxLon, maxLat of a square cell (a client draws H3 cells from the index). */
  bounds?: Bbox;
}

export type PointBinner = (lon: number, lat: number) => CellOfPoint;

export function h3Binner(resolution: number): PointBinner {
  return (lon, lat) => {
    const code = latLngToCell(lat, lon, resolution);
    return { code, areaKm2: cellArea(code, 'km2') };
  };
}

// Mean Earth radius (IUGG) in metres: one degree of latitude on the sphere.
const METRES_PER_DEGREE = (6371008.8 * Math.PI) / 180;

/**
 * Squares of `metres` on the ground, aligned to a lattice of constant degree steps. The east-west
 * step uses the latitude of the bbox centre rounded to a whole degree, so the lattice stays the
 * same while a user pans within a city (the scale error stays under 1% at 23°N).
 */
export function squareBinner(metres: number, bbox: Bbox): PointBinner {
  const referenceLatitude = Math.round((bbox[1] + bbox[3]) / 2);
  const latitudeStep = metres / METRES_PER_DEGREE;
  const longitudeStep = metres / (METRES_PER_DEGREE * Math.cos((referenceLatitude * Math.PI) / 180));
  const areaKm2 = (metres / 1000) ** 2;
  return (lon, lat) => {
    const column = Math.floor(lon / longitudeStep);
    const row = Math.floor(lat / latitudeStep);
    const bounds: Bbox = [column * longitudeStep, row * latitudeStep, (column + 1) * longitudeStep, (row + 1) * latitudeStep];
    return { code: `${column}:${row}`, areaKm2, bounds };
  };
}
