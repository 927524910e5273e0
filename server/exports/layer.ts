import type { Geometry, Position } from 'geojson';
import { fromWgs84, type CoordinateSystem } from '../domain/coordinates.ts';

/**
 * An aggregated layer as every export format sees it: typed columns with Chinese labels (for the
 * spreadsheets), one geometry per feature, and a representative point per feature (the
 * spreadsheets' longitude/latitude columns). Layers never carry person data.
 */
export type ColumnType = 'text' | 'integer' | 'real' | 'boolean';
export type Value = string | number | boolean | null;

export interface LayerColumn {
  /** Machine name: GeoJSON property, GeoPackage column. ASCII snake case. */
  key: string;
  /** Spreadsheet header, in Chinese. */
  label: string;
  type: ColumnType;
  /** Spreadsheet wording of coded text values, e.g. { red: '红' }. */
  words?: Readonly<Record<string, string>>;
}

export interface LayerFeature {
  geometry: Geometry;
  /** A point on the feature: the building itself, a point inside the grid. */
  anchor: [number, number];
  /** In column order. */
  values: Value[];
}

export type GeometryTypeName = 'POINT' | 'MULTIPOLYGON';

export interface Layer {
  /** Table and file name; the audit row's target type is `${name}_layer` (server/domain/audit-vocabulary.ts). */
  name: 'grids' | 'buildings';
  /** Sheet name and GeoPackage identifier, in Chinese. */
  title: string;
  geometryType: GeometryTypeName;
  columns: LayerColumn[];
  features: LayerFeature[];
  /** What the figures describe (day, case period, scoring month, privacy rule), as label/value pairs. */
  notes: [string, Value][];
}

export const OUTPUT_CRS = ['wgs84', 'gcj02'] as const satisfies readonly CoordinateSystem[];
export type OutputCrs = (typeof OUTPUT_CRS)[number];

// 1e-7° is about 1 cm: as precise as the stored data is published (the OGC API uses 7 decimals).
const roundDegrees = (value: number) => Math.round(value * 1e7) / 1e7;

function convertPosition(position: Position, crs: OutputCrs): Position {
  const [lon, lat] = fromWgs84([position[0]!, position[1]!], crs);
  return [roundDegrees(lon), roundDegrees(lat)];
}

/** The geometry with every coordinate converted; only the types layers hold (points and polygons). */
function convertGeometry(geometry: Geometry, crs: OutputCrs): Geometry {
  const ring = (positions: Position[]) => positions.map((position) => convertPosition(position, crs));
  switch (geometry.type) {
    case 'Point':
      return { type: 'Point', coordinates: convertPosition(geometry.coordinates, crs) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: geometry.coordinates.map(ring) };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: geometry.coordinates.map((polygon) => polygon.map(ring)) };
    default:
      throw new Error(`layers hold points and polygons, not ${geometry.type}`);
  }
}

/** The layer in the coordinate system asked for (it is read in WGS84, as stored). */
export function inCrs(layer: Layer, crs: OutputCrs): Layer {
  if (crs === 'wgs84') return layer;
  return {
    ...layer,
    features: layer.features.map((feature) => ({
      ...feature,
      geometry: convertGeometry(feature.geometry, crs),
      anchor: convertPosition(feature.anchor, crs) as [number, number],
    })),
  };
}

/** Every position of a point or (multi)polygon, for extents. */
export function positionsOf(geometry: Geometry): Position[] {
  switch (geometry.type) {
    case 'Point':
      return [geometry.coordinates];
    case 'Polygon':
      return geometry.coordinates.flat();
    case 'MultiPolygon':
      return geometry.coordinates.flat(2);
    default:
      throw new Error(`layers hold points and polygons, not ${geometry.type}`);
  }
}

export type Extent = [minX: number, minY: number, maxX: number, maxY: number];

export function extentOf(positions: Iterable<Position>): Extent | null {
  let extent: Extent | null = null;
  for (const [x, y] of positions) {
    if (!extent) extent = [x!, y!, x!, y!];
    else extent = [Math.min(extent[0], x!), Math.min(extent[1], y!), Math.max(extent[2], x!), Math.max(extent[3], y!)];
  }
  return extent;
}
