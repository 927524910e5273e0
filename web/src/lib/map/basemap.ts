import type { StyleSpecification } from 'maplibre-gl';
import { api } from '../api/client.ts';
import type { MapConfig } from '../api/types.ts';
import { offlineBaseStyle } from './style.ts';

let asked: Promise<string | StyleSpecification> | undefined;

/** A WGS-84 style is drawn as the office serves it; a GCJ-02 one has its raster tiles shifted. */
async function officeStyle(basemap: NonNullable<MapConfig['basemap']>): Promise<string | StyleSpecification> {
  if (basemap.crs === 'wgs84') return basemap.styleUrl;
  const { loadGcj02Style } = await import('./gcj02-basemap.ts');
  return loadGcj02Style(basemap.styleUrl);
}

/**
 * The style the map starts from: the office's intranet basemap when BASEMAP_STYLE_URL is set,
 * else the offline background (nothing fetched from any other origin). Asked once per visit.
 * Our own layers (areas, names, buildings, heatmaps) are added over either.
 */
export function baseStyle(): Promise<string | StyleSpecification> {
  asked ??= api
    .mapConfig()
    .then((config) => (config.basemap ? officeStyle(config.basemap) : offlineBaseStyle()))
    .catch(() => {
      // No basemap this time (the areas still draw); ask again on the next map.
      asked = undefined;
      return offlineBaseStyle();
    });
  return asked;
}
