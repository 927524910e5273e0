import { z } from 'zod';
import { areaCode, featureCollection, GEOJSON, type RouteResponses } from '../domain/contract-shapes.ts';
import { AREA_LEVELS } from '../domain/word-lists.ts';

export const areaProperties = z.object({
  code: areaCode,
  name: z.string().meta({ examples: ['南湾街道'] }),
  level: z.enum(AREA_LEVELS),
  parentCode: z.string().nullable(),
  areaKm2: z.number().optional().meta({ description: 'Grids only' }),
});
export const areasAnswer = featureCollection(areaProperties);

export const areaResponses: Record<string, RouteResponses> = {
  'get /api/areas': { 200: { description: 'The areas of the level within the jurisdiction', contentType: GEOJSON, schema: areasAnswer } },
};
