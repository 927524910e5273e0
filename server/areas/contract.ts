import { z } from 'zod';
import { areaCode, featureCollection, GEOJSON } from '../domain/contract-shapes.ts';
import type { RouteResponses } from '../http/route-registry.ts';

export const areaProperties = z.object({
  code: areaCode,
  name: z.string().meta({ examples: ['南湾街道'] }),
  level: z.enum(['district', 'street', 'community', 'grid']),
  parentCode: z.string().nullable(),
  areaKm2: z.number().optional().meta({ description: 'Grids only' }),
});
export const areasAnswer = featureCollection(areaProperties);

export const areaResponses: Record<string, RouteResponses> = {
  'get /api/areas': { 200: { description: 'The areas of the level within the jurisdiction', contentType: GEOJSON, schema: areasAnswer } },
};
