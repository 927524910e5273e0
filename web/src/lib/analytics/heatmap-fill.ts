import type { ExpressionSpecification, FilterSpecification, Map as MapLibreMap, MapGeoJSONFeature } from 'maplibre-gl';
import type { AreaLevel, Bbox, HeatmapCell } from '../api/types.ts';
import { extentOf } from '../map/geometry.ts';
import { classIndex, suppressedColor } from '../map/scales.ts';
import { areaTiles, gridTiles, type TileSource } from '../map/tile-sources.ts';
import { GRID_DETAIL_ZOOM } from './leader-layers.ts';

/**
 * An area heatmap drawn by MapLibre itself (issue 18): one fill layer on vector tiles of the
 * level's cells (ids promoted from `code`), coloured by each feature's state. A new month or
 * metric sets one state per cell; no GeoJSON is rebuilt and no polygon object is made. The tiles
 * come with shapes simplified to the zoom and only for the view, so the first paint does not
 * grow with the city (a whole level of GeoJSON took 20 s to fetch and tessellate at Shenzhen scale).
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
  /** The hovered cell's extent as its tiles drew it (cut at a tile's edge, it still touches the cell). */
  extent: Bbox | undefined;
}

/** The tile source a level's cells come from: grids from z11, the admin areas (one layer, `level` tells them apart) wider. */
interface CellTiles {
  /**
   * The vector source on the map, kept by the map's own layers (GridLayer, BoundaryLayers) where
   * the level is drawn from tiles: the heatmap fills the tiles the outlines are drawn from.
   */
  source: string;
  sourceLayer: TileSource['sourceLayer'];
  /** Only this level's features of the layer; none for grids. */
  filter?: ExpressionSpecification;
  /**
   * From this zoom the cells' white outlines are drawn. A ~300 m grid is ~2 px wide at city zoom:
   * its outline would cover the colour, and 20,000 outlines cost SwiftShader as much as the fills.
   */
  outlineMinzoom: number;
}

export function cellTilesOf(level: AreaLevel): CellTiles {
  if (level === 'grid') return { source: gridTiles.id, sourceLayer: gridTiles.sourceLayer, outlineMinzoom: GRID_DETAIL_ZOOM };
  return { source: areaTiles.id, sourceLayer: areaTiles.sourceLayer, filter: ['==', ['get', 'level'], level], outlineMinzoom: areaTiles.minzoom };
}

/** The hovered feature's extent: enough to ask the server for that one cell's figures. */
export const extentOfFeature = (feature: MapGeoJSONFeature): Bbox | undefined =>
  extentOf({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: feature.geometry, properties: {} }] });

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

/** Whether the anchor the layers go under and the level's tiles are on the map yet (sibling components add them). */
export const canDraw = (map: MapLibreMap, level: AreaLevel) => map.getLayer(ANCHOR) !== undefined && map.getSource(cellTilesOf(level).source) !== undefined;

/** The selected outline's filter: the level's features with this code. */
function selectedFilter(level: AreaLevel, code: string): FilterSpecification {
  const isCode: ExpressionSpecification = ['==', ['get', 'code'], code];
  const { filter } = cellTilesOf(level);
  return filter ? ['all', filter, isCode] : isCode;
}

export function addHeatmapLayers(map: MapLibreMap, level: AreaLevel, colors: readonly string[]): void {
  const tiles = cellTilesOf(level);
  const on = { source: tiles.source, 'source-layer': tiles.sourceLayer, ...(tiles.filter ? { filter: tiles.filter } : {}) };
  map.addLayer({ id: HEATMAP_FILL, type: 'fill', ...on, paint: { 'fill-color': fillColor(colors), 'fill-opacity': OPACITY } }, ANCHOR);
  map.addLayer(
    { id: HEATMAP_OUTLINE, type: 'line', ...on, minzoom: tiles.outlineMinzoom, paint: { 'line-color': '#ffffff', 'line-opacity': 0.5, 'line-width': 1 } },
    ANCHOR,
  );
  map.addLayer({ id: HEATMAP_SELECTED, type: 'line', ...on, filter: selectedFilter(level, ''), paint: { 'line-color': '#111111', 'line-width': 3 } }, ANCHOR);
}

/**
 * Takes the layers off; the level's source stays (the outlines are drawn from it) without the
 * heatmap's colours: only the `class` of the cells painted goes, other states (hover) stay.
 */
export function removeHeatmapLayers(map: MapLibreMap, level: AreaLevel, painted: Iterable<string>): void {
  for (const id of [HEATMAP_SELECTED, HEATMAP_OUTLINE, HEATMAP_FILL]) {
    if (map.getLayer(id)) map.removeLayer(id);
  }
  const { source, sourceLayer } = cellTilesOf(level);
  if (!map.getSource(source)) return;
  for (const code of painted) map.removeFeatureState({ source, sourceLayer, id: code }, 'class');
}

export function setHeatmapColors(map: MapLibreMap, colors: readonly string[]): void {
  map.setPaintProperty(HEATMAP_FILL, 'fill-color', fillColor(colors));
}

export function setSelectedCell(map: MapLibreMap, level: AreaLevel, code: string | undefined): void {
  map.setFilter(HEATMAP_SELECTED, selectedFilter(level, code ?? ''));
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
  const { source, sourceLayer } = cellTilesOf(level);
  const painted = new Set<string>();
  // States are kept per source layer and id, so cells whose tiles arrive later are coloured on arrival.
  for (const cell of cells) {
    map.setFeatureState({ source, sourceLayer, id: cell.code }, { class: cellClass(cell, breaks) });
    painted.add(cell.code);
  }
  for (const code of before) {
    if (!painted.has(code)) map.removeFeatureState({ source, sourceLayer, id: code }, 'class');
  }
  return painted;
}
