import { z } from 'zod';
import { buildingCode, day, gridCode } from '../domain/contract-shapes.ts';
import { rentalStatus, stayView, unitCode } from '../domain/person-shapes.ts';
import { BUILDING_STATUSES, UNIT_CHECK_REASONS, UNIT_USES } from '../domain/word-lists.ts';
import type { RouteResponses } from '../domain/contract-shapes.ts';

/** A unit as units/repository.ts findUnit reads it. */
const unitFacts = z.object({
  code: unitCode,
  buildingCode,
  gridCode,
  address: z.string(),
  floor: z.number().int(),
  room: z.string(),
  areaM2: z.number().nullable(),
  use: z.enum(UNIT_USES),
  rentalRegistered: z.boolean(),
  buildingStatus: z.enum(BUILDING_STATUSES),
});

/** One unit with its occupant count (withheld, null, under k for roles without person data). */
export const unitAnswer = unitFacts.extend({
  currentOccupants: z.number().int().nullable(),
  currentOccupantsSuppressed: z.boolean(),
});
export const unitCheckAnswer = z.object({
  unitCode,
  previousUse: z.enum(UNIT_USES),
  use: z.enum(UNIT_USES),
  clearedCheck: z.enum(UNIT_CHECK_REASONS),
  visitedOn: day,
});

/** The unit heading its occupants list (police and collectors only: the count is never withheld). */
export const unitDetail = unitFacts.extend({ currentOccupants: z.number().int(), rentalStatus });
export const occupantsAnswer = z.object({
  unit: unitDetail,
  current: z.array(stayView),
  past: z.array(stayView).meta({ description: 'Everyone who lived there before, newest stay first' }),
});

export const unitResponses: Record<string, RouteResponses> = {
  'get /api/units/:code': { 200: { description: 'The unit', schema: unitAnswer } },
  'get /api/units/:code/occupants': { 200: { description: "The unit's current and past residents", schema: occupantsAnswer } },
  'post /api/units/:code/check': { 200: { description: 'The visit is recorded and the flag cleared', schema: unitCheckAnswer } },
};
