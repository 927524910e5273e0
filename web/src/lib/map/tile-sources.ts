/**
 * The vector tile sources a map keeps for the levels it draws from tiles (issue 18): one source per
 * tile layer, shared by every layer drawn on it (outlines, names, a heatmap's fill), so that each
 * tile is fetched and parsed once.
 */

/** Past this zoom MapLibre overscales the last tiles: an area or grid has no more detail to give. */
export const TILE_MAX_ZOOM = 14;

export interface TileSource {
  /** The source's id on the map. */
  id: string;
  /** The server's tile layer (server/tiles/layers.ts), also the MVT layer's name. */
  sourceLayer: 'grids' | 'areas';
  /** No tiles are asked below this zoom. */
  minzoom: number;
}

/**
 * Grids from z11, where a ~300 m grid is a few pixels wide and the tiles carry its name
 * (server/tiles GRID_NAME_MIN_ZOOM); kept by GridLayer.
 */
export const gridTiles: TileSource = { id: 'grid-tiles', sourceLayer: 'grids', minzoom: 11 };

/** Districts, streets and communities (one layer, `level` tells them apart) from z6; kept by BoundaryLayers. */
export const areaTiles: TileSource = { id: 'area-tiles', sourceLayer: 'areas', minzoom: 6 };

export const tileUrlOf = ({ sourceLayer }: TileSource) => `${location.origin}/tiles/${sourceLayer}/{z}/{x}/{y}.mvt`;
