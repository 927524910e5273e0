import { z } from 'zod';
import { day } from './contract-shapes.ts';
import { FLOATING_TYPES, ID_TYPES, PERMIT_STATUSES, PERSON_CATEGORIES, RENTAL_STATUSES, SEXES } from './word-lists.ts';

/**
 * The person, stay and residence shapes several features answer with (people, buildings' drill-down,
 * units' occupants, permits, reports): one zod schema each, so the contracts that list people
 * (server/<feature>/contract.ts) and the web (web/src/lib/api/contracts.ts) share them. Zod only.
 */

export const unitCode = z.string().meta({ examples: ['4403070010010100001010101'] });
export const rentalStatus = z.enum(RENTAL_STATUSES);
export const permitStatus = z.enum(PERMIT_STATUSES);

/** A person as the caller may see them (person-data/visibility.ts presentPerson): ID and phone masked for all but police. */
export const personView = z.object({
  id: z.number().int(),
  idType: z.enum(ID_TYPES),
  idNumber: z.string().meta({ description: 'Masked (4403**********1234) for every role but police' }),
  name: z.string(),
  sex: z.enum(SEXES),
  birthDate: day.optional().meta({ description: 'Police only: elsewhere it would give back the masked digits of the ID number' }),
  age: z.number().int().meta({ description: 'Age in whole years today (the city’s calendar)' }),
  nationality: z.string(),
  ethnicity: z.string().nullable(),
  hukouAddress: z.string().nullable(),
  phone: z.string().nullable(),
  category: z.enum(PERSON_CATEGORIES),
  floatingType: z.enum(FLOATING_TYPES).nullable(),
  employer: z.string().nullable(),
});

/** The dates of one stay and the registration rules they break (late, never deregistered). */
export const stayDates = z.object({
  movedIn: day,
  registeredAt: day,
  movedOut: day.nullable(),
  deregisteredAt: day.nullable(),
  registrationExempt: z.boolean(),
  registeredLate: z.boolean(),
  departureUnregistered: z.boolean(),
});

/** One residency row (person-data/stays.ts StayRecord). */
export const stayRecord = stayDates.extend({ residencyId: z.number().int(), unitCode });

/** A stay with its person, as the drill-down, a unit's occupants and the reports list them (person-data/stays.ts presentStay). */
export const stayView = stayRecord.extend({ person: personView });

/** A stay with where it was (people/service.ts ResidenceView). */
export const residenceView = stayRecord.extend({ address: z.string(), floor: z.number().int(), room: z.string() });
