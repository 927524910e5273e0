import { describe, expect, it } from 'vitest';
import { bd09ToGcj02, distanceMetres, fromWgs84, gcj02ToBd09, isOutsideChina, toWgs84, type LonLat } from '../../server/domain/coordinates.ts';

/**
 * Reference pairs published with widely used open implementations, computed there, not here:
 * googollee/eviltransform's test table (WGS84 → GCJ-02 in Shanghai, Shenzhen and Beijing),
 * wandergis/coordtransform's README example at Tiananmen (WGS84 → GCJ-02 and GCJ-02 → BD-09),
 * and a Beijing BD-09 → GCJ-02 pair from a MATLAB port's tests (5 decimals, so ±0.5 m).
 */
const GCJ02_PAIRS: { place: string; wgs84: LonLat; gcj02: LonLat }[] = [
  { place: 'Shanghai', wgs84: [121.5272106, 31.1774276], gcj02: [121.531541859215, 31.17530398364597] },
  { place: 'Shenzhen', wgs84: [113.912316, 22.543847], gcj02: [113.9171764808363, 22.540796131694766] },
  { place: 'Beijing', wgs84: [116.377817, 39.911954], gcj02: [116.38404722455657, 39.91334545536069] },
  { place: 'Tiananmen', wgs84: [116.404, 39.915], gcj02: [116.41024449916938, 39.91640428150164] },
];

const BD09_PAIRS: { place: string; bd09: LonLat; gcj02: LonLat }[] = [
  { place: 'Tiananmen', bd09: [116.41036949371029, 39.92133699351021], gcj02: [116.404, 39.915] },
  { place: 'Dongcheng', bd09: [116.43351, 39.90851], gcj02: [116.42703, 39.90245] },
];

const ONE_METRE = 1;

describe('declared coordinates converted to WGS84', () => {
  it.each(GCJ02_PAIRS)('GCJ-02 in $place lands within 1 m of its WGS84 truth', ({ wgs84, gcj02 }) => {
    expect(distanceMetres(toWgs84(gcj02, 'gcj02'), wgs84)).toBeLessThan(ONE_METRE);
    // and the published offset is the real one: hundreds of metres, not nothing
    expect(distanceMetres(gcj02, wgs84)).toBeGreaterThan(100);
  });

  it.each(BD09_PAIRS)('BD-09 in $place goes back to its published GCJ-02 point within 1 m', ({ bd09, gcj02 }) => {
    expect(distanceMetres(bd09ToGcj02(bd09), gcj02)).toBeLessThan(ONE_METRE);
    expect(distanceMetres(bd09, gcj02)).toBeGreaterThan(100);
  });

  it('BD-09 of the Tiananmen point lands within 1 m of its WGS84 truth', () => {
    const tiananmen = GCJ02_PAIRS.find((pair) => pair.place === 'Tiananmen')!;
    const bd09 = gcj02ToBd09(tiananmen.gcj02);
    expect(distanceMetres(toWgs84(bd09, 'bd09'), tiananmen.wgs84)).toBeLessThan(ONE_METRE);
  });

  it('forward conversion reproduces the published GCJ-02 and BD-09 points within 1 m', () => {
    for (const { wgs84, gcj02 } of GCJ02_PAIRS) expect(distanceMetres(fromWgs84(wgs84, 'gcj02'), gcj02)).toBeLessThan(ONE_METRE);
    for (const { bd09, gcj02 } of BD09_PAIRS) expect(distanceMetres(gcj02ToBd09(gcj02), bd09)).toBeLessThan(ONE_METRE);
  });

  it('round-trips a grid of points over Shenzhen within a centimetre, for both datums', () => {
    let worst = 0;
    for (let lon = 113.75; lon <= 114.65; lon += 0.05) {
      for (let lat = 22.45; lat <= 22.85; lat += 0.025) {
        const truth: LonLat = [lon, lat];
        for (const system of ['gcj02', 'bd09'] as const) {
          const shifted = fromWgs84(truth, system);
          expect(distanceMetres(shifted, truth)).toBeGreaterThan(100);
          worst = Math.max(worst, distanceMetres(toWgs84(shifted, system), truth));
        }
      }
    }
    expect(worst).toBeLessThan(0.01);
  });

  it('leaves WGS84 alone, and points outside China untouched by GCJ-02', () => {
    expect(toWgs84([114.05, 22.55], 'wgs84')).toEqual([114.05, 22.55]);
    const tokyo: LonLat = [139.6917, 35.6895];
    expect(isOutsideChina(tokyo)).toBe(true);
    expect(toWgs84(tokyo, 'gcj02')).toEqual([139.6917, 35.6895]);
  });

  it('measures a known distance: one degree of latitude is about 111.2 km', () => {
    expect(distanceMetres([114, 22], [114, 23])).toBeCloseTo(111_195, -2);
  });
});
