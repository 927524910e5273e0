import { principalOf } from '../auth/session.ts';
import { checkUnitCode } from '../domain/codes.ts';
import { countOfPeopleFor } from '../domain/privacy.ts';
import { privacyThreshold } from '../heatmaps/service.ts';
import { ROLES } from '../db/schema.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { assertInJurisdiction } from '../http/jurisdiction.ts';
import type { FeatureRoutes } from '../http/route-registry.ts';
import { findUnit } from './repository.ts';

export function parseUnitCode(code: unknown): string {
  const check = checkUnitCode(code);
  if (!check.ok) throw badRequest('invalid_unit_code', check.message ?? 'Invalid unit code', { part: check.badPart });
  return code as string;
}

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
];
