import { describe, expect, it } from 'vitest';
import { AREA_LABEL_MIN_ZOOM, AREA_SHAPE_MIN_ZOOM } from '../../server/tiles/repository/layer-rows.ts';
import { DETAIL_ZOOM, levelDrawnAt } from '../../web/src/lib/analytics/leader-layers.ts';
import { areaLabelStyle } from '../../web/src/lib/map/style.ts';

// The areas tiles carry a level's label points from the zoom the dashboard names that level:
// a label layer starting wider would find no points there (issue 18).
describe('area label points and the map that draws them', () => {
  it('are in the tiles from the zoom each label layer starts, or before', () => {
    for (const level of ['street', 'community'] as const) {
      // MapLibre draws zoom 12.5 from z12 tiles.
      expect(Math.floor(areaLabelStyle[level].minzoom), level).toBeGreaterThanOrEqual(AREA_LABEL_MIN_ZOOM[level]);
    }
  });

  it("hold a level's shapes from the zoom the leader's heatmap draws that level", () => {
    expect(AREA_SHAPE_MIN_ZOOM.community).toBe(DETAIL_ZOOM.community);
    for (let zoom = 6; zoom < 16; zoom += 0.5) {
      for (const chosen of ['grid', 'community'] as const) {
        const drawn = levelDrawnAt(chosen, zoom);
        if (drawn !== 'grid') expect(Math.floor(zoom), `${chosen} at ${zoom} draws ${drawn}`).toBeGreaterThanOrEqual(AREA_SHAPE_MIN_ZOOM[drawn]);
      }
    }
    expect(levelDrawnAt('grid', 8.6)).toBe('street');
    expect(levelDrawnAt('grid', 10.2)).toBe('community');
    expect(levelDrawnAt('grid', 11)).toBe('grid');
    expect(levelDrawnAt('community', 9.9)).toBe('street');
  });
});
