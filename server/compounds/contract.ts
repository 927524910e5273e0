import { z } from 'zod';
import { featureCollection, GEOJSON, row } from '../domain/contract-shapes.ts';
import type { RouteResponses } from '../http/route-registry.ts';

/** A compound with its figures; residents null (withheld) under k for roles without person data. */
export const compoundView = row({ code: z.string(), name: z.string(), residents: z.number().int().nullable(), occupancyRate: z.number().nullable() });
export const compoundList = z.object({ within: z.string().nullable(), compounds: z.array(compoundView) });
export const compoundOutlines = featureCollection(row({ code: z.string() }));

export const compoundResponses: Record<string, RouteResponses> = {
  'get /api/compounds': { 200: { description: 'The compounds in the area, with totals', schema: compoundList } },
  'get /api/compounds.geojson': { 200: { description: 'Compound outlines', contentType: GEOJSON, schema: compoundOutlines } },
  'get /api/compounds/:code': { 200: { description: 'The compound with its buildings (people with a purpose, audited)', schema: row({}) } },
};
