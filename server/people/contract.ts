import { z } from 'zod';
import { day, row } from '../domain/contract-shapes.ts';
import { permitStatus, personView, residenceView, unitCode } from '../domain/person-shapes.ts';
import type { RouteResponses } from '../domain/contract-shapes.ts';

/**
 * What the registration and person routes answer. Person reads list people as the caller may see
 * them (domain/person-shapes.ts personView: masked for all but police).
 */

export const admittedPerson = z.object({
  personId: z.number().int(),
  personCreated: z.boolean(),
  residencyId: z.number().int(),
  registeredLate: z.boolean(),
  registrationExempt: z.boolean(),
});
export const moveInAnswer = row({ unitCode: unitCode.optional(), people: z.array(admittedPerson).optional() }).meta({
  description: 'The people admitted with their new stays',
});
export const moveAnswer = row({
  personId: z.number().int(),
  fromResidencyId: z.number().int().nullable(),
  fromUnitCode: unitCode.nullable(),
  toResidencyId: z.number().int(),
  toUnitCode: unitCode,
  registeredLate: z.boolean(),
});
export const moveOutAnswer = row({ personId: z.number().int() });

/** Where a person found by a search lives now; null outside the caller's jurisdiction (collectors). */
const currentHome = z.object({ unitCode, address: z.string(), room: z.string() });
export const peopleSearchAnswer = z.object({
  hits: z.array(z.object({ person: personView, currentResidence: currentHome.nullable() })),
  truncated: z.boolean().meta({ description: 'More people matched than one answer lists: narrow the search' }),
});

/** A permit as a person's record lists it (people/repository.ts permitsOf). */
export const personPermit = z.object({
  id: z.number().int(),
  permitNo: z.string(),
  issuedOn: day,
  expiresOn: day,
  years: z.number().int(),
  status: permitStatus,
  revokedOn: day.nullable(),
});
export const personAnswer = z.object({ person: personView, currentResidence: residenceView.nullable(), permits: z.array(personPermit) });
export const correctionAnswer = z.object({
  person: personView,
  changedFields: z.array(z.string()).meta({ description: 'The fields the correction changed, as the request names them' }),
});
export const residencesAnswer = z.object({ personId: z.number().int(), residences: z.array(residenceView) });

const described = (description: string, schema: z.ZodType, status = 200): RouteResponses => ({ [status]: { description, schema } });

export const peopleResponses: Record<string, RouteResponses> = {
  'post /api/registrations/move-in': {
    ...described('Registered', moveInAnswer, 201),
    409: { description: 'already_resident: the person lives elsewhere; register a move' },
  },
  'post /api/registrations/move-ins': {
    ...described('The household is registered', moveInAnswer, 201),
    409: { description: 'A member already lives elsewhere' },
  },
  'post /api/registrations/move': {
    ...described('The old stay is closed and the new one opened', moveAnswer, 201),
    409: { description: 'The move conflicts with the stays on record' },
  },
  'post /api/registrations/move-out': described('The stay is closed', moveOutAnswer),
  'get /api/people/search': described('The people found (audited per person)', peopleSearchAnswer),
  'get /api/people/:id': described('The person with current residence and permits', personAnswer),
  'get /api/people/:id/residences': described('Residence history, newest first', residencesAnswer),
  'patch /api/people/:id': described('The corrected person and the fields changed', correctionAnswer),
};
