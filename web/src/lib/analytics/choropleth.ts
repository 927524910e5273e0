import { PolygonLayer } from '@deck.gl/layers';
import type { Layer, PickingInfo } from '@deck.gl/core';
import { cellToBoundary } from 'h3-js';
import type { Heatmap, HeatmapCell } from '../api/types.ts';
import { classIndex, hexToRgba, suppressedColor, type Rgba } from '../map/scales.ts';

export interface HoveredCell {
  cell: HeatmapCell;
  x: number;
  y: number;
}

export interface ChoroplethOptions {
  heatmap: Heatmap;
  /** One colour per class of heatmap.breaks.jenks. */
  colors: string[];
  onhover: (hovered: HoveredCell | undefined) => void;
}

/**
 * Drawn under the grid lines, buildings and boundaries, so the areas stay readable on top.
 * @deck.gl/maplibre reads beforeId from each interleaved layer, but deck's layer types do not
 * declare it: spread this into a layer's props.
 */
export const underOutlines = { beforeId: 'grid-line' } as object;
const OPACITY = 0.78;
const OUTLINE: Rgba = [255, 255, 255, 160];

type Hexagon = { cell: HeatmapCell; ring: number[][] };

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
 * A hexagon heatmap as a deck.gl layer, drawn from each H3 index with h3-js. (deck's
 * H3HexagonLayer does the same, but @deck.gl/geo-layers needs @deck.gl/mesh-layers, which this
 * project does not install.) Area levels are MapLibre's own fill layer coloured by feature state
 * (HeatmapFill.svelte, issue 18); ground squares are not drawn.
 */
export function choroplethLayers(options: ChoroplethOptions): Layer[] {
  const { heatmap, colors, onhover } = options;
  if (heatmap.level !== 'hex') return [];
  const fill = colourer(heatmap, colors);
  const hexagons: Hexagon[] = heatmap.cells.map((cell) => ({ cell, ring: cellToBoundary(cell.code, true) }));
  return [
    new PolygonLayer<Hexagon>({
      id: 'heatmap-hex',
      ...underOutlines,
      data: hexagons,
      getPolygon: (hexagon) => hexagon.ring,
      getFillColor: (hexagon) => fill(hexagon.cell),
      getLineColor: OUTLINE,
      lineWidthUnits: 'pixels',
      getLineWidth: 1,
      stroked: true,
      opacity: OPACITY,
      pickable: true,
      onHover: (info: PickingInfo<Hexagon>) => onhover(info.object ? { cell: info.object.cell, x: info.x, y: info.y } : undefined),
    }),
  ];
}
