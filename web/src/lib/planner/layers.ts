import { GeoJsonLayer, LineLayer, SolidPolygonLayer, TextLayer } from '@deck.gl/layers';
import type { Layer, PickingInfo } from '@deck.gl/core';
import type { ProposedMove, Shortage } from '../api/types.ts';
import { underOutlines } from '../analytics/choropleth.ts';
import type { AreaData } from '../map/area-data.svelte.ts';
import { joinAreas, type AreaFeature } from '../map/join-areas.ts';
import { gapColor, hexToRgba, type Rgba } from '../map/scales.ts';
import { arrowBetween, type Arrow } from './arrows.ts';

export type ShortageArea = Shortage['areas'][number];
export interface HoveredArea {
  area: ShortageArea;
  x: number;
  y: number;
}

const OUTLINE: Rgba = [255, 255, 255, 160];
const SELECTED_OUTLINE: Rgba = [17, 17, 17, 255];

/** The gap per grid on the diverging scale (orange short, purple surplus). */
export function shortageLayers(
  shortage: Shortage,
  areas: AreaData,
  selectedCode: string | undefined,
  onhover: (hovered: HoveredArea | undefined) => void,
  onselect: (code: string) => void,
): Layer[] {
  const isSelected = (feature: AreaFeature<ShortageArea>) => feature.properties.row.code === selectedCode;
  type Props = AreaFeature<ShortageArea>['properties'];
  return [
    new GeoJsonLayer<Props>({
      id: 'shortage',
      ...underOutlines,
      data: joinAreas(areas, 'grid', shortage.areas),
      getFillColor: (feature) => hexToRgba(gapColor(feature.properties.row.gap, shortage.scale.maxAbsGap)),
      getLineColor: (feature) => (isSelected(feature as AreaFeature<ShortageArea>) ? SELECTED_OUTLINE : OUTLINE),
      getLineWidth: (feature) => (isSelected(feature as AreaFeature<ShortageArea>) ? 3 : 1),
      lineWidthUnits: 'pixels',
      stroked: true,
      filled: true,
      opacity: 0.85,
      pickable: true,
      updateTriggers: { getLineColor: selectedCode, getLineWidth: selectedCode },
      onHover: (info: PickingInfo<AreaFeature<ShortageArea>>) => onhover(info.object ? { area: info.object.properties.row, x: info.x, y: info.y } : undefined),
      onClick: (info: PickingInfo<AreaFeature<ShortageArea>>) => {
        if (info.object) onselect(info.object.properties.row.code);
      },
    }),
  ];
}

// Dark and wide with a white casing: readable over every colour of the diverging scale.
const ARROW: Rgba = [33, 33, 33, 235];
const CASING: Rgba = [255, 255, 255, 230];
type Drawn = { move: ProposedMove; arrow: Arrow };

/** Each proposed move as an arrow from the grid a collector leaves to the one they join, numbered by step. */
export function proposalLayers(moves: ProposedMove[]): Layer[] {
  const drawn: Drawn[] = moves.flatMap((move) =>
    move.from.centroid && move.to.centroid ? [{ move, arrow: arrowBetween(move.from.centroid, move.to.centroid) }] : [],
  );
  const shaft = {
    data: drawn,
    getSourcePosition: (item: Drawn) => item.arrow.shaft[0],
    getTargetPosition: (item: Drawn) => item.arrow.shaft[1],
    widthUnits: 'pixels' as const,
  };
  return [
    new LineLayer<Drawn>({ id: 'proposal-casing', ...shaft, getColor: CASING, getWidth: 7 }),
    new LineLayer<Drawn>({ id: 'proposal-shafts', ...shaft, getColor: ARROW, getWidth: 3.5 }),
    new SolidPolygonLayer<Drawn>({ id: 'proposal-heads', data: drawn, getPolygon: (item) => item.arrow.head, getFillColor: ARROW }),
    // Step numbers: deck draws the digits with the system font on a canvas; nothing is fetched.
    new TextLayer<Drawn>({
      id: 'proposal-steps',
      data: drawn,
      getPosition: (item) => item.arrow.middle,
      getText: (item) => String(item.move.step),
      getSize: 15,
      getColor: [255, 255, 255, 255],
      background: true,
      getBackgroundColor: ARROW,
      backgroundPadding: [5, 2],
      fontFamily: 'system-ui, sans-serif',
      fontWeight: 'bold',
    }),
  ];
}
