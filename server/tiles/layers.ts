import { sql, type RawBuilder } from 'kysely';
import { codeWithin, type CodePrefixes } from '../db/code-prefix.ts';
import { gridStatisticsJoins, gridStatisticsProperties } from './feature-sql.ts';

export const TILE_LAYER_NAMES = ['buildings', 'grids', 'statistics'] as const;
export type TileLayerName = (typeof TILE_LAYER_NAMES)[number];

/** The deepest zoom served: a z22 tile is ~10 m wide, finer than any footprint. */
export const TILE_MAX_ZOOM = 22;

export interface TileLayer {
  name: TileLayerName;
  /** Below this zoom the tile is empty: a tile that wide would hold more features than a map can use. */
  minZoom: number;
  /** The most features one tile carries; the rest are dropped and the response says so. */
  maxFeatures: number;
  /** What the layer is, and its feature properties with their TileJSON types (vector_layers). */
  description: string;
  fields: Record<string, 'String' | 'Number'>;
  /**
   * Rows (geom in EPSG:4326, properties jsonb) of the features touching `envelope`, shaped for
   * zoom `z`, limited to codes under `prefixes` (a collector's grids, a station's area; null = all).
   */
  select(envelope: RawBuilder<unknown>, z: number, prefixes: CodePrefixes): RawBuilder<unknown>;
}

/** From this zoom buildings are drawn as footprints; below it (down to minZoom) as points. */
export const FOOTPRINT_MIN_ZOOM = 15;

const buildingProperties = sql`jsonb_build_object('code', code, 'use', use, 'floors', floors, 'status', status)`;

/** A guard against a dense spot or a wide tile: ~10,000 features is ~500 KiB of tile. */
const MAX_FEATURES_PER_TILE = 10000;

const buildings: TileLayer = {
  name: 'buildings',
  // A city-scale z13 tile holds ~7,000 buildings (~300 KiB); from z14 one holds ~1,700 (~80 KiB).
  minZoom: 14,
  maxFeatures: MAX_FEATURES_PER_TILE,
  description: `Coded buildings: points below z${FOOTPRINT_MIN_ZOOM}, footprints (or points where none is known) from z${FOOTPRINT_MIN_ZOOM}`,
  fields: { code: 'String', use: 'String', floors: 'Number', status: 'String' },
  // Footprints: either index may find a building (its footprint, or its point where it has none).
  select: (envelope, z, prefixes) =>
    z >= FOOTPRINT_MIN_ZOOM
      ? sql`SELECT coalesce(footprint, point) AS geom, ${buildingProperties} AS properties
            FROM buildings WHERE (footprint && ${envelope} OR point && ${envelope}) AND ${codeWithin('code', prefixes)}`
      : sql`SELECT point AS geom, ${buildingProperties} AS properties FROM buildings WHERE point && ${envelope} AND ${codeWithin('code', prefixes)}`,
};

// A base grid (~300 m) is 4 px wide at z11; a z11 tile holds ~3,000 of them (~200 KiB).
// Statistics start a zoom later (~800 grids a tile): each grid joins the maintained counts; the
// whole-city picture is the heatmap API's job.
const GRID_MIN_ZOOM = 11;
const STATISTICS_MIN_ZOOM = 12;

const grids: TileLayer = {
  name: 'grids',
  minZoom: GRID_MIN_ZOOM,
  maxFeatures: MAX_FEATURES_PER_TILE,
  description: 'Base grids (基础网格) with their 14-digit codes',
  fields: { code: 'String', name: 'String' },
  select: (envelope, _z, prefixes) =>
    sql`SELECT geom, jsonb_build_object('code', code, 'name', name) AS properties FROM grids WHERE geom && ${envelope} AND ${codeWithin('code', prefixes)}`,
};

const statistics: TileLayer = {
  name: 'statistics',
  minZoom: STATISTICS_MIN_ZOOM,
  maxFeatures: MAX_FEATURES_PER_TILE,
  description: 'Per-grid counts of buildings, units and current residents (fewer than 5 residents withheld)',
  fields: { code: 'String', name: 'String', buildings: 'Number', units: 'Number', residents: 'Number' },
  select: (envelope, _z, prefixes) =>
    sql`SELECT g.geom, ${gridStatisticsProperties} AS properties FROM grids g ${gridStatisticsJoins}
        WHERE g.geom && ${envelope} AND ${codeWithin('g.code', prefixes)}`,
};

export const TILE_LAYERS: Record<TileLayerName, TileLayer> = { buildings, grids, statistics };
