import { z } from 'zod';

/**
 * The office's own basemap, if it has one: a MapLibre style URL on its intranet (天地图 or
 * 政务网 tiles). Unset, the map draws no basemap and fetches nothing from any other origin.
 */
export type BasemapCrs = 'wgs84' | 'gcj02';
export type Basemap = Readonly<{ styleUrl: string; crs: BasemapCrs; origin: string }> | undefined;

export const basemapSettings = {
  BASEMAP_STYLE_URL: z
    .string()
    .optional()
    .transform((text) => (text?.trim() ? text.trim() : undefined))
    .refine((text) => text === undefined || isHttpUrl(text), 'must be an http(s) URL of a MapLibre style JSON'),
  // 天地图 tiles are CGCS2000 (within a metre of WGS84): wgs84. GCJ-02 tiles (AutoNavi-based services)
  // would sit 300–600 m off the app's WGS84 data: with gcj02 the browser shifts each raster tile of
  // the style onto the WGS84 grid (web/src/lib/map/gcj02-tiles.ts) and leaves the style's other
  // sources (vector tiles, GeoJSON), which cannot be shifted that way, out of the map.
  BASEMAP_CRS: z.enum(['wgs84', 'gcj02'], { message: 'must be wgs84 or gcj02' }).default('wgs84'),
};

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function basemapOf(styleUrl: string | undefined, crs: BasemapCrs): Basemap {
  if (!styleUrl) return undefined;
  return Object.freeze({ styleUrl, crs, origin: new URL(styleUrl).origin });
}
