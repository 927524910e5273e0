import { z } from 'zod';
import { buildingCode, day, gridCode, row } from '../domain/contract-shapes.ts';
import type { RouteResponses } from '../http/route-registry.ts';

/**
 * What the registration routes answer. Person reads are outlines: their named members are
 * checked, the person fields (masked for collectors) pass as they are.
 */

const unitCode = z.string().meta({ examples: ['4403070010010100001010101'] });

export const admittedPerson = z.object({ personId: z.number().int(), personCreated: z.boolean(), residencyId: z.number().int(), registeredLate: z.boolean(), registrationExempt: z.boolean() });
export const moveInAnswer = row({ unitCode: unitCode.optional(), people: z.array(admittedPerson).optional() }).meta({ description: 'The people admitted with their new stays' });
export const moveAnswer = row({ personId: z.number().int(), fromResidencyId: z.number().int().nullable(), fromUnitCode: unitCode.nullable(), toResidencyId: z.number().int(), toUnitCode: unitCode, registeredLate: z.boolean() });
export const moveOutAnswer = row({ personId: z.number().int() });

export const permitView = z.object({
  id: z.number().int(),
  personId: z.number().int(),
  permitNo: z.string(),
  issuedOn: day,
  expiresOn: day,
  years: z.number().int(),
  status: z.string().meta({ examples: ['valid'] }),
  revokedOn: day.nullable(),
  renewedFrom: z.number().int().nullable(),
  renewalOpensOn: day,
});

const person = row({ id: z.number().int(), name: z.string() });
export const peopleSearchAnswer = row({ people: z.array(row({ person, currentResidence: row({ unitCode, address: z.string(), room: z.string() }).nullable() })) });
export const personAnswer = row({ person });
export const residencesAnswer = row({ residences: z.array(row({ unitCode, address: z.string(), floor: z.number().int(), room: z.string() })) });
export const floorPlanAnswer = row({ building: row({ code: buildingCode }), floors: z.array(row({ floor: z.number().int(), units: z.array(row({ code: unitCode, room: z.string(), use: z.string(), occupantCount: z.number().int() })) })) });
export const occupantsAnswer = row({ unit: row({ code: unitCode }).optional() });
export const reportAnswer = row({ grid: gridCode.optional(), rows: z.array(row({})).optional() });
export const expiringPermitsAnswer = row({ permits: z.array(row({})).optional() });

const described = (description: string, schema: z.ZodType, status = 200): RouteResponses => ({ [status]: { description, schema } });

export const registrationResponses: Record<string, RouteResponses> = {
  'post /api/registrations/move-in': { ...described('Registered', moveInAnswer, 201), 409: { description: 'already_resident: the person lives elsewhere; register a move' } },
  'post /api/registrations/move-ins': { ...described('The household is registered', moveInAnswer, 201), 409: { description: 'A member already lives elsewhere' } },
  'post /api/registrations/move': { ...described('The old stay is closed and the new one opened', moveAnswer, 201), 409: { description: 'The move conflicts with the stays on record' } },
  'post /api/registrations/move-out': described('The stay is closed', moveOutAnswer),
  'post /api/permits': { ...described('The permit', permitView, 201), 409: { description: 'The person already holds a valid permit' } },
  'post /api/permits/:id/renew': { ...described('The renewed permit', permitView, 201), 409: { description: 'Outside the renewal window, or not valid' } },
  'post /api/permits/:id/revoke': { ...described('The revoked permit', permitView), 409: { description: 'The permit is not valid' } },
  'get /api/permits/expiring': described('Permits expiring within the days asked, in the grid (audited per person)', expiringPermitsAnswer),
  'get /api/people/search': described('The people found (audited per person)', peopleSearchAnswer),
  'get /api/people/:id': described('The person with current residence and permits', personAnswer),
  'get /api/people/:id/residences': described('Residence history, newest first', residencesAnswer),
  'patch /api/people/:id': described('The corrected person', personAnswer),
  'get /api/drilldown/buildings/:code': described('Floors → units → current occupants', floorPlanAnswer),
  'get /api/units/:code/occupants': described("The unit's current and past residents", occupantsAnswer),
  'get /api/reports/late-registrations': described('Late registrations in the grid', reportAnswer),
  'get /api/reports/unregistered-departures': described('Departures never or late deregistered in the grid', reportAnswer),
};
