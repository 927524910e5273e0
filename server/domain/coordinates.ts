/**
 * Coordinate reference systems Chinese offices hand us (DOMAIN.md): WGS84 (GPS, what renwu
 * stores), GCJ-02 (the obfuscated "Mars" datum every licensed domestic map uses) and BD-09
 * (Baidu's further offset of GCJ-02). Pure functions, shared by imports (convert in) and
 * exports (optional GCJ-02 out).
 *
 * The forward WGS84 → GCJ-02 formula is the published one; it has no closed-form inverse,
 * so GCJ-02 → WGS84 iterates the forward formula until the residual is below a millimetre.
 */

export const COORDINATE_SYSTEMS = ['wgs84', 'gcj02', 'bd09'] as const;
export type CoordinateSystem = (typeof COORDINATE_SYSTEMS)[number];

/** [longitude, latitude] in degrees. */
export type LonLat = readonly [number, number];

/** A WGS84 box in degrees, as GeoJSON and OGC write it: the one box type of server and web. */
export type Bbox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

const SEMI_MAJOR_AXIS = 6378245.0; // Krasovsky 1940, as the GCJ-02 formula uses
// biome-ignore lint/correctness/noPrecisionLoss: the published GCJ-02 constant, kept as written (the double it rounds to is what runs).
const ECCENTRICITY_SQUARED = 0.00669342162296594323;
const BAIDU_FACTOR = (Math.PI * 3000.0) / 180.0;

/** GCJ-02 only offsets points inside mainland China; elsewhere it equals WGS84. */
export function isOutsideChina([lon, lat]: LonLat): boolean {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function latitudeShift(x: number, y: number): number {
  let shift = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  shift += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  shift += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  shift += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return shift;
}

function longitudeShift(x: number, y: number): number {
  let shift = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  shift += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  shift += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  shift += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return shift;
}

export function wgs84ToGcj02(point: LonLat): [number, number] {
  const [lon, lat] = point;
  if (isOutsideChina(point)) return [lon, lat];
  const radLat = (lat / 180.0) * Math.PI;
  const sinLat = Math.sin(radLat);
  const magic = 1 - ECCENTRICITY_SQUARED * sinLat * sinLat;
  const sqrtMagic = Math.sqrt(magic);
  const dLat = (latitudeShift(lon - 105.0, lat - 35.0) * 180.0) / (((SEMI_MAJOR_AXIS * (1 - ECCENTRICITY_SQUARED)) / (magic * sqrtMagic)) * Math.PI);
  const dLon = (longitudeShift(lon - 105.0, lat - 35.0) * 180.0) / ((SEMI_MAJOR_AXIS / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [lon + dLon, lat + dLat];
}

/** Inverse by fixed-point iteration: the offset varies slowly, so a few rounds reach < 1e-9°. */
export function gcj02ToWgs84(point: LonLat): [number, number] {
  if (isOutsideChina(point)) return [point[0], point[1]];
  let guess: [number, number] = [point[0], point[1]];
  for (let round = 0; round < 30; round += 1) {
    const [forwardLon, forwardLat] = wgs84ToGcj02(guess);
    const errorLon = forwardLon - point[0];
    const errorLat = forwardLat - point[1];
    guess = [guess[0] - errorLon, guess[1] - errorLat];
    if (Math.abs(errorLon) < 1e-10 && Math.abs(errorLat) < 1e-10) break;
  }
  return guess;
}

export function gcj02ToBd09([lon, lat]: LonLat): [number, number] {
  const radius = Math.sqrt(lon * lon + lat * lat) + 0.00002 * Math.sin(lat * BAIDU_FACTOR);
  const angle = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * BAIDU_FACTOR);
  return [radius * Math.cos(angle) + 0.0065, radius * Math.sin(angle) + 0.006];
}

/** Baidu's published inverse is approximate (~1 m); one correction round brings it to mm. */
export function bd09ToGcj02(point: LonLat): [number, number] {
  const approximate = bd09ToGcj02Approximate(point);
  const [forwardLon, forwardLat] = gcj02ToBd09(approximate);
  return [approximate[0] - (forwardLon - point[0]), approximate[1] - (forwardLat - point[1])];
}

function bd09ToGcj02Approximate([lon, lat]: LonLat): [number, number] {
  const x = lon - 0.0065;
  const y = lat - 0.006;
  const radius = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * BAIDU_FACTOR);
  const angle = Math.atan2(y, x) - 0.000003 * Math.cos(x * BAIDU_FACTOR);
  return [radius * Math.cos(angle), radius * Math.sin(angle)];
}

/** Converts a point declared in `from` to WGS84 (what the database stores). */
export function toWgs84(point: LonLat, from: CoordinateSystem): [number, number] {
  if (from === 'gcj02') return gcj02ToWgs84(point);
  if (from === 'bd09') return gcj02ToWgs84(bd09ToGcj02(point));
  return [point[0], point[1]];
}

/** Converts a stored WGS84 point to `to` (exports offering GCJ-02 for domestic map tools). */
export function fromWgs84(point: LonLat, to: CoordinateSystem): [number, number] {
  if (to === 'gcj02') return wgs84ToGcj02(point);
  if (to === 'bd09') return gcj02ToBd09(wgs84ToGcj02(point));
  return [point[0], point[1]];
}

/** Great-circle distance in metres (haversine), for checking conversions. */
export function distanceMetres(a: LonLat, b: LonLat): number {
  const earthRadius = 6371008.8;
  const toRadians = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = toRadians(b[1] - a[1]);
  const dLon = toRadians(b[0] - a[0]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(a[1])) * Math.cos(toRadians(b[1])) * Math.sin(dLon / 2) ** 2;
  return 2 * earthRadius * Math.asin(Math.sqrt(h));
}
