import { isWithinJurisdiction } from '../domain/codes.ts';
import type { Principal } from '../auth/session.ts';
import { HttpError } from './errors.ts';

// Roles whose access to single buildings, units and people is bounded by their jurisdiction.
const BOUNDED_ROLES = new Set(['police', 'collector']);

/**
 * Object-level check for a code taken from a URL or body. It answers 404, not 403, so that
 * guessing codes outside one's area reveals nothing about whether they exist.
 */
export function assertInJurisdiction(principal: Principal, code: string, what: string): void {
  if (!BOUNDED_ROLES.has(principal.role)) return;
  if (!isWithinJurisdiction(code, principal.jurisdiction)) throw new HttpError(404, 'not_found', `${what} ${code} not found`);
}
