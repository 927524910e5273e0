import type { StyleSpecification } from 'maplibre-gl';
// The dashboard's own colours (type-only imports there), so QGIS or a MapLibre page shows what the dashboard shows.
import { sequentialSchemes, suppressedColor } from '../../web/src/lib/map/scales.ts';
import { backgroundColor, boundaryStyle, buildingFillColor, buildingOutlineColor, gridFillColor } from '../../web/src/lib/map/style.ts';
import { TILE_LAYER_NAMES } from './layers.ts';

/** Residents per grid at which the statistics fill steps to the next class of the warm scale. */
const RESIDENT_CLASS_BREAKS = [20, 50, 100, 200, 500, 1000];

/** The warm scale stepped at RESIDENT_CLASS_BREAKS; grids whose count is withheld (below k) grey. */
function residentsFill() {
  const colours = sequentialSchemes.warm;
  const steps = RESIDENT_CLASS_BREAKS.flatMap((limit, index) => [limit, colours[index + 1]!]);
  return ['case', ['has', 'residents'], ['step', ['get', 'residents'], colours[0], ...steps], suppressedColor];
}

const isFootprint = ['==', ['geometry-type'], 'Polygon'];
const isPoint = ['==', ['geometry-type'], 'Point'];

/**
 * A MapLibre style (version 8) of the dashboard's vector layers, as Martin publishes one: each
 * source is the layer's TileJSON on this origin. No glyphs and no sprite, so nothing is fetched
 * from another origin (the intranet has none); hence no labels either.
 */
export function mapLibreStyle(origin: string): StyleSpecification {
  const sources = Object.fromEntries(TILE_LAYER_NAMES.map((layer) => [layer, { type: 'vector', url: `${origin}/tiles/${layer}.json` }]));
  const style = {
    version: 8,
    name: 'renwu',
    sources,
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': backgroundColor } },
      {
        id: 'statistics-fill',
        type: 'fill',
        source: 'statistics',
        'source-layer': 'statistics',
        paint: { 'fill-color': residentsFill(), 'fill-opacity': 0.6 },
      },
      { id: 'grids-fill', type: 'fill', source: 'grids', 'source-layer': 'grids', paint: { 'fill-color': gridFillColor, 'fill-opacity': 0.05 } },
      {
        id: 'grids-outline',
        type: 'line',
        source: 'grids',
        'source-layer': 'grids',
        paint: { 'line-color': boundaryStyle.grid.color, 'line-width': boundaryStyle.grid.width },
      },
      {
        id: 'buildings-fill',
        type: 'fill',
        source: 'buildings',
        'source-layer': 'buildings',
        filter: isFootprint,
        paint: { 'fill-color': buildingFillColor, 'fill-opacity': 0.7 },
      },
      {
        id: 'buildings-outline',
        type: 'line',
        source: 'buildings',
        'source-layer': 'buildings',
        filter: isFootprint,
        paint: { 'line-color': buildingOutlineColor, 'line-width': 0.5, 'line-opacity': 0.6 },
      },
      {
        id: 'buildings-point',
        type: 'circle',
        source: 'buildings',
        'source-layer': 'buildings',
        filter: isPoint,
        paint: { 'circle-color': buildingFillColor, 'circle-radius': 3, 'circle-stroke-color': buildingOutlineColor, 'circle-stroke-width': 0.5 },
      },
    ],
  };
  // Plain arrays are not MapLibre's expression tuples to TypeScript; the style validator test checks the shape.
  return style as unknown as StyleSpecification;
}
