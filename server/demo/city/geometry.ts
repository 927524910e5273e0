/**
 * Plane geometry for the synthetic city: a local metric plane (x east, y north, metres) around
 * the district origin, a jittered lattice whose cells tile the plane, and building footprints.
 */
import type { Rng } from './random.ts';

export type XY = readonly [number, number];
export type LonLat = readonly [number, number];

const METRES_PER_DEGREE_LAT = 110_574;
const METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320;
const DECIMALS = 7; // about 1 cm

export interface Projection {
  readonly lon0: number;
  readonly lat0: number;
  readonly metresPerDegreeLon: number;
}

export function makeProjection(lon0: number, lat0: number): Projection {
  return { lon0, lat0, metresPerDegreeLon: METRES_PER_DEGREE_LON_AT_EQUATOR * Math.cos((lat0 * Math.PI) / 180) };
}

export function roundCoordinate(value: number): number {
  return Number(value.toFixed(DECIMALS));
}

export function toLonLat(projection: Projection, point: XY): LonLat {
  return [roundCoordinate(projection.lon0 + point[0] / projection.metresPerDegreeLon), roundCoordinate(projection.lat0 + point[1] / METRES_PER_DEGREE_LAT)];
}

export function distance(a: XY, b: XY): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** Closed ring (first point repeated last) as WKT POLYGON text. */
export function polygonWkt(ring: readonly LonLat[]): string {
  const points = [...ring, ring[0]!].map(([lon, lat]) => `${lon} ${lat}`);
  return `POLYGON((${points.join(',')}))`;
}

/**
 * A lattice of `columns × rows` cells of about `size` metres. Corners are jittered and every
 * edge carries two jittered intermediate points; neighbours share corners and edge points
 * exactly, so the cells tile the plane with no gap or overlap.
 */
export class JitteredLattice {
  private readonly corners: XY[];
  private readonly horizontalEdges: XY[][];
  private readonly verticalEdges: XY[][];

  constructor(
    readonly columns: number,
    readonly rows: number,
    readonly size: number,
    rng: Rng,
  ) {
    const jitter = 0.2 * size;
    this.corners = [];
    for (let j = 0; j <= rows; j += 1) {
      for (let i = 0; i <= columns; i += 1) {
        const x = (i - columns / 2) * size + rng.float(-jitter, jitter);
        const y = (j - rows / 2) * size + rng.float(-jitter, jitter);
        this.corners.push([x, y]);
      }
    }
    this.horizontalEdges = [];
    for (let j = 0; j <= rows; j += 1) {
      for (let i = 0; i < columns; i += 1) this.horizontalEdges.push(edgePoints(this.corner(i, j), this.corner(i + 1, j), size, rng));
    }
    this.verticalEdges = [];
    for (let j = 0; j < rows; j += 1) {
      for (let i = 0; i <= columns; i += 1) this.verticalEdges.push(edgePoints(this.corner(i, j), this.corner(i, j + 1), size, rng));
    }
  }

  corner(i: number, j: number): XY {
    return this.corners[j * (this.columns + 1) + i]!;
  }

  /** Counter-clockwise ring of cell (i, j), not closed. */
  ring(i: number, j: number): XY[] {
    const bottom = this.horizontalEdges[j * this.columns + i]!;
    const top = this.horizontalEdges[(j + 1) * this.columns + i]!;
    const left = this.verticalEdges[j * (this.columns + 1) + i]!;
    const right = this.verticalEdges[j * (this.columns + 1) + i + 1]!;
    return [
      this.corner(i, j),
      ...bottom,
      this.corner(i + 1, j),
      ...right,
      this.corner(i + 1, j + 1),
      ...[...top].reverse(),
      this.corner(i, j + 1),
      ...[...left].reverse(),
    ];
  }

  /** Bilinear map of (u, v) in the unit square onto cell (i, j)'s four corners. */
  bilinear(i: number, j: number, u: number, v: number): XY {
    const a = this.corner(i, j);
    const b = this.corner(i + 1, j);
    const c = this.corner(i + 1, j + 1);
    const d = this.corner(i, j + 1);
    const x = (1 - u) * (1 - v) * a[0] + u * (1 - v) * b[0] + u * v * c[0] + (1 - u) * v * d[0];
    const y = (1 - u) * (1 - v) * a[1] + u * (1 - v) * b[1] + u * v * c[1] + (1 - u) * v * d[1];
    return [x, y];
  }

  center(i: number, j: number): XY {
    return this.bilinear(i, j, 0.5, 0.5);
  }

  /** Direction of the cell's bottom edge, radians: buildings line up with it. */
  axisAngle(i: number, j: number): number {
    const a = this.corner(i, j);
    const b = this.corner(i + 1, j);
    return Math.atan2(b[1] - a[1], b[0] - a[0]);
  }
}

function edgePoints(from: XY, to: XY, size: number, rng: Rng): XY[] {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const length = Math.hypot(dx, dy);
  const nx = -dy / length;
  const ny = dx / length;
  return [1 / 3, 2 / 3].map((t) => {
    const offset = rng.float(-0.05, 0.05) * size;
    return [from[0] + dx * t + nx * offset, from[1] + dy * t + ny * offset] as XY;
  });
}

/** Counter-clockwise rectangle of `width` along `angle` and `depth` across it. */
export function rectangle(center: XY, width: number, depth: number, angle: number): XY[] {
  const ax = (Math.cos(angle) * width) / 2;
  const ay = (Math.sin(angle) * width) / 2;
  const bx = (-Math.sin(angle) * depth) / 2;
  const by = (Math.cos(angle) * depth) / 2;
  return [
    [center[0] - ax - bx, center[1] - ay - by],
    [center[0] + ax - bx, center[1] + ay - by],
    [center[0] + ax + bx, center[1] + ay + by],
    [center[0] - ax + bx, center[1] - ay + by],
  ];
}
