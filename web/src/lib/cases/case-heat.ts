import { HeatmapLayer } from '@deck.gl/aggregation-layers';
import type { Layer } from '@deck.gl/core';
import { cellToLatLng } from 'h3-js';
import type { Heatmap } from '../api/types.ts';
import { underOutlines } from '../analytics/choropleth.ts';
import { sequentialSchemes, hexToRgba } from '../map/scales.ts';

/**
 * Where cases happened, as a smooth heat surface for police: the server counts cases per small
 * H3 cell (resolution 10, about 65 m across) in the view, and each cell's centre is a weighted
 * point for deck's HeatmapLayer. No case's exact position leaves the server.
 */
export const CASE_HEAT_RESOLUTION = 10;
export const CASE_HEAT_DAYS = 365;
export const CASE_HEAT_COLORS = sequentialSchemes.purple.slice(1);

type WeightedPoint = { position: [number, number]; weight: number };

export function caseHeatLayers(heatmap: Heatmap): Layer[] {
  const points: WeightedPoint[] = heatmap.cells
    .filter((cell) => typeof cell.value === 'number' && cell.value > 0)
    .map((cell) => {
      const [lat, lon] = cellToLatLng(cell.code);
      return { position: [lon, lat], weight: cell.value! };
    });
  return [
    new HeatmapLayer<WeightedPoint>({
      id: 'case-heat',
      ...underOutlines,
      data: points,
      getPosition: (point) => point.position,
      getWeight: (point) => point.weight,
      radiusPixels: 40,
      intensity: 1.2,
      threshold: 0.05,
      colorRange: CASE_HEAT_COLORS.map((color) => hexToRgba(color).slice(0, 3) as [number, number, number]),
      opacity: 0.8,
    }),
  ];
}
