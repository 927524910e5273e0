import { geoJSONToTile } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Feature } from 'geojson';
import { TILE_BUFFER, TILE_EXTENT, type TileAddress } from './tile-math.ts';

const MVT_VERSION = 2;

/**
 * Encodes WGS84 GeoJSON features as one Mapbox Vector Tile layer: the fallback for databases
 * whose PostGIS has no ST_AsMVT. Clips to the tile plus the same buffer ST_AsMVTGeom uses.
 * Returns an empty array when nothing lands in the tile.
 */
export function encodeVectorTile(layerName: string, features: Feature[], { z, x, y }: TileAddress): Uint8Array {
  if (features.length === 0) return new Uint8Array();
  const tile = geoJSONToTile({ type: 'FeatureCollection', features }, z, x, y, { extent: TILE_EXTENT, buffer: TILE_BUFFER, clip: true });
  if (!tile || tile.features.length === 0) return new Uint8Array();
  return fromGeojsonVt({ [layerName]: tile }, { version: MVT_VERSION, extent: TILE_EXTENT });
}
