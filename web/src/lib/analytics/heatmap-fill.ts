import type { ExpressionSpecification, Map as MapLibreMap } from 'maplibre-gl';
import type { AreaLevel, HeatmapCell } from '../api/types.ts';
import { classIndex, suppressedColor } from '../map/scales.ts';

/**
 * An area heatmap drawn by MapLibre itself (issue 18): one fill layer on the level's boundary
 * source (already on the map, ids promoted from `code`), coloured by each feature's state. A new
 * month or metric sets one state per cell; no GeoJSON is rebuilt and no polygon object is made.
 */

export const HEATMAP_FILL = 'heatmap-fill';
const HEATMAP_OUTLINE = 'heatmap-outline';
const HEATMAP_SELECTED = 'heatmap-selected';
/** Drawn under the grid lines, buildings and boundaries (as the deck layers are: underOutlines). */
const ANCHOR = 'grid-line';
const OPACITY = 0.78;
/** Feature-state classes besides the legend's 0 … n − 1. */
const WITHHELD = -1;
const NO_VALUE = -2;

/** The cell under the pointer, where the pointer is on the map's canvas. */
export interface HoveredArea {
  code: string;
  x: number;
  y: number;
}

export const sourceOf = (level: AreaLevel) => `areas-${level}`;

/** The state each cell's fill is read from: its legend class, or withheld, or no value. */
export function cellClass(cell: HeatmapCell, breaks: readonly number[]): number {
  if (cell.suppressed) return WITHHELD;
  if (typeof cell.value !== 'number' || breaks.length === 0) return NO_VALUE;
  return classIndex(cell.value, breaks);
}

/** Class → colour: the legend's colours, the withheld grey, transparent where there is no value. */
export function fillColor(colors: readonly string[]): ExpressionSpecification {
  const classes = colors.flatMap((color, index) => [index, color]);
  return [
    'match',
    ['coalesce', ['feature-state', 'class'], NO_VALUE],
    WITHHELD,
    suppressedColor,
    ...classes,
    'rgba(255, 255, 255, 0)',
  ] as ExpressionSpecification;
}

/** Whether the level's boundaries and the anchor are on the map yet (sibling components add them). */
export const canDraw = (map: MapLibreMap, level: AreaLevel) => map.getSource(sourceOf(level)) !== undefined && map.getLayer(ANCHOR) !== undefined;

export function addHeatmapLayers(map: MapLibreMap, level: AreaLevel, colors: readonly string[]): void {
  const source = sourceOf(level);
  map.addLayer({ id: HEATMAP_FILL, type: 'fill', source, paint: { 'fill-color': fillColor(colors), 'fill-opacity': OPACITY } }, ANCHOR);
  map.addLayer({ id: HEATMAP_OUTLINE, type: 'line', source, paint: { 'line-color': '#ffffff', 'line-opacity': 0.5, 'line-width': 1 } }, ANCHOR);
  map.addLayer(
    {
      id: HEATMAP_SELECTED,
      type: 'line',
      source,
      filter: ['==', ['get', 'code'], ''],
      paint: { 'line-color': '#111111', 'line-width': 3 },
    },
    ANCHOR,
  );
}

export function removeHeatmapLayers(map: MapLibreMap): void {
  for (const id of [HEATMAP_SELECTED, HEATMAP_OUTLINE, HEATMAP_FILL]) {
    if (map.getLayer(id)) map.removeLayer(id);
  }
}

export function setHeatmapColors(map: MapLibreMap, colors: readonly string[]): void {
  map.setPaintProperty(HEATMAP_FILL, 'fill-color', fillColor(colors));
}

export function setSelectedCell(map: MapLibreMap, code: string | undefined): void {
  map.setFilter(HEATMAP_SELECTED, ['==', ['get', 'code'], code ?? '']);
}

/**
 * One feature state per cell. Cells painted before but absent now (another data version) lose
 * theirs, so no stale colour stays. Returns the codes painted, for the next call.
 */
export function paintCells(
  map: MapLibreMap,
  level: AreaLevel,
  cells: readonly HeatmapCell[],
  breaks: readonly number[],
  before: ReadonlySet<string>,
): Set<string> {
  const source = sourceOf(level);
  const painted = new Set<string>();
  for (const cell of cells) {
    map.setFeatureState({ source, id: cell.code }, { class: cellClass(cell, breaks) });
    painted.add(cell.code);
  }
  for (const code of before) {
    if (!painted.has(code)) map.removeFeatureState({ source, id: code }, 'class');
  }
  return painted;
}
