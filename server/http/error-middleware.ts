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

// What express.json (body-parser) refuses, by its error type: the client's fault, never a 500.
const BODY_REFUSALS: Record<string, [number, string, string]> = {
  'entity.too.large': [413, 'body_too_large', 'Request body is too large'],
  'entity.parse.failed': [400, 'invalid_json', 'Request body is not valid JSON'],
  'charset.unsupported': [415, 'unsupported_charset', 'A JSON body must be UTF-8: send Content-Type: application/json or application/json; charset=utf-8'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'Content-Encoding must be identity, gzip, deflate or br'],
  'request.aborted': [400, 'request_aborted', 'The request body was cut off'],
  'request.size.invalid': [400, 'invalid_body_size', 'The request body is not as long as its Content-Length says'],
};

/** A refused body as [status, code, message]; the body parser's other typed client errors keep their own 4xx. */
function bodyRefusal(error: unknown): [number, string, string] | undefined {
  const { type, status, expose, message } = error as { type?: unknown; status?: unknown; expose?: unknown; message?: unknown };
  const known = typeof type === 'string' ? BODY_REFUSALS[type] : undefined;
  if (known) return known;
  const clientError = typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500 && expose === true;
  return clientError ? [status, 'bad_request', typeof message === 'string' ? message : 'Bad request'] : undefined;
}

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
  const refusedBody = bodyRefusal(error);
  if (refusedBody) {
    const [status, code, message] = refusedBody;
    response.status(status).json({ error: { code, message } });
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
