import type { Map as MapLibreMap } from 'maplibre-gl';
import type { Bbox } from '../api/types.ts';
import { MAX_POINT_BBOX_SQUARE_DEGREES } from '../../../../server/domain/bbox-limit.ts';

/** The server counts hexagons on the fly for at most this many square degrees: the same number. */
export const MAX_HEX_SQUARE_DEGREES = MAX_POINT_BBOX_SQUARE_DEGREES;

export interface ViewportBox {
  bbox: string;
  zoom: number;
  /** The server would refuse this box (or it is empty): draw nothing, say "zoom in" or fall back. */
  tooLarge: boolean;
}

/** The area of a box as the server measures it (server/heatmaps/service.ts assertPointBbox). */
export const squareDegreesOf = (box: Bbox) => Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);

/** What is on screen, cut to the jurisdiction (nothing outside it has cells anyway). */
export function viewportBox(map: MapLibreMap, extent: Bbox | undefined): ViewportBox {
  const bounds = map.getBounds();
  let box: Bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
  if (extent) {
    box = [Math.max(box[0], extent[0]), Math.max(box[1], extent[1]), Math.min(box[2], extent[2]), Math.min(box[3], extent[3])];
  }
  // Measured on the rounded numbers the request carries, so the check is the server's own.
  const sent = box.map((value) => Number(value.toFixed(6))) as Bbox;
  const squareDegrees = squareDegreesOf(sent);
  return {
    bbox: sent.map((value) => value.toFixed(6)).join(','),
    zoom: map.getZoom(),
    tooLarge: squareDegrees > MAX_HEX_SQUARE_DEGREES || squareDegrees === 0,
  };
}
