import { z } from 'zod';
import { buildingCode, day, row } from '../domain/contract-shapes.ts';
import type { RouteResponses } from '../http/route-registry.ts';

const unitCode = z.string().meta({ examples: ['4403070010010100001010101'] });
/** One unit with its occupant count (withheld, null, under k for roles without person data). */
export const unitAnswer = z.object({
  code: unitCode,
  buildingCode,
  gridCode: z.string(),
  address: z.string(),
  floor: z.number().int(),
  room: z.number().int(),
  areaM2: z.number().nullable(),
  use: z.string(),
  rentalRegistered: z.boolean(),
  buildingStatus: z.string(),
  currentOccupants: z.number().int().nullable(),
  currentOccupantsSuppressed: z.boolean(),
});
export const unitCheckAnswer = z.object({ unitCode, previousUse: z.string(), use: z.string(), clearedCheck: z.string().nullable(), visitedOn: day });

export const occupantsAnswer = row({ unit: row({ code: unitCode }).optional() });

export const unitResponses: Record<string, RouteResponses> = {
  'get /api/units/:code': { 200: { description: 'The unit', schema: unitAnswer } },
  'get /api/units/:code/occupants': { 200: { description: "The unit's current and past residents", schema: occupantsAnswer } },
  'post /api/units/:code/check': { 200: { description: 'The visit is recorded and the flag cleared', schema: unitCheckAnswer } },
};
