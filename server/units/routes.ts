import type { Request } from 'express';
import { z } from 'zod';
import type { Principal } from '../auth/session.ts';
import { countOfPeopleFor } from '../domain/privacy.ts';
import { privacyThreshold } from '../heatmaps/service.ts';
import { ROLES, UNIT_USES } from '../db/schema.ts';
import { parseUnitCode } from '../http/code-params.ts';
import { notFound } from '../http/errors.ts';
import { assertInJurisdiction } from '../http/jurisdiction.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { visitDate } from '../http/validate.ts';
import { personDataRoute } from '../person-data/route-factories.ts';
import { findUnit } from './repository.ts';
import { recordUnitCheck, unitOccupants } from './service.ts';

/** The visit to a unit flagged for checking (units.to_check): the day, and the use found there. */
const unitCheckBody = (backdateDays: number) => z.strictObject({ visitedOn: visitDate(backdateDays), use: z.enum(UNIT_USES) });

function unitInJurisdiction({ principal }: { principal: Principal }, request: Request): string {
  const code = parseUnitCode(request.params.code);
  assertInJurisdiction(principal, code, 'Unit');
  return code;
}

export const unitRoutes: FeatureRoutes = (context) => [
  route({
    method: 'get',
    path: '/units/:code',
    access: ROLES,
    summary: 'One unit (room) by its 25-digit code, with its current occupant count (withheld under k for roles without person data)',
    handler: async ({ principal }, request, response) => {
      const code = unitInJurisdiction({ principal }, request);
      const unit = await findUnit(context.db, code);
      if (!unit) throw notFound('Unit', code);
      const currentOccupants = countOfPeopleFor(principal, unit.currentOccupants, await privacyThreshold(context.db));
      response.json({ ...unit, currentOccupants, currentOccupantsSuppressed: currentOccupants === null });
    },
  }),
  route({
    method: 'post',
    path: '/units/:code/check',
    access: ['police', 'collector'],
    schemas: { body: unitCheckBody(context.config.inspectionBackdateDays) },
    summary: 'Record the visit to a unit flagged for checking (move-in into a vacant unit, last occupant left): the use found there; clears the flag, audited',
    handler: async ({ body, principal }, request, response) => {
      response.json(await recordUnitCheck(context.db, principal, unitInJurisdiction({ principal }, request), body));
    },
  }),
  ...personDataRoute(
    '/units/:code/occupants',
    'A unit’s current occupants and past residents, newest first',
    undefined,
    unitInJurisdiction,
    unitOccupants,
  )(context),
];
