import { describe, expect, it } from 'vitest';
import { tileBoundsWithBuffer } from '../../server/tiles/tile-math.ts';

describe('tile bounds', () => {
  it('gives the whole Web-Mercator world for tile 0/0/0 without a buffer', () => {
    const [minLon, minLat, maxLon, maxLat] = tileBoundsWithBuffer({ z: 0, x: 0, y: 0 }, 0);
    expect([minLon, maxLon]).toEqual([-180, 180]);
    // atan(sinh(π)) in degrees: the latitude where Web Mercator is square.
    expect(minLat).toBeCloseTo(-85.0511287798, 9);
    expect(maxLat).toBeCloseTo(85.0511287798, 9);
  });

  it('matches the slippy-map formulas for a tile over the fixture city', () => {
    // z14 x13389 y7130: lon 13389/2^14·360−180 and 13390/2^14·360−180; lat from the Mercator inverse.
    const bounds = tileBoundsWithBuffer({ z: 14, x: 13389, y: 7130 }, 0);
    expect(bounds[0]).toBeCloseTo(114.19189453125, 10);
    expect(bounds[2]).toBeCloseTo(114.2138671875, 10);
    expect(bounds[1]).toBeCloseTo(22.69512018496569, 10);
    expect(bounds[3]).toBeCloseTo(22.715390019335935, 10);
  });

  it('widens the box by the render buffer (64 of 4096 units) on every side', () => {
    const [minLon, , maxLon] = tileBoundsWithBuffer({ z: 14, x: 13389, y: 7130 });
    const tileWidth = 360 / 2 ** 14;
    expect(minLon).toBeCloseTo(114.19189453125 - (tileWidth * 64) / 4096, 10);
    expect(maxLon).toBeCloseTo(114.2138671875 + (tileWidth * 64) / 4096, 10);
  });
});
