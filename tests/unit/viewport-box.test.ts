import type { Map as MapLibreMap } from 'maplibre-gl';
import { describe, expect, it } from 'vitest';
import { MAX_POINT_BBOX_SQUARE_DEGREES } from '../../server/heatmaps/service.ts';
import { MAX_HEX_SQUARE_DEGREES, viewportBox } from '../../web/src/lib/analytics/viewport.ts';

/** Just what viewportBox reads of a MapLibre map. */
function mapShowing(west: number, south: number, east: number, north: number, zoom = 13): MapLibreMap {
  const bounds = { getWest: () => west, getSouth: () => south, getEast: () => east, getNorth: () => north };
  return { getBounds: () => bounds, getZoom: () => zoom } as unknown as MapLibreMap;
}

describe('the view box the dashboard asks hexagons for (issue 16: no request the server refuses)', () => {
  it('uses the server’s own limit', () => {
    expect(MAX_HEX_SQUARE_DEGREES).toBe(MAX_POINT_BBOX_SQUARE_DEGREES);
  });

  it('calls the police home’s first view (0.0058 square degrees) too large, and a 0.0024 one fine', () => {
    expect(viewportBox(mapShowing(114.0, 22.5, 114.1, 22.558), undefined).tooLarge).toBe(true);
    expect(viewportBox(mapShowing(114.0, 22.5, 114.04, 22.56), undefined).tooLarge).toBe(false);
  });

  it('measures the box after cutting it to the jurisdiction, as sent', () => {
    const view = viewportBox(mapShowing(113.9, 22.4, 114.2, 22.7), [114.0, 22.5, 114.04, 22.56]);
    expect(view.bbox).toBe('114.000000,22.500000,114.040000,22.560000');
    expect(view.tooLarge).toBe(false);
  });

  it('calls an empty box (view outside the jurisdiction) too large: nothing to ask for', () => {
    expect(viewportBox(mapShowing(100, 10, 101, 11), [114.0, 22.5, 114.04, 22.56]).tooLarge).toBe(true);
  });
});
