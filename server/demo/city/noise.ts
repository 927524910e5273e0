/** Smooth value noise on the lattice plane: neighbouring cells get similar values. */
import type { Rng } from './random.ts';

export class ValueNoise {
  private readonly values: number[];
  private readonly width: number;

  /** Covers cell coordinates [0, columns] × [0, rows]; `spacing` is in cells. */
  constructor(
    rng: Rng,
    columns: number,
    rows: number,
    private readonly spacing: number,
  ) {
    this.width = Math.ceil(columns / spacing) + 2;
    const height = Math.ceil(rows / spacing) + 2;
    this.values = Array.from({ length: this.width * height }, () => rng.next());
  }

  at(x: number, y: number): number {
    const gx = x / this.spacing;
    const gy = y / this.spacing;
    const x0 = Math.floor(gx);
    const y0 = Math.floor(gy);
    const tx = smooth(gx - x0);
    const ty = smooth(gy - y0);
    const bottom = lerp(this.value(x0, y0), this.value(x0 + 1, y0), tx);
    const top = lerp(this.value(x0, y0 + 1), this.value(x0 + 1, y0 + 1), tx);
    return lerp(bottom, top, ty);
  }

  private value(x: number, y: number): number {
    return this.values[y * this.width + x] ?? 0.5;
  }
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}
