import { z } from 'zod';
import { buildingCode, featureCollection, gridCode, GEOJSON } from '../domain/contract-shapes.ts';
import { rentalStatus, stayView, unitCode } from '../domain/person-shapes.ts';
import { BUILDING_STATUSES, BUILDING_USES, MANAGEMENT_MODES, UNIT_USES } from '../domain/word-lists.ts';
import type { RouteResponses } from '../domain/contract-shapes.ts';

export const buildingFeatureProperties = z.object({ code: buildingCode, use: z.string(), floors: z.number().int(), status: z.string(), address: z.string() });
export const buildingsAnswer = featureCollection(buildingFeatureProperties, {
  truncated: z.boolean().meta({ description: 'More buildings than one answer holds: zoom in' }),
});

/** What every view of a building starts with. */
export const buildingSummary = z.object({
  code: buildingCode,
  gridCode,
  address: z.string(),
  floors: z.number().int(),
  use: z.enum(BUILDING_USES),
  managementMode: z.enum(MANAGEMENT_MODES),
  status: z.enum(BUILDING_STATUSES),
});

/** One building (landlordName null for roles without person data). */
export const buildingDetail = buildingSummary.extend({
  hasAccessControl: z.boolean(),
  hasVideo: z.boolean(),
  responsibilityLetterSigned: z.boolean(),
  landlordName: z.string().nullable(),
  point: z.tuple([z.number(), z.number()]).meta({ description: '[longitude, latitude], WGS 84', examples: [[114.2, 22.6]] }),
  unitCount: z.number().int(),
});

/** One unit of the floor plan with its current occupants (buildings/service.ts UnitPlan). */
export const unitPlan = z.object({
  code: unitCode,
  room: z.string(),
  use: z.enum(UNIT_USES),
  rentalStatus,
  areaM2: z.number().nullable(),
  occupantCount: z.number().int(),
  occupants: z.array(stayView),
});

/** Units, occupied units and occupants of a floor or the whole building (buildings/service.ts FloorCounts). */
export const floorCounts = z.object({
  unitCount: z.number().int(),
  occupiedUnitCount: z.number().int(),
  occupantCount: z.number().int(),
  unitsByUse: z.record(z.enum(UNIT_USES), z.number().int()),
  rentals: z.object({ registered: z.number().int(), unregistered: z.number().int() }),
});

/** The police drill-down: floors → units → current occupants, every floor from the lowest with units to the top. */
export const floorPlanAnswer = z.object({
  building: buildingSummary,
  totals: floorCounts,
  floors: z.array(floorCounts.extend({ floor: z.number().int(), units: z.array(unitPlan) })),
});

export const buildingResponses: Record<string, RouteResponses> = {
  'get /api/buildings.geojson': { 200: { description: 'Buildings in the bbox (or the jurisdiction)', contentType: GEOJSON, schema: buildingsAnswer } },
  'get /api/buildings/:code': { 200: { description: 'The building', schema: buildingDetail } },
  'get /api/drilldown/buildings/:code': { 200: { description: 'Floors → units → current occupants', schema: floorPlanAnswer } },
};
