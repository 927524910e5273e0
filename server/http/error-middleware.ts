import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpError } from './errors.ts';
import { chineseOf, fieldChinese } from './messages-zh.ts';
import { logger } from '../logger.ts';

// Postgres SQLSTATEs answered as the client's or the moment's problem, with what to say: a refused
// change, or a read (or write) that ran past the statement timeout.
const REFUSED = (code: string) => `The database refused the change (${code})`;
const DATA_NODE_UNAVAILABLE =
  'Part of the data is on a database node that cannot be reached now (data_node_unavailable): nothing was changed; try again in a moment';
const DATABASE_STATES: Record<string, [number, string, string]> = {
  '23505': [409, 'conflict', REFUSED('conflict')],
  '23503': [409, 'reference_missing', REFUSED('reference_missing')],
  '23514': [400, 'constraint_violation', REFUSED('constraint_violation')],
  '22P02': [400, 'invalid_value', REFUSED('invalid_value')],
  '22007': [400, 'invalid_value', REFUSED('invalid_value')],
  '22008': [400, 'invalid_value', REFUSED('invalid_value')],
  '57014': [503, 'query_timeout', 'The database took too long to answer (query_timeout): choose a smaller area or period, or try again later'],
  // On a Citus cluster (docs/citus.md): a worker holding part of the data cannot be reached. The
  // statement failed as a whole, so a write changed nothing; the coordinator connects again by itself.
  '08001': [503, 'data_node_unavailable', DATA_NODE_UNAVAILABLE],
  '08006': [503, 'data_node_unavailable', DATA_NODE_UNAVAILABLE],
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
    if (code === 'XX000' && CITUS_NODE_LOST.test(String((error as { message?: unknown }).message))) return '08006';
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * Citus reports a worker lost in the middle of a write's distributed transaction (its cached
 * connection closed when the worker stopped) without a SQLSTATE of its own (XX000); the write was
 * rolled back as a whole, as with 08006.
 */
const CITUS_NODE_LOST = /^failure on connection marked as essential: /;

type FieldEntry = { field?: unknown; code?: unknown; messageZh?: unknown };

/** Every field a 4xx names gets its Chinese too: a field from a rule that wrote only English gets its code's. */
function withChineseFields(details: unknown, status: number): unknown {
  const fields = (details as { fields?: unknown } | undefined)?.fields;
  if (!Array.isArray(fields)) return details;
  const described = fields.map((entry: FieldEntry) => {
    if (typeof entry !== 'object' || entry === null || (typeof entry.messageZh === 'string' && entry.messageZh.length > 0)) return entry;
    return { ...entry, messageZh: fieldChinese(String(entry.field ?? ''), String(entry.code ?? 'invalid'), status) };
  });
  return { ...(details as object), fields: described };
}

type ErrorResponse = Parameters<ErrorRequestHandler>[2];

/** The OGC API answers its errors as RFC 7807 problem details, as OGC API Features recommends. */
const isOgc = (response: ErrorResponse) => /^\/ogc(\/|\?|$)/.test(response.req.originalUrl);

/**
 * An RFC 7807 problem: type (a URN per error code), title, status and detail, with the API's own
 * members beside them (code, detailZh, and the details such as the fields a 400 names).
 */
function sendProblem(response: ErrorResponse, status: number, code: string, message: string, messageZh: string, details: unknown): void {
  const extra = typeof details === 'object' && details !== null && !Array.isArray(details) ? details : {};
  const problem = { ...extra, type: `urn:renwu:error:${code}`, title: STATUS_CODES[status] ?? 'Error', status, detail: message, code, detailZh: messageZh };
  response.status(status).type('application/problem+json').send(JSON.stringify(problem));
}

/** The one shape of every error answer: { error: { code, message, messageZh, details } } (a problem under /ogc). */
function sendError(response: ErrorResponse, status: number, code: string, message: string, details?: unknown): void {
  const messageZh = chineseOf(code, status);
  const described = details === undefined ? undefined : withChineseFields(details, status);
  if (isOgc(response)) sendProblem(response, status, code, message, messageZh, described);
  else response.status(status).json({ error: { code, message, messageZh, ...(described === undefined ? {} : { details: described }) } });
}

/** Renders every error, in English and Chinese; never leaks stacks or SQL. */
export const errorMiddleware: ErrorRequestHandler = (error, request, response, _next) => {
  if (error instanceof HttpError) {
    sendError(response, error.status, error.code, error.message, error.details);
    return;
  }
  const refusedBody = bodyRefusal(error);
  if (refusedBody) {
    const [status, code, message] = refusedBody;
    sendError(response, status, code, message);
    return;
  }
  const mapped = DATABASE_STATES[sqlState(error) ?? ''];
  if (mapped) {
    const [status, code, message] = mapped;
    const constraint = (error as { constraint?: string }).constraint;
    sendError(response, status, code, message, { constraint });
    return;
  }
  logger.error('unhandled error', { method: request.method, path: request.path, error: String(error) });
  sendError(response, 500, 'internal', 'Internal error');
};

export const notFoundMiddleware: RequestHandler = (request, response) => {
  sendError(response, 404, 'no_route', `No route ${request.method} ${request.path}`);
};
