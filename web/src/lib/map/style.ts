/**
 * The map's look, built in code so the map works with no network: no tile server, no
 * glyphs, no sprite. Everything drawn comes from our own GeoJSON and vector-tile sources.
 * Because there are no glyphs, there must be no text symbol layers; names and figures show in
 * hover tooltips (HTML, so Chinese renders with the system's fonts).
 */
import type {
  DataDrivenPropertyValueSpecification,
  ExpressionSpecification,
  StyleSpecification,
} from 'maplibre-gl';
import type { AreaLevel, BuildingUse } from '../api/types.ts';

export const backgroundColor = '#f2f0eb';

export function offlineBaseStyle(): StyleSpecification {
  return {
    version: 8,
    name: 'renwu-offline',
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': backgroundColor } }],
  };
}

/** Boundary strokes: the higher the level, the heavier and darker the line. */
export const boundaryStyle: Record<AreaLevel, { color: string; width: number; dash?: number[] }> = {
  district: { color: '#263238', width: 3 },
  street: { color: '#455a64', width: 2 },
  community: { color: '#607d8b', width: 1.2, dash: [3, 2] },
  grid: { color: '#90a4ae', width: 0.6 },
};

export const gridFillColor = '#78909c';

/** Tableau-10 hues: distinct for common colour-vision deficiencies, calm on a light base. */
export const buildingUseColors: Record<BuildingUse, string> = {
  residential: '#4e79a7',
  mixed: '#b07aa1',
  factory_dormitory: '#f28e2b',
  shop_house: '#59a14f',
  urban_village: '#e15759',
};
export const demolishedColor = '#9e9e9e';
/** Buildings under a thematic layer: present, but not competing with the heatmap's colours. */
export const neutralBuildingColor = '#b0b7bd';
export const selectedOutlineColor = '#111111';

// MapLibre's tuple types cannot describe a `match` whose label/value pairs come from a spread.
const colorByUse = [
  'match',
  ['get', 'use'],
  ...Object.entries(buildingUseColors).flat(),
  '#bdbdbd',
] as unknown as ExpressionSpecification;

export const buildingFillColor: DataDrivenPropertyValueSpecification<string> = [
  'case',
  ['==', ['get', 'status'], 'demolished'],
  demolishedColor,
  colorByUse,
];
