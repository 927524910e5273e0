import { z } from 'zod';
import { principalOf } from '../auth/session.ts';
import { checkUnitCode } from '../domain/codes.ts';
import { countOfPeopleFor } from '../domain/privacy.ts';
import { privacyThreshold } from '../heatmaps/service.ts';
import { ROLES, UNIT_USES } from '../db/schema.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { assertInJurisdiction } from '../http/jurisdiction.ts';
import type { FeatureRoutes } from '../http/route-registry.ts';
import { parseBody, visitDate } from '../http/validate.ts';
import { recordUnitCheck } from '../registrations/unit-checks.ts';
import { findUnit } from './repository.ts';

export function parseUnitCode(code: unknown): string {
  const check = checkUnitCode(code);
  if (!check.ok) throw badRequest('invalid_unit_code', check.message ?? 'Invalid unit code', { part: check.badPart });
  return code as string;
}

/** The visit to a unit flagged for checking (units.to_check): the day, and the use found there. */
const unitCheckBody = (backdateDays: number) => z.strictObject({ visitedOn: visitDate(backdateDays), use: z.enum(UNIT_USES) });

export const unitRoutes: FeatureRoutes = (context) => [
  {
    method: 'get',
    path: '/units/:code',
    access: ROLES,
    summary: 'One unit (room) by its 25-digit code, with its current occupant count (withheld under k for roles without person data)',
    handler: async (request, response) => {
      const code = parseUnitCode(request.params.code);
      const principal = principalOf(request);
      assertInJurisdiction(principal, code, 'Unit');
      const unit = await findUnit(context.db, code);
      if (!unit) throw notFound('Unit', code);
      const currentOccupants = countOfPeopleFor(principal, unit.currentOccupants, await privacyThreshold(context.db));
      response.json({ ...unit, currentOccupants, currentOccupantsSuppressed: currentOccupants === null });
    },
  },
  {
    method: 'post',
    path: '/units/:code/check',
    access: ['police', 'collector'],
    schemas: { body: unitCheckBody(context.config.inspectionBackdateDays) },
    summary: 'Record the visit to a unit flagged for checking (move-in into a vacant unit, last occupant left): the use found there; clears the flag, audited',
    handler: async (request, response) => {
      const code = parseUnitCode(request.params.code);
      const principal = principalOf(request);
      assertInJurisdiction(principal, code, 'Unit');
      const body = parseBody(unitCheckBody(context.config.inspectionBackdateDays), request);
      response.json(await recordUnitCheck(context.db, principal, code, body));
    },
  },
];
