import { toWgs84, type CoordinateSystem, type LonLat } from '../domain/coordinates.ts';
import type { Cell } from './cells.ts';
import type { FieldProblem } from './kinds/kind.ts';

/**
 * GeoJSON geometries of imported features. A Point fills the longitude and latitude columns
 * (properties win when both are given); a building may bring its footprint as a Polygon.
 */

interface Geometry {
  type?: unknown;
  coordinates?: unknown;
}

const isPosition = (value: unknown): value is [number, number] =>
  Array.isArray(value) && value.length >= 2 && value.slice(0, 2).every((number) => typeof number === 'number' && Number.isFinite(number));

/** The record's fields with lon/lat taken from a Point geometry where the properties have none. */
export function withPointOf(fields: Readonly<Record<string, Cell>>, geometry: unknown): Record<string, Cell> {
  const point = geometry as Geometry | null | undefined;
  if (point?.type !== 'Point' || !isPosition(point.coordinates)) return { ...fields };
  return { lon: point.coordinates[0], lat: point.coordinates[1], ...definedOnly(fields) };
}

const definedOnly = (fields: Readonly<Record<string, Cell>>) =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null && value !== undefined && value !== ''));

/**
 * A footprint Polygon (or a MultiPolygon of one polygon) converted to WGS84, as GeoJSON text
 * for ST_GeomFromGeoJSON; undefined for no or a Point geometry; a problem for anything else.
 */
export function footprintOf(geometry: unknown, crs: CoordinateSystem): { footprint?: string; problem?: FieldProblem } {
  const shape = geometry as Geometry | null | undefined;
  if (!shape || shape.type === 'Point') return {};
  const rings = shape.type === 'MultiPolygon' && Array.isArray(shape.coordinates) && shape.coordinates.length === 1 ? shape.coordinates[0] : shape.coordinates;
  if ((shape.type !== 'Polygon' && shape.type !== 'MultiPolygon') || !isRingList(rings)) {
    return { problem: { field: 'geometry', reason: 'must be a Point, or a Polygon of closed rings of at least 4 positions' } };
  }
  const coordinates = rings.map((ring) => ring.map((position) => toWgs84(position as LonLat, crs)));
  return { footprint: JSON.stringify({ type: 'Polygon', coordinates }) };
}

function isRingList(value: unknown): value is [number, number][][] {
  if (!Array.isArray(value) || value.length === 0) return false;
  return value.every((ring) => {
    if (!Array.isArray(ring) || ring.length < 4 || !ring.every(isPosition)) return false;
    const [first, last] = [ring[0] as number[], ring[ring.length - 1] as number[]];
    return first[0] === last[0] && first[1] === last[1] && ring.every(([lon, lat]) => Math.abs(lon) <= 180 && Math.abs(lat) <= 90);
  });
}
