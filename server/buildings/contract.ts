import { z } from 'zod';
import { buildingCode, featureCollection, gridCode, GEOJSON, row } from '../domain/contract-shapes.ts';
import type { RouteResponses } from '../http/route-registry.ts';

export const buildingFeatureProperties = z.object({ code: buildingCode, use: z.string(), floors: z.number().int(), status: z.string(), address: z.string() });
export const buildingsAnswer = featureCollection(buildingFeatureProperties, { truncated: z.boolean().meta({ description: 'More buildings than one answer holds: zoom in' }) });

/** One building (landlordName null for roles without person data). */
export const buildingDetail = z.object({
  code: buildingCode,
  gridCode,
  address: z.string(),
  floors: z.number().int(),
  use: z.string(),
  managementMode: z.string(),
  status: z.string(),
  hasAccessControl: z.boolean(),
  hasVideo: z.boolean(),
  responsibilityLetterSigned: z.boolean(),
  landlordName: z.string().nullable(),
  point: z.tuple([z.number(), z.number()]).meta({ description: '[longitude, latitude], WGS 84', examples: [[114.2, 22.6]] }),
  unitCount: z.number().int(),
});

const unitCode = z.string().meta({ examples: ['4403070010010100001010101'] });
/** The police drill-down: floors → units → current occupants (person fields pass as they are). */
export const floorPlanAnswer = row({ building: row({ code: buildingCode }), floors: z.array(row({ floor: z.number().int(), units: z.array(row({ code: unitCode, room: z.string(), use: z.string(), occupantCount: z.number().int() })) })) });

export const buildingResponses: Record<string, RouteResponses> = {
  'get /api/buildings.geojson': { 200: { description: 'Buildings in the bbox (or the jurisdiction)', contentType: GEOJSON, schema: buildingsAnswer } },
  'get /api/buildings/:code': { 200: { description: 'The building', schema: buildingDetail } },
  'get /api/drilldown/buildings/:code': { 200: { description: 'Floors → units → current occupants', schema: floorPlanAnswer } },
};
