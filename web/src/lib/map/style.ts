/**
 * The map's look, built in code so the map works with no network: no tile server, no
 * glyphs URL, no sprite. Everything drawn comes from our own GeoJSON and vector-tile sources.
 * Area names are symbol layers: with no glyphs URL MapLibre draws every character with the
 * browser's local fonts (CJK ideographs in its localIdeographFontFamily, the rest in text-font),
 * so no glyph request ever leaves the origin. Figures show in hover tooltips.
 */
import type { DataDrivenPropertyValueSpecification, ExpressionSpecification, StyleSpecification } from 'maplibre-gl';
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

/** Compound (小区/院落) outlines: a violet dashed line, apart from every area boundary's grey. */
export const compoundOutlineStyle = { color: '#7b1fa2', width: 1.6, dash: [2, 1.5] };

export const gridFillColor = '#78909c';

/** Local CJK fonts first (Windows, macOS, Linux), then whatever sans-serif the browser has. */
export const labelFontStack = ['Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'sans-serif'];

/**
 * Which area names show at which zoom: streets when the district fills the view, communities
 * closer in, grids closest; each a little smaller than the level above, with a halo over any colour.
 */
export const areaLabelStyle: Record<Exclude<AreaLevel, 'district'>, { minzoom: number; maxzoom: number; size: number; color: string }> = {
  street: { minzoom: 9, maxzoom: 13.5, size: 15, color: '#263238' },
  community: { minzoom: 12.5, maxzoom: 15.5, size: 13, color: '#37474f' },
  grid: { minzoom: 14.5, maxzoom: 24, size: 11, color: '#455a64' },
};
export const labelHaloColor = '#ffffff';

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
/** Every building footprint's outline, whatever its fill. */
export const buildingOutlineColor = '#37474f';

// MapLibre's tuple types cannot describe a `match` whose label/value pairs come from a spread.
const colorByUse = ['match', ['get', 'use'], ...Object.entries(buildingUseColors).flat(), '#bdbdbd'] as unknown as ExpressionSpecification;

export const buildingFillColor: DataDrivenPropertyValueSpecification<string> = ['case', ['==', ['get', 'status'], 'demolished'], demolishedColor, colorByUse];
