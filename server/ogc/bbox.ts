import { z } from 'zod';
import { bilingual } from '../http/validate.ts';
import type { Bbox } from '../domain/coordinates.ts';

/**
 * The bbox of OGC API Features Part 1 (requirement /req/core/fc-bbox-definition): four numbers
 * (minLon,minLat,maxLon,maxLat) or six with heights (minLon,minLat,minZ,maxLon,maxLat,maxZ), in
 * CRS84. A box whose west edge lies east of its east edge crosses the antimeridian.
 */
export type OgcBbox = readonly number[];

export const ogcBboxSchema = z
  .string()
  .transform((text) => text.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part))))
  .refine(
    (numbers) => (numbers.length === 4 || numbers.length === 6) && numbers.every(Number.isFinite),
    bilingual(
      'bbox must be four numbers (minLon,minLat,maxLon,maxLat) or six with heights (minLon,minLat,minZ,maxLon,maxLat,maxZ)',
      'bbox 须为四个数字（最小经度,最小纬度,最大经度,最大纬度）或含高度的六个数字',
    ),
  );

/**
 * What is wrong with a bbox's ranges once it is in CRS84 order (lon, lat), or undefined. Checked
 * after bbox-crs is known: an EPSG:4326 box arrives as lat,lon and is swapped first.
 */
export function bboxRangeIssue(numbers: OgcBbox): [string, string] | undefined {
  const [west, south, east, north] = horizontal(numbers);
  if (![west, east].every((lon) => lon >= -180 && lon <= 180) || ![south, north].every((lat) => lat >= -90 && lat <= 90)) {
    return ['bbox is outside WGS84 bounds (longitudes -180..180, latitudes -90..90)', 'bbox 超出 WGS84 范围（经度 -180..180，纬度 -90..90）'];
  }
  if (south > north) return ['bbox minLat must not be above maxLat', 'bbox 的最小纬度不得大于最大纬度'];
  if (numbers.length === 6 && numbers[2]! > numbers[5]!) return ['bbox minZ must not be above maxZ', 'bbox 的最小高度不得大于最大高度'];
  return undefined;
}

/** A bbox given in EPSG:4326 axis order (lat, lon) put in CRS84 order (lon, lat). */
export function lonLatOrder(numbers: OgcBbox): OgcBbox {
  const [a, b, ...rest] = numbers;
  if (numbers.length === 4) return [b!, a!, rest[1]!, rest[0]!];
  return [b!, a!, rest[0]!, rest[2]!, rest[1]!, rest[3]!];
}

/** West, south, east, north of a four- or six-number bbox (heights dropped: every feature is 2D). */
function horizontal(numbers: OgcBbox): Bbox {
  const [west, south, east, north] =
    numbers.length === 6 ? [numbers[0]!, numbers[1]!, numbers[3]!, numbers[4]!] : [numbers[0]!, numbers[1]!, numbers[2]!, numbers[3]!];
  return [west, south, east, north];
}

/** The boxes to intersect: one, or two split at the antimeridian. */
export function boxesOf(bbox: OgcBbox): Bbox[] {
  const [west, south, east, north] = horizontal(bbox);
  return west <= east
    ? [[west, south, east, north]]
    : [
        [west, south, 180, north],
        [-180, south, east, north],
      ];
}

/**
 * The datetime of OGC API Features Part 1: an RFC 3339 instant or a closed/half-bounded interval
 * ("a/b", "../b", "a/.."). Checked, then unused: no published collection has a time dimension.
 */
const DATE = String.raw`\d{4}-\d{2}-\d{2}`;
const INSTANT = new RegExp(String.raw`^${DATE}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$`, 'i');
/** A real calendar day: Date.parse alone would roll 2026-02-30 over to March. */
function isCalendarDay(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
const isInstant = (text: string) => INSTANT.test(text) && isCalendarDay(text) && !Number.isNaN(Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text));
const isBound = (text: string) => text === '..' || text === '' || isInstant(text);

export const ogcDatetimeSchema = z.string().refine(
  (text) => {
    const parts = text.split('/');
    if (parts.length === 1) return isInstant(parts[0]!);
    return parts.length === 2 && parts.every(isBound) && !parts.every((part) => part === '..' || part === '');
  },
  bilingual(
    'datetime must be an RFC 3339 date or date-time (2026-12-01, 2026-12-01T08:00:00Z) or an interval such as 2026-01-01/2026-12-31 or ../2026-12-31',
    'datetime 须为 RFC 3339 日期或时间（如 2026-12-01、2026-12-01T08:00:00Z）或时段（如 2026-01-01/2026-12-31、../2026-12-31）',
  ),
);
