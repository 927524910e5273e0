import { z } from 'zod';
import { row } from '../domain/contract-shapes.ts';
import type { RouteResponses } from '../http/route-registry.ts';

/**
 * What the registration and person routes answer. Person reads are outlines: their named members
 * are checked, the person fields (masked for collectors) pass as they are.
 */

const unitCode = z.string().meta({ examples: ['4403070010010100001010101'] });

export const admittedPerson = z.object({ personId: z.number().int(), personCreated: z.boolean(), residencyId: z.number().int(), registeredLate: z.boolean(), registrationExempt: z.boolean() });
export const moveInAnswer = row({ unitCode: unitCode.optional(), people: z.array(admittedPerson).optional() }).meta({ description: 'The people admitted with their new stays' });
export const moveAnswer = row({ personId: z.number().int(), fromResidencyId: z.number().int().nullable(), fromUnitCode: unitCode.nullable(), toResidencyId: z.number().int(), toUnitCode: unitCode, registeredLate: z.boolean() });
export const moveOutAnswer = row({ personId: z.number().int() });

const person = row({ id: z.number().int(), name: z.string() });
export const peopleSearchAnswer = row({ people: z.array(row({ person, currentResidence: row({ unitCode, address: z.string(), room: z.string() }).nullable() })) });
export const personAnswer = row({ person });
export const residencesAnswer = row({ residences: z.array(row({ unitCode, address: z.string(), floor: z.number().int(), room: z.string() })) });

const described = (description: string, schema: z.ZodType, status = 200): RouteResponses => ({ [status]: { description, schema } });

export const peopleResponses: Record<string, RouteResponses> = {
  'post /api/registrations/move-in': { ...described('Registered', moveInAnswer, 201), 409: { description: 'already_resident: the person lives elsewhere; register a move' } },
  'post /api/registrations/move-ins': { ...described('The household is registered', moveInAnswer, 201), 409: { description: 'A member already lives elsewhere' } },
  'post /api/registrations/move': { ...described('The old stay is closed and the new one opened', moveAnswer, 201), 409: { description: 'The move conflicts with the stays on record' } },
  'post /api/registrations/move-out': described('The stay is closed', moveOutAnswer),
  'get /api/people/search': described('The people found (audited per person)', peopleSearchAnswer),
  'get /api/people/:id': described('The person with current residence and permits', personAnswer),
  'get /api/people/:id/residences': described('Residence history, newest first', residencesAnswer),
  'patch /api/people/:id': described('The corrected person', personAnswer),
};
