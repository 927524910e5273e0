import { z } from 'zod';
import type { FeatureRoutes } from '../http/route-registry.ts';
import { permitRoutes } from './permit-routes.ts';
import { readRoutes } from './read-routes.ts';
import { registrationRoute, type Registrar } from './route-factories.ts';
import { calendarDate } from '../http/validate.ts';
import { exactlyOnePerson, exactlyOnePersonIssue, personInput, personReference, unitCode } from './schemas.ts';
import { registerMove, registerMoveIn, registerMoveOut } from './service.ts';

/** The largest household one form registers at once (a dormitory room uses several forms). */
const MAX_FAMILY = 20;

const moveInCommon = {
  unitCode,
  movedIn: calendarDate,
  registeredAt: calendarDate.optional(),
  confirmUnitUse: z
    .boolean()
    .optional()
    .describe('true: register even though the unit is recorded as a shop (商铺); without it such a move-in answers 409 confirmation_required, details.unitUse naming the use'),
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
  ...registrationRoute('/registrations/move-in',
    'Register one person moving into a unit (created or matched by ID/passport number); 409 already_resident if they live elsewhere',
    moveInBody, 201, moveInOne)(context),
  ...registrationRoute('/registrations/move-ins', 'Register a household moving into one unit: all people or none', familyMoveInBody, 201, moveInHousehold)(context),
  ...registrationRoute('/registrations/move', 'Register a move between units: closes the current stay and opens the new one in one transaction',
    moveBody, 201, registerMove)(context),
  ...registrationRoute('/registrations/move-out', 'Register a departure (foundAbsent: the person left without deregistering)', moveOutBody, 200, registerMoveOut)(context),
];

export const registrationsRoutes: FeatureRoutes = (context) => [...registrationRoutes(context), ...permitRoutes(context), ...readRoutes(context)];
