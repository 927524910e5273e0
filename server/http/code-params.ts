import { checkBuildingCode, checkUnitCode } from '../domain/codes.ts';
import { badRequest } from './errors.ts';

/**
 * Building and unit codes taken from a URL path: 400 invalid_building_code / invalid_unit_code
 * naming the bad part. Several features read them (buildings, units, rentals), so they live here.
 */

export function parseBuildingCode(code: unknown): string {
  const check = checkBuildingCode(code);
  if (!check.ok) throw badRequest('invalid_building_code', check.message ?? 'Invalid building code', { part: check.badPart });
  return code as string;
}

export function parseUnitCode(code: unknown): string {
  const check = checkUnitCode(code);
  if (!check.ok) throw badRequest('invalid_unit_code', check.message ?? 'Invalid unit code', { part: check.badPart });
  return code as string;
}
