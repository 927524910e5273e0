import { z } from 'zod';
import { buildingCode, featureCollection, GEOJSON, gridCode, type RouteResponses, row } from '../domain/contract-shapes.ts';
import { BUILDING_STATUSES, BUILDING_USES, MANAGEMENT_MODES } from '../domain/word-lists.ts';

/** A compound's figures over its buildings; residents null (withheld) under k for roles without person data. */
export const compoundTotals = z.object({
  buildings: z.number().int(),
  units: z.number().int(),
  occupiedUnits: z.number().int(),
  letUnits: z.number().int(),
  rentalHouses: z.number().int(),
  residents: z.number().int().nullable(),
  occupancyRate: z.number().nullable().meta({ description: 'Occupied units ÷ units, in percent; null for a compound without units' }),
});
const compoundName = { code: z.string().meta({ examples: ['440307001001-01'] }), name: z.string(), communityCode: z.string() };
export const compoundView = compoundTotals.extend(compoundName);
export const compoundList = z.object({ within: z.string().nullable(), compounds: z.array(compoundView) });
export const compoundOutlines = featureCollection(z.object({ ...compoundName, buildings: z.number().int() }));

/** What every view of a building starts with (the building drill-down's header). */
export const buildingHeader = z.object({
  code: buildingCode,
  gridCode,
  address: z.string(),
  floors: z.number().int(),
  use: z.enum(BUILDING_USES),
  managementMode: z.enum(MANAGEMENT_MODES),
  status: z.enum(BUILDING_STATUSES),
});
/** One building of a compound: its floor plan (floors, units; people for police and collectors only). */
export const compoundBuilding = row({
  building: buildingHeader,
  totals: row({ unitCount: z.number().int(), occupiedUnitCount: z.number().int(), occupantCount: z.number().int().nullable() }),
  floors: z.array(row({ floor: z.number().int() })),
});
export const compoundDrilldown = z.object({ compound: z.object(compoundName), totals: compoundTotals, buildings: z.array(compoundBuilding) });

export const compoundResponses: Record<string, RouteResponses> = {
  'get /api/compounds': { 200: { description: 'The compounds in the area, with totals', schema: compoundList } },
  'get /api/compounds.geojson': { 200: { description: 'Compound outlines', contentType: GEOJSON, schema: compoundOutlines } },
  'get /api/compounds/:code': { 200: { description: 'The compound with its buildings (people with a purpose, audited)', schema: compoundDrilldown } },
};
