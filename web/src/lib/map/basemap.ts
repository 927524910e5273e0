import type { StyleSpecification } from 'maplibre-gl';
import { api } from '../api/client.ts';
import { offlineBaseStyle } from './style.ts';

let asked: Promise<string | StyleSpecification> | undefined;

/**
 * The style the map starts from: the office's intranet basemap when BASEMAP_STYLE_URL is set,
 * else the offline background (nothing fetched from any other origin). Asked once per visit.
 * Our own layers (areas, names, buildings, heatmaps) are added over either.
 */
export function baseStyle(): Promise<string | StyleSpecification> {
  asked ??= api.mapConfig().then(
    (config) => config.basemap?.styleUrl ?? offlineBaseStyle(),
    () => {
      // No basemap this time (the areas still draw); ask again on the next map.
      asked = undefined;
      return offlineBaseStyle();
    },
  );
  return asked;
}
