import { GeoJsonLayer } from '@deck.gl/layers';
import type { Layer, PickingInfo } from '@deck.gl/core';
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { AreaLevel } from '../api/types.ts';
import { underOutlines } from '../analytics/choropleth.ts';
import type { AreaData } from '../map/area-data.svelte.ts';
import { extentOf } from '../map/geometry.ts';
import { joinAreas, type AreaFeature } from '../map/join-areas.ts';
import { hexToRgba, type Rgba } from '../map/scales.ts';

/** A cell under the pointer, where the tooltip goes. */
export interface HoveredSpot<T> {
  cell: T;
  x: number;
  y: number;
}

export interface SpotLayerOptions<T extends { code: string }> {
  id: string;
  areas: AreaData;
  level: AreaLevel;
  cells: readonly T[];
  /** The cell's fill colour (#rrggbb), or undefined to leave it unfilled (no value). */
  colorOf: (cell: T) => string | undefined;
  onhover: (hovered: HoveredSpot<T> | undefined) => void;
}

const OPACITY = 0.8;
const OUTLINE: Rgba = [255, 255, 255, 170];
const CLEAR: Rgba = [255, 255, 255, 0];

/** Cells of a hot-spot answer (Gi* classes or emerging categories) filled by `colorOf`, drawn under the outlines. */
export function spotLayer<T extends { code: string }>(options: SpotLayerOptions<T>): Layer {
  const { id, areas, level, cells, colorOf, onhover } = options;
  const fills = new Map(cells.map((cell) => {
    const color = colorOf(cell);
    return [cell.code, color ? hexToRgba(color) : CLEAR] as const;
  }));
  return new GeoJsonLayer<AreaFeature<T>['properties']>({
    id, ...underOutlines, data: joinAreas(areas, level, cells),
    getFillColor: (feature) => fills.get(feature.properties.row.code) ?? CLEAR,
    getLineColor: OUTLINE, getLineWidth: 1, lineWidthUnits: 'pixels', stroked: true, filled: true, opacity: OPACITY,
    pickable: true,
    onHover: (info: PickingInfo<AreaFeature<T>>) => onhover(info.object ? { cell: info.object.properties.row, x: info.x, y: info.y } : undefined),
  });
}

/** A thick outline round one area (the grid a "what changed" row points at), over everything else. */
export function highlightLayer(areas: AreaData, code: string | undefined): Layer[] {
  const feature = code ? areas.collections.grid.features.find((area) => area.properties.code === code) : undefined;
  if (!feature) return [];
  return [
    new GeoJsonLayer({
      id: 'hotspot-highlight', data: [feature], filled: false, stroked: true,
      getLineColor: [17, 17, 17, 255], getLineWidth: 4, lineWidthUnits: 'pixels',
    }),
  ];
}

/** Moves the map onto one grid, near enough to see it among its neighbours. */
export function flyToGrid(map: MapLibreMap | undefined, areas: AreaData, code: string): void {
  const feature = areas.collections.grid.features.find((area) => area.properties.code === code);
  const box = feature ? extentOf({ type: 'FeatureCollection', features: [feature] }) : undefined;
  if (!map || !box) return;
  map.fitBounds(box, { padding: 120, maxZoom: 16, duration: 800 });
}
