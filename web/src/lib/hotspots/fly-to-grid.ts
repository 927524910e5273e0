import type { Map as MapLibreMap } from 'maplibre-gl';
import type { AreaData } from '../map/area-data.svelte.ts';
import { extentOf } from '../map/geometry.ts';

/**
 * Moves the map onto one grid, near enough to see it among its neighbours (its polygon must be
 * loaded). Apart from the hot-spot layers: a page flies to a grid without loading deck.gl.
 */
export function flyToGrid(map: MapLibreMap | undefined, areas: AreaData, code: string): void {
  const feature = areas.collections.grid.features.find((area) => area.properties.code === code);
  const box = feature ? extentOf({ type: 'FeatureCollection', features: [feature] }) : undefined;
  if (!map || !box) return;
  map.fitBounds(box, { padding: 120, maxZoom: 16, duration: 800 });
}
