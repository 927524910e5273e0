import { principalOf } from '../auth/session.ts';
import { checkUnitCode } from '../domain/codes.ts';
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
    summary: 'One unit (room) by its 25-digit code, with its current occupant count',
    handler: async (request, response) => {
      const code = parseUnitCode(request.params.code);
      assertInJurisdiction(principalOf(request), code, 'Unit');
      const unit = await findUnit(context.db, code);
      if (!unit) throw notFound('Unit', code);
      response.json(unit);
    },
  },
];
