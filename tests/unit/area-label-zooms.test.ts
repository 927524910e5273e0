import { describe, expect, it } from 'vitest';
import { AREA_LABEL_MIN_ZOOM } from '../../server/tiles/repository/layer-rows.ts';
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
});
