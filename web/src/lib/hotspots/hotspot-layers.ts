import { FillStyleExtension, type FillStyleExtensionProps } from '@deck.gl/extensions';
import { GeoJsonLayer, type GeoJsonLayerProps } from '@deck.gl/layers';
import type { Layer, PickingInfo } from '@deck.gl/core';
import type { AreaLevel } from '../api/types.ts';
import { underOutlines } from '../analytics/choropleth.ts';
import type { AreaData } from '../map/area-data.svelte.ts';
import { joinAreas, type AreaFeature } from '../map/join-areas.ts';
import { hexToRgba, suppressedColor, withheldHatchColor, type Rgba } from '../map/scales.ts';
import { categoryColors, classColor, type HotspotSettings } from './hotspot-style.ts';
import type { HotspotView } from './hotspot-view.svelte.ts';

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
  /** Cells withheld under k: hatched (not a colour of the scale), as the legend's entry is. */
  withheld: (cell: T) => boolean;
  onhover: (hovered: HoveredSpot<T> | undefined) => void;
}

const OPACITY = 0.8;
const OUTLINE: Rgba = [255, 255, 255, 170];
const CLEAR: Rgba = [255, 255, 255, 0];

/** Cells of a hot-spot answer (Gi* classes or emerging categories) filled by `colorOf`, withheld ones hatched, under the outlines. */
export function spotLayer<T extends { code: string }>(options: SpotLayerOptions<T>): Layer[] {
  const { id, areas, level, cells, colorOf, withheld, onhover } = options;
  const fills = new Map(
    cells.map((cell) => {
      const color = withheld(cell) ? undefined : colorOf(cell);
      return [cell.code, color ? hexToRgba(color) : CLEAR] as const;
    }),
  );
  const features = joinAreas(areas, level, cells);
  const hatched = features.filter((feature) => withheld(feature.properties.row));
  return [
    new GeoJsonLayer<AreaFeature<T>['properties']>({
      id,
      ...underOutlines,
      data: features,
      getFillColor: (feature) => fills.get(feature.properties.row.code) ?? CLEAR,
      getLineColor: OUTLINE,
      getLineWidth: 1,
      lineWidthUnits: 'pixels',
      stroked: true,
      filled: true,
      opacity: OPACITY,
      pickable: true,
      onHover: (info: PickingInfo<AreaFeature<T>>) => onhover(info.object ? { cell: info.object.properties.row, x: info.x, y: info.y } : undefined),
    }),
    ...(hatched.length > 0 ? [withheldLayer(`${id}-withheld`, hatched)] : []),
  ];
}

/** A cell withheld under k (fewer people than the privacy threshold): hatched, never coloured. */
const withheld = (cell: { suppressed?: true }) => cell.suppressed === true;

/** The deck.gl layers of a hot-spot view's answer (as the settings ask); hover sets the view's `hovered`. */
export function hotspotLayers(view: HotspotView, areas: AreaData, settings: HotspotSettings): Layer[] {
  const onhover = (hovered: HoveredSpot<{ code: string }> | undefined) => (view.hovered = hovered);
  const answer = view.answer(settings);
  if (answer?.kind === 'gi') {
    const gi = answer.map;
    return spotLayer({
      id: 'hotspot-gi',
      areas,
      level: gi.level,
      cells: gi.cells,
      onhover,
      withheld,
      colorOf: (cell) => (cell.class === undefined ? undefined : classColor(cell.class)),
    });
  }
  if (answer?.kind === 'emerging') {
    const emerging = answer.map;
    const colors = categoryColors(emerging.categories);
    return spotLayer({
      id: 'hotspot-emerging',
      areas,
      level: emerging.level,
      cells: emerging.cells,
      onhover,
      withheld,
      colorOf: (cell) => (cell.category === undefined ? undefined : colors.get(cell.category)),
    });
  }
  return [];
}

/**
 * Withheld cells as diagonal hatching on light grey (deck's procedural pattern, constant on
 * screen): never mistaken for a class colour. Not pickable: the cell layer under it answers the pointer.
 */
function withheldLayer<T>(id: string, features: AreaFeature<T>[]): Layer {
  const props: GeoJsonLayerProps<AreaFeature<T>['properties']> & FillStyleExtensionProps<AreaFeature<T>> = {
    id,
    ...underOutlines,
    data: features,
    filled: true,
    stroked: false,
    opacity: OPACITY,
    pickable: false,
    getFillColor: hexToRgba(withheldHatchColor),
    extensions: [new FillStyleExtension({ pattern: true, proceduralPattern: true })],
    fillPatternMapping: { withheld: { type: 'hatch', angle: 45, strokeWidth: 1.5, gap: 4 } },
    fillPatternSizeUnits: 'pixels',
    getFillPattern: () => 'withheld',
    getFillPatternBackgroundColor: hexToRgba(suppressedColor),
  };
  return new GeoJsonLayer(props);
}

/** A thick outline round one area (the grid a "what changed" row points at), over everything else. */
export function highlightLayer(areas: AreaData, code: string | undefined): Layer[] {
  const feature = code ? areas.collections.grid.features.find((area) => area.properties.code === code) : undefined;
  if (!feature) return [];
  return [
    new GeoJsonLayer({
      id: 'hotspot-highlight',
      data: [feature],
      filled: false,
      stroked: true,
      getLineColor: [17, 17, 17, 255],
      getLineWidth: 4,
      lineWidthUnits: 'pixels',
    }),
  ];
}
