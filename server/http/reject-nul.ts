import type { RequestHandler } from 'express';
import { HttpError } from './errors.ts';

/** The first field (dotted path) holding a NUL character, searching nested objects and arrays. */
function fieldWithNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '(root)' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = fieldWithNul(child, path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

/**
 * PostgreSQL text cannot hold NUL, so such input would fail deep inside a query. Refuse it at
 * the door with a 400 that names the field, for query strings, path parameters and JSON bodies.
 */
export const rejectNulCharacters: RequestHandler = (request, _response, next) => {
  const field = fieldWithNul(request.query, '') ?? fieldWithNul(request.body, '') ?? (request.path.includes('\u0000') ? 'path' : undefined);
  if (field) {
    throw new HttpError(400, 'invalid_request', `${field} contains a NUL character`, { fields: [{ field, message: 'contains a NUL character' }] });
  }
  next();
};
