import type { RawBuilder } from 'kysely';
import type { CodePrefixes } from '../db/code-prefix.ts';
import {
  areaRows,
  BUILDING_ID_DIGITS,
  buildingFootprintRows,
  buildingPointRows,
  GRID_NAME_MIN_ZOOM,
  gridRows,
  gridStatisticsRows,
} from './repository/layer-rows.ts';

export const TILE_LAYER_NAMES = ['areas', 'buildings', 'grids', 'statistics'] as const;
export type TileLayerName = (typeof TILE_LAYER_NAMES)[number];

/** The deepest zoom served: a z22 tile is ~10 m wide, finer than any footprint. */
export const TILE_MAX_ZOOM = 22;

export interface TileLayer {
  /** The MVT layer name (a served layer's is its TileLayerName). */
  name: string;
  /** Below this zoom the tile is empty: a tile that wide would hold more features than a map can use. */
  minZoom: number;
  /** The most features one tile carries; the rest are dropped and the response says so. */
  maxFeatures: number;
  /** What the layer is, and its feature properties with their TileJSON types (vector_layers). */
  description: string;
  fields: Record<string, 'String' | 'Number'>;
  /** How a feature's numeric MVT id (feature-state without promoteId) follows from its code. */
  featureId: string;
  /** What a rendered tile is kept per: 'shapes' for a layer that reads only grids and admin_areas (sql/0029), else 'data'. */
  keptPer: 'shapes' | 'data';
  /** Whether the layer carries counts of people, withheld below the privacy setting's k (read once per render). */
  withholdsSmallCounts: boolean;
  /**
   * Rows (id bigint, geom in EPSG:4326, properties jsonb) of the features touching `envelope`, shaped for
   * zoom `z`, limited to codes under `prefixes` (a collector's grids, a station's area; null = all);
   * counts of fewer than `privacyK` people are withheld. The SQL is in repository/layer-rows.ts.
   */
  select(envelope: RawBuilder<unknown>, z: number, prefixes: CodePrefixes, privacyK: number): RawBuilder<unknown>;
}

/** A layer's TileJSON description, saying how its feature ids are made. */
export const vectorLayerDescription = (layer: TileLayer) => `${layer.description}; feature id: ${layer.featureId}`;

/** From this zoom buildings are drawn as footprints; below it (down to minZoom) as points. */
export const FOOTPRINT_MIN_ZOOM = 15;

/** A guard against a dense spot or a wide tile: ~10,000 features is ~500 KiB of tile. */
const MAX_FEATURES_PER_TILE = 10000;

const buildings: TileLayer = {
  name: 'buildings',
  withholdsSmallCounts: false,
  keptPer: 'data',
  // A city-scale z13 tile holds ~7,000 buildings (~300 KiB); from z14 one holds ~1,700 (~80 KiB).
  minZoom: 14,
  maxFeatures: MAX_FEATURES_PER_TILE,
  description: `Coded buildings: points below z${FOOTPRINT_MIN_ZOOM}, footprints (or points where none is known) from z${FOOTPRINT_MIN_ZOOM}`,
  fields: { code: 'String', use: 'String', floors: 'Number', status: 'String' },
  featureId: `the building code without its first four digits (province and city): its last ${BUILDING_ID_DIGITS} digits as a number`,
  select: (envelope, z, prefixes) => (z >= FOOTPRINT_MIN_ZOOM ? buildingFootprintRows(envelope, prefixes) : buildingPointRows(envelope, prefixes)),
};

// Grids start at city zoom (issue 18): the leader's grid heatmap is drawn on these tiles, so a
// Shenzhen of 20,000 grids fits the first view's few z8–z9 tiles (a base grid of ~300 m is ~2 px
// there), simplified to half a pixel and carrying only the code below GRID_NAME_MIN_ZOOM.
// Statistics start at z12 (~800 grids a tile): each grid joins the maintained counts; the
// whole-city picture is the heatmap API's job.
const GRID_MIN_ZOOM = 8;
const STATISTICS_MIN_ZOOM = 12;
/** A whole city's grids in one low-zoom tile (Shenzhen: 20,000): a code and a square each. */
const MAX_GRIDS_PER_TILE = 30000;

const grids: TileLayer = {
  name: 'grids',
  withholdsSmallCounts: false,
  keptPer: 'shapes',
  minZoom: GRID_MIN_ZOOM,
  maxFeatures: MAX_GRIDS_PER_TILE,
  description: `Base grids (基础网格) with their 14-digit codes (names from z${GRID_NAME_MIN_ZOOM}), shapes simplified to the zoom`,
  fields: { code: 'String', name: 'String' },
  featureId: 'the 14-digit grid code as a number',
  select: (envelope, z, prefixes) => gridRows(envelope, z, prefixes),
};

const statistics: TileLayer = {
  name: 'statistics',
  withholdsSmallCounts: true,
  keptPer: 'data',
  minZoom: STATISTICS_MIN_ZOOM,
  maxFeatures: MAX_FEATURES_PER_TILE,
  description: 'Per-grid counts of buildings, units and current residents (counts of fewer than k residents, the privacy setting, withheld)',
  fields: { code: 'String', name: 'String', buildings: 'Number', units: 'Number', residents: 'Number' },
  featureId: 'the 14-digit grid code as a number',
  select: (envelope, _z, prefixes, privacyK) => gridStatisticsRows(envelope, prefixes, privacyK),
};

/** Below this zoom a city is a few pixels: the areas layer starts here. */
const AREA_MIN_ZOOM = 6;

/**
 * District, street and community boundaries (admin_areas), shapes simplified to the zoom: the
 * leader's heatmap of those levels is drawn on them (one source, filtered by `level`), and the
 * offline archive (PMTiles) carries them. Each area also comes as a point inside it (its
 * label's place), in the one tile that holds the point: the names are placed once per area.
 */
export const areas: TileLayer = {
  name: 'areas',
  withholdsSmallCounts: false,
  keptPer: 'shapes',
  minZoom: AREA_MIN_ZOOM,
  maxFeatures: MAX_FEATURES_PER_TILE,
  description: 'Districts, streets and communities (区、街道、社区) with their codes, shapes simplified to the zoom, and a label point inside each',
  fields: { code: 'String', name: 'String', level: 'String' },
  featureId: 'the 6-, 9- or 12-digit area code as a number',
  select: (envelope, z, prefixes) => areaRows(envelope, z, prefixes),
};

export const TILE_LAYERS: Record<TileLayerName, TileLayer> = { areas, buildings, grids, statistics };
