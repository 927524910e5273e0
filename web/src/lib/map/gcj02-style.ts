/**
 * A GCJ-02 office style made drawable under WGS-84 data (BASEMAP_CRS=gcj02): its raster sources
 * ask for shifted tiles (gcj02-tiles.ts) instead of the office's own. Vector, GeoJSON, image and
 * DEM sources cannot be shifted tile by tile, so they and the layers that draw them are left out
 * rather than drawn 300–600 m off. Pure: raster sources given by a TileJSON `url` are expected
 * already inlined (gcj02-basemap.ts fetches those).
 */
import type { LayerSpecification, RasterSourceSpecification, SourceSpecification, StyleSpecification } from 'maplibre-gl';
import { shiftedTileTemplate } from './gcj02-tiles.ts';

/** MapLibre's default raster tile size. */
const RASTER_TILE_SIZE = 512;

/** A tile URL template made absolute against the style's URL, its {z}/{x}/{y} braces kept. */
export function absoluteTemplate(template: string, styleUrl: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(template)) return template;
  return new URL(template, styleUrl).href.replaceAll('%7B', '{').replaceAll('%7D', '}');
}

function shiftedRaster(source: RasterSourceSpecification, styleUrl: string): RasterSourceSpecification {
  const tileSize = source.tileSize ?? RASTER_TILE_SIZE;
  const scheme = source.scheme ?? 'xyz';
  const tiles = (source.tiles ?? []).map((template) => shiftedTileTemplate(absoluteTemplate(template, styleUrl), tileSize, scheme));
  // The shifted tiles are plain XYZ: the TMS row is flipped when the office's tile is asked for.
  return { ...source, tiles, tileSize, scheme: 'xyz' };
}

export function shiftGcj02Style(style: StyleSpecification, styleUrl: string): StyleSpecification {
  const sources: Record<string, SourceSpecification> = {};
  for (const [name, source] of Object.entries(style.sources)) {
    if (source.type === 'raster' && source.tiles?.length) sources[name] = shiftedRaster(source, styleUrl);
  }
  const layers = style.layers.filter((layer: LayerSpecification) => !('source' in layer) || (typeof layer.source === 'string' && layer.source in sources));
  return { ...style, sources, layers };
}
