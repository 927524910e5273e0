/**
 * Arrows for proposed collector moves: a shaft from the centroid of the grid a collector
 * leaves to the one they join, and a head at the end. Geometry in degrees, computed in a local
 * metric frame so the head keeps its shape at any latitude. Pure.
 */
export type LonLat = [number, number];

const METRES_PER_DEGREE = 111_320;
const HEAD_METRES_MAX = 70;
const HEAD_SHARE = 0.3;

export interface Arrow {
  shaft: [LonLat, LonLat];
  head: LonLat[];
  middle: LonLat;
}

export function arrowBetween(from: LonLat, to: LonLat): Arrow {
  const cosLat = Math.cos((((from[1] + to[1]) / 2) * Math.PI) / 180);
  // East/north offsets in metres.
  const dx = (to[0] - from[0]) * METRES_PER_DEGREE * cosLat;
  const dy = (to[1] - from[1]) * METRES_PER_DEGREE;
  const length = Math.hypot(dx, dy) || 1;
  const head = Math.min(HEAD_METRES_MAX, length * HEAD_SHARE);
  const [ux, uy] = [dx / length, dy / length];
  const toDegrees = (east: number, north: number): LonLat => [to[0] + east / (METRES_PER_DEGREE * cosLat), to[1] + north / METRES_PER_DEGREE];
  const base: [number, number] = [-ux * head, -uy * head];
  const half = head * 0.45;
  return {
    shaft: [from, toDegrees(base[0] * 0.6, base[1] * 0.6)],
    head: [toDegrees(0, 0), toDegrees(base[0] - uy * half, base[1] + ux * half), toDegrees(base[0] + uy * half, base[1] - ux * half)],
    middle: [(from[0] + to[0]) / 2, (from[1] + to[1]) / 2],
  };
}
