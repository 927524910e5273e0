import { cityBounds } from '../areas/service.ts';
import type { Kysely } from 'kysely';
import type { AppContext } from '../context.ts';
import type { DB } from '../db/schema.ts';
import { TILE_MAX_ZOOM, vectorLayerDescription, type TileLayer } from './layers.ts';
import { shapePyramidOf, type PyramidProgress } from './shape-pyramid.ts';
import { buildingTilesOf } from './building-tiles.ts';

export { renderTile, type RenderedTile } from './render.ts';

/** How far the whole city's grid and area tiles are rendered ahead (/api/health `keptTiles`). */
export const shapeTilesProgress = (db: Kysely<DB>): PyramidProgress => shapePyramidOf(db).progress();
/** How far the whole city's building tiles are rendered ahead (/api/health `keptBuildingTiles`). */
export const buildingTilesProgress = (db: Kysely<DB>): PyramidProgress => buildingTilesOf(db).progress();

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
