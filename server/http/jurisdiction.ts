import { isWithinJurisdiction } from '../domain/codes.ts';
import type { Principal } from '../auth/session.ts';
import type { CodePrefixes } from '../db/code-prefix.ts';
import { HttpError } from './errors.ts';

/**
 * Object-level check for a code taken from a URL or body. It answers 404, not 403, so that
 * guessing codes outside one's area reveals nothing about whether they exist.
 */
export function assertInJurisdiction(principal: Principal, code: string, what: string): void {
  const prefixes = visiblePrefixes(principal);
  if (prefixes !== null && !isWithinJurisdiction(code, prefixes)) throw new HttpError(404, 'not_found', `${what} ${code} not found`);
}

/**
 * The code prefixes a caller's reads are bounded to. Every role is bounded, aggregates included:
 * a leader of one community sees that community's cells, KPIs, tiles and exports, not the district's.
 */
export function visiblePrefixes(principal: Principal): CodePrefixes {
  return principal.jurisdiction;
}
