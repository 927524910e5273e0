import { z } from 'zod';
import { normalizeIdNumber } from '../domain/id-number.ts';
import { PERSON_SEARCH_KEYS as SEARCH_KEYS } from '../domain/word-lists.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { calendarDate, textNumber } from '../http/validate.ts';
import { assertCodeInJurisdiction, REGISTRARS } from '../person-data/guards.ts';
import { personDataRoute, recordActionRoute, registrationRoute, type Registrar } from '../person-data/route-factories.ts';
import {
  exactlyOnePerson,
  exactlyOnePersonIssue,
  idNumber,
  idParams,
  personCorrection,
  personInput,
  personReference,
  purpose,
  unitCode,
} from '../person-data/schemas.ts';
import type { PersonSearch } from './repository.ts';
import { correctPerson, readPerson, readResidenceHistory, registerMove, registerMoveIn, registerMoveOut, searchPeople } from './service.ts';

/** The largest household one form registers at once (a dormitory room uses several forms). */
const MAX_FAMILY = 20;

const moveInCommon = {
  unitCode,
  movedIn: calendarDate,
  registeredAt: calendarDate.optional(),
  confirmUnitUse: z
    .boolean()
    .optional()
    .describe(
      'true: register even though the unit is recorded as a shop (商铺); without it such a move-in answers 409 confirmation_required, details.unitUse naming the use',
    ),
};
const moveInBody = z.strictObject({ ...moveInCommon, person: personInput });
const familyMoveInBody = z.strictObject({ ...moveInCommon, people: z.array(personInput).min(1).max(MAX_FAMILY) });
const moveBody = z
  .strictObject({ ...personReference, toUnitCode: unitCode, movedOn: calendarDate, registeredAt: calendarDate.optional() })
  .refine(exactlyOnePerson, exactlyOnePersonIssue);
const moveOutBody = z
  .strictObject({ ...personReference, movedOut: calendarDate, registeredAt: calendarDate.optional(), foundAbsent: z.boolean().default(false) })
  .refine(exactlyOnePerson, exactlyOnePersonIssue);

const moveInOne: Registrar<z.infer<typeof moveInBody>> = async (db, principal, body, today) => {
  const [admitted] = await registerMoveIn(db, principal, { ...body, arrivals: [{ field: 'person', person: body.person }] }, today);
  return admitted;
};

const moveInHousehold: Registrar<z.infer<typeof familyMoveInBody>> = async (db, principal, body, today) => {
  const arrivals = body.people.map((person, index) => ({ field: `people.${index}`, person }));
  return { people: await registerMoveIn(db, principal, { ...body, arrivals }, today) };
};

const registrationRoutes: FeatureRoutes = (context) => [
  ...registrationRoute(
    '/registrations/move-in',
    'Register one person moving into a unit (created or matched by ID/passport number); 409 already_resident if they live elsewhere',
    moveInBody,
    201,
    moveInOne,
  )(context),
  ...registrationRoute(
    '/registrations/move-ins',
    'Register a household moving into one unit: all people or none',
    familyMoveInBody,
    201,
    moveInHousehold,
  )(context),
  ...registrationRoute(
    '/registrations/move',
    'Register a move between units: closes the current stay and opens the new one in one transaction',
    moveBody,
    201,
    registerMove,
  )(context),
  ...registrationRoute(
    '/registrations/move-out',
    'Register a departure (foundAbsent: the person left without deregistering)',
    moveOutBody,
    200,
    registerMoveOut,
  )(context),
];

const searchQuery = z
  .object({
    purpose,
    idNumber: idNumber.optional(),
    name: z.string().trim().min(1).max(100).optional(),
    birthYear: textNumber(z.number().int().min(1880).max(2200)).optional(),
    address: z.string().trim().min(2).max(100).optional(),
    code: z
      .string()
      .regex(/^\d{14,25}$/, 'must be the first 14 to 25 digits of a unit code (grid, building or unit)')
      .optional(),
  })
  .superRefine((query, issues) => {
    if (SEARCH_KEYS.filter((key) => query[key] !== undefined).length !== 1) {
      issues.addIssue({
        code: 'custom',
        path: ['(root)'],
        message: `search by exactly one of ${SEARCH_KEYS.join(', ')}`,
        params: { code: 'one_search_key', zh: `只能按 ${SEARCH_KEYS.join('、')} 中的一项查询` },
      });
    }
    if (query.birthYear !== undefined && query.name === undefined) {
      issues.addIssue({
        code: 'custom',
        path: ['birthYear'],
        message: 'birthYear narrows a name search only',
        params: { code: 'name_search_only', zh: '出生年份只能配合姓名查询使用' },
      });
    }
  });

function toSearch(query: z.infer<typeof searchQuery>): PersonSearch {
  if (query.idNumber !== undefined) return { by: 'idNumber', idNumber: normalizeIdNumber(query.idNumber) };
  if (query.name !== undefined) return { by: 'name', name: query.name, birthYear: query.birthYear };
  if (query.address !== undefined) return { by: 'address', address: query.address };
  return { by: 'code', code: query.code! };
}

const personId = ({ params }: { params: z.output<typeof idParams> }) => params.id;

const personRoutes: FeatureRoutes = (context) => [
  route({
    method: 'get',
    path: '/people/search',
    access: REGISTRARS,
    summary: 'Find people in one’s jurisdiction by idNumber, name (+birthYear), address or code; purpose required, audited',
    schemas: { query: searchQuery },
    handler: async ({ query, principal }, _request, response) => {
      if (query.code !== undefined) assertCodeInJurisdiction(principal, query.code, 'code', 'Code');
      response.json(await searchPeople(context.db, principal, toSearch(query), query.purpose));
    },
  }),
  ...personDataRoute('/people/:id', 'One person with current residence and permits (collectors: masked ID and phone)', idParams, personId, readPerson)(context),
  ...personDataRoute(
    '/people/:id/residences',
    'A person’s residence history, newest first (collectors: stays in their grids only)',
    idParams,
    personId,
    readResidenceHistory,
  )(context),
  ...recordActionRoute(
    'patch',
    '/people/:id',
    'Correct a person’s fields (reason required); only changed field names are audited',
    personCorrection,
    200,
    correctPerson,
  )(context),
];

/** Registration forms first; `/people/search` before `/people/:id`, which would take "search" for an id. */
export const peopleRoutes: FeatureRoutes = (context) => [...registrationRoutes(context), ...personRoutes(context)];
