import { GeoJsonLayer, PolygonLayer } from '@deck.gl/layers';
import type { Layer, PickingInfo } from '@deck.gl/core';
import { cellToBoundary } from 'h3-js';
import type { AreaLevel, Heatmap, HeatmapCell } from '../api/types.ts';
import type { AreaData } from '../map/area-data.svelte.ts';
import { joinAreas, type AreaFeature } from '../map/join-areas.ts';
import { classIndex, hexToRgba, suppressedColor, type Rgba } from '../map/scales.ts';

export interface HoveredCell {
  cell: HeatmapCell;
  x: number;
  y: number;
}

export interface ChoroplethOptions {
  heatmap: Heatmap;
  areas: AreaData;
  /** One colour per class of heatmap.breaks.jenks. */
  colors: string[];
  selectedCode?: string;
  onhover: (hovered: HoveredCell | undefined) => void;
  onselect?: (cell: HeatmapCell) => void;
}

/**
 * Drawn under the grid lines, buildings and boundaries, so the areas stay readable on top.
 * @deck.gl/maplibre reads beforeId from each interleaved layer, but deck's layer types do not
 * declare it: spread this into a layer's props.
 */
export const underOutlines = { beforeId: 'grid-line' } as object;
const OPACITY = 0.78;
const OUTLINE: Rgba = [255, 255, 255, 160];
const SELECTED_OUTLINE: Rgba = [17, 17, 17, 255];

type Hexagon = { cell: HeatmapCell; ring: number[][] };
type Picked = AreaFeature<HeatmapCell> | Hexagon;
const cellOf = (picked: Picked) => ('properties' in picked ? picked.properties.row : picked.cell);

function colourer(heatmap: Heatmap, colors: string[]): (cell: HeatmapCell) => Rgba {
  const breaks = heatmap.breaks.jenks;
  const palette = colors.map((color) => hexToRgba(color));
  const suppressed = hexToRgba(suppressedColor);
  return (cell) => {
    if (cell.suppressed) return suppressed;
    if (typeof cell.value !== 'number' || breaks.length === 0) return [255, 255, 255, 0];
    return palette[Math.min(palette.length - 1, classIndex(cell.value, breaks))]!;
  };
}

/**
 * The heatmap as deck.gl layers: areas (grids, communities) joined to their boundaries by code,
 * or H3 hexagons drawn from their index with h3-js. (deck's H3HexagonLayer does the same, but
 * @deck.gl/geo-layers needs @deck.gl/mesh-layers, which this project does not install.)
 */
export function choroplethLayers(options: ChoroplethOptions): Layer[] {
  const { heatmap, areas, colors, selectedCode, onhover, onselect } = options;
  const fill = colourer(heatmap, colors);
  const events = {
    pickable: true,
    onHover: (info: PickingInfo<Picked>) => onhover(info.object ? { cell: cellOf(info.object), x: info.x, y: info.y } : undefined),
    onClick: (info: PickingInfo<Picked>) => {
      if (info.object) onselect?.(cellOf(info.object));
    },
  };
  if (heatmap.level === 'hex') {
    const hexagons: Hexagon[] = heatmap.cells.map((cell) => ({ cell, ring: cellToBoundary(cell.code, true) }));
    return [
      new PolygonLayer<Hexagon>({
        id: 'heatmap-hex', ...underOutlines, data: hexagons, getPolygon: (hexagon) => hexagon.ring,
        getFillColor: (hexagon) => fill(hexagon.cell), getLineColor: OUTLINE, lineWidthUnits: 'pixels', getLineWidth: 1,
        stroked: true, opacity: OPACITY, ...events,
      }),
    ];
  }
  if (heatmap.level === 'square') return [];
  const isSelected = (feature: AreaFeature<HeatmapCell>) => feature.properties.row.code === selectedCode;
  return [
    new GeoJsonLayer<AreaFeature<HeatmapCell>['properties']>({
      id: 'heatmap-areas', ...underOutlines, data: joinAreas(areas, heatmap.level as AreaLevel, heatmap.cells),
      getFillColor: (feature) => fill(feature.properties.row),
      getLineColor: (feature) => (isSelected(feature as AreaFeature<HeatmapCell>) ? SELECTED_OUTLINE : OUTLINE),
      getLineWidth: (feature) => (isSelected(feature as AreaFeature<HeatmapCell>) ? 3 : 1),
      lineWidthUnits: 'pixels', stroked: true, filled: true, opacity: OPACITY,
      updateTriggers: { getLineColor: selectedCode, getLineWidth: selectedCode },
      ...events,
    }),
  ];
}
