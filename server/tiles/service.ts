import { cityBounds } from '../areas/service.ts';
import type { AppContext } from '../context.ts';
import { privacyThreshold } from '../heatmaps/service.ts';
import { encodeVectorTile } from './encoder.ts';
import { TILE_MAX_ZOOM, vectorLayerDescription, type TileLayer } from './layers.ts';
import { geoJsonFeaturesInTile, nativeTile, type TileFeatures, type TileScope } from './repository.ts';
import type { TileAddress } from './tile-math.ts';

/** An encoded tile; an empty one has no bytes. */
export type RenderedTile = TileFeatures<Uint8Array>;

/**
 * One layer's tile: PostGIS encodes it where it can (capabilities.nativeVectorTiles), otherwise
 * the same rows come back as GeoJSON and are encoded here. Both paths apply the same LIMIT.
 * k is read in the caller's snapshot unless given (an archive reads it once for all its tiles).
 */
export async function renderTile(context: AppContext, layer: TileLayer, tile: TileAddress, options: Partial<TileScope> = {}): Promise<RenderedTile> {
  if (tile.z < layer.minZoom) return { content: new Uint8Array(), truncated: false };
  const scope: TileScope = {
    prefixes: options.prefixes ?? null,
    maxFeatures: options.maxFeatures ?? layer.maxFeatures,
    privacyK: options.privacyK ?? (await privacyThreshold(context.db)),
  };
  if (context.capabilities.nativeVectorTiles) return nativeTile(context.db, layer, tile, scope);
  const { content: features, truncated } = await geoJsonFeaturesInTile(context.db, layer, tile, scope);
  return { content: encodeVectorTile(layer.name, features, tile), truncated };
}

/**
 * TileJSON 3.0.0 for one layer, as Martin and pg_tileserv publish it: where the tiles are, the
 * zooms that hold features, the city's bounds and the layer's fields (vector_layers), so that
 * QGIS, MapLibre or GDAL can add the layer from this one URL.
 */
export async function tileJson(context: AppContext, origin: string, layer: TileLayer) {
  const bounds = (await cityBounds(context.db)) ?? [-180, -85.0511, 180, 85.0511];
  return {
    tilejson: '3.0.0',
    name: `renwu ${layer.name}`,
    description: layer.description,
    scheme: 'xyz',
    tiles: [`${origin}/tiles/${layer.name}/{z}/{x}/{y}.mvt`],
    minzoom: layer.minZoom,
    maxzoom: TILE_MAX_ZOOM,
    bounds,
    center: [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, Math.max(layer.minZoom, 14)],
    vector_layers: [{ id: layer.name, description: vectorLayerDescription(layer), minzoom: layer.minZoom, maxzoom: TILE_MAX_ZOOM, fields: layer.fields }],
  };
}
