import { describe, expect, it } from 'vitest';
import { fitZoom } from '../../web/src/lib/map/camera.ts';

// The first view's zoom without a map (issue 18: the heatmap is asked for while the map starts).
describe('fitZoom (as MapLibre fitBounds, no bearing)', () => {
  const none = { top: 0, bottom: 0, left: 0, right: 0 };

  it('fits the whole width of the world into 512 pixels at zoom 0', () => {
    expect(fitZoom([-180, -10, 180, 10], { width: 512, height: 10_000 }, none)).toBeCloseTo(0, 10);
    expect(fitZoom([-90, -10, 90, 10], { width: 512, height: 10_000 }, none)).toBeCloseTo(1, 10);
  });

  it('takes the tighter of width and height, less the padding', () => {
    // Half the world (256 px at zoom 0) into 1,024 px is zoom 2; with the padding, 512 px are left: zoom 1.
    expect(fitZoom([0, -1, 180, 1], { width: 1024, height: 10_000 }, none)).toBeCloseTo(2, 10);
    expect(fitZoom([0, -1, 180, 1], { width: 1024, height: 10_000 }, { top: 0, bottom: 0, left: 256, right: 256 })).toBeCloseTo(1, 10);
    // A box taller than wide (in Mercator) is fitted by its height.
    const tall = fitZoom([114, 22, 114.01, 23], { width: 1000, height: 500 }, none)!;
    const byHeight = fitZoom([114, 22, 114.5, 23], { width: 1000, height: 500 }, none)!;
    expect(tall).toBeCloseTo(byHeight, 10);
  });

  it('gives nothing for a frame with no room, and the deepest zoom for a point', () => {
    expect(fitZoom([114, 22, 115, 23], { width: 40, height: 40 }, { top: 48, bottom: 96, left: 32, right: 32 })).toBeUndefined();
    expect(fitZoom([114, 22, 114, 22], { width: 800, height: 600 }, none)).toBe(22);
  });
});
