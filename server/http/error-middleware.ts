import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpError } from './errors.ts';
import { logger } from '../logger.ts';

// Postgres SQLSTATEs that mean the client sent something the constraints refuse.
const CONSTRAINT_STATES: Record<string, [number, string]> = {
  '23505': [409, 'conflict'],
  '23503': [409, 'reference_missing'],
  '23514': [400, 'constraint_violation'],
  '22P02': [400, 'invalid_value'],
  '22007': [400, 'invalid_value'],
  '22008': [400, 'invalid_value'],
  '57014': [503, 'query_timeout'],
};

function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** Renders every error as { error: { code, message, details } }; never leaks stacks or SQL. */
export const errorMiddleware: ErrorRequestHandler = (error, request, response, _next) => {
  if (error instanceof HttpError) {
    response.status(error.status).json({ error: { code: error.code, message: error.message, details: error.details } });
    return;
  }
  const bodyError = error as { type?: string; status?: number };
  if (bodyError.type === 'entity.too.large') {
    response.status(413).json({ error: { code: 'body_too_large', message: 'Request body is too large' } });
    return;
  }
  if (bodyError.type === 'entity.parse.failed') {
    response.status(400).json({ error: { code: 'invalid_json', message: 'Request body is not valid JSON' } });
    return;
  }
  const mapped = CONSTRAINT_STATES[sqlState(error) ?? ''];
  if (mapped) {
    const [status, code] = mapped;
    const constraint = (error as { constraint?: string }).constraint;
    response.status(status).json({ error: { code, message: `The database refused the change (${code})`, details: { constraint } } });
    return;
  }
  logger.error('unhandled error', { method: request.method, path: request.path, error: String(error) });
  response.status(500).json({ error: { code: 'internal', message: 'Internal error' } });
};

export const notFoundMiddleware: RequestHandler = (request, response) => {
  response.status(404).json({ error: { code: 'no_route', message: `No route ${request.method} ${request.path}` } });
};
