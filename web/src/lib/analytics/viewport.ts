import type { Map as MapLibreMap } from 'maplibre-gl';
import type { BBox } from '../api/types.ts';

/** The server counts hexagons on the fly for at most this many square degrees (server/heatmaps). */
export const MAX_HEX_SQUARE_DEGREES = 0.01;

export interface ViewportBox {
  bbox: string;
  zoom: number;
  tooLarge: boolean;
}

/** What is on screen, cut to the jurisdiction (nothing outside it has cells anyway). */
export function viewportBox(map: MapLibreMap, extent: BBox | undefined): ViewportBox {
  const bounds = map.getBounds();
  let box: BBox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
  if (extent) {
    box = [Math.max(box[0], extent[0]), Math.max(box[1], extent[1]), Math.min(box[2], extent[2]), Math.min(box[3], extent[3])];
  }
  const squareDegrees = Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);
  return {
    bbox: box.map((value) => value.toFixed(6)).join(','),
    zoom: map.getZoom(),
    tooLarge: squareDegrees > MAX_HEX_SQUARE_DEGREES || squareDegrees === 0,
  };
}
