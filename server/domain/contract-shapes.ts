import { z } from 'zod';
import { ROLES } from './roles.ts';

/**
 * Pieces the features' response contracts (server/<feature>/contract.ts) share: zod only, so the
 * web client can derive its types from them. They describe what goes over the wire (JSON), so
 * times and days are strings.
 */

/** One answer of a route: a JSON body has a zod schema; other media (CSV, tiles, HTML) name their type. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Left out: application/json when there is a schema, no body when there is none; several when the route picks one. */
  contentType?: string | readonly string[];
  example?: unknown;
}
/** A route's answers by HTTP status (RouteSpec.responses). */
export type RouteResponses = { [status: number]: ResponseSpec };

export const roleShape = z.enum(ROLES);

export const instant = z.string().meta({ description: 'An ISO 8601 time (UTC)', examples: ['2026-12-04T08:00:00.000Z'] });
export const day = z.string().meta({ description: 'A calendar day of the city (YYYY-MM-DD)', examples: ['2026-12-04'] });
/** Which moment or period figures describe (heatmaps, hot spots, KPIs): a day, a period, now, or a day with the scored month. */
export const timeFrame = z.union([
  z.object({ asOf: day, scoringMonth: z.string().nullable() }),
  z.object({ asOf: day }),
  z.object({ from: day, to: day }),
  z.object({ current: z.literal(true) }),
]);
/** What a map withheld: cells of fewer than k people, for roles that work with aggregates. */
export const privacyNote = z.object({ k: z.number().int(), applied: z.boolean(), suppressedCells: z.number().int() });
export const gridCode = z.string().meta({ examples: ['44030700100101'] });
export const buildingCode = z.string().meta({ examples: ['4403070010010100001'] });
export const areaCode = z.string().meta({ examples: ['440307001'] });

/** A row whose every column is not spelled out here: its named members are checked, others pass. */
export const row = <Shape extends z.ZodRawShape>(shape: Shape) => z.looseObject(shape);

const geometry = z.looseObject({ type: z.string().meta({ examples: ['Polygon'] }), coordinates: z.array(z.unknown()).optional() });

/** A GeoJSON Feature with the given properties (RFC 7946). */
export const feature = <Properties extends z.ZodType>(properties: Properties) =>
  z.looseObject({ type: z.literal('Feature'), id: z.union([z.string(), z.number()]).optional(), geometry: geometry.nullable(), properties });

/** A GeoJSON FeatureCollection; `extra` holds the members a route adds (truncated, links, counts). */
export const featureCollection = <Properties extends z.ZodType>(properties: Properties, extra: z.ZodRawShape = {}) =>
  z.looseObject({ type: z.literal('FeatureCollection'), features: z.array(feature(properties)), ...extra });

export const GEOJSON = 'application/geo+json';
export const CSV = 'text/csv';
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
