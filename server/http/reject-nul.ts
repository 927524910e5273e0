import type { RequestHandler } from 'express';
import { HttpError } from './errors.ts';

/** No request of this API nests deeper; a JSON body 10,000 arrays deep is an attack, not data. */
export const MAX_BODY_DEPTH = 32;

type Finding = { field: string; message: string; zh: string };

const refused = ({ field, message, zh }: Finding) =>
  new HttpError(400, 'invalid_request', `${field} ${message}`, { fields: [{ field, code: 'invalid', message, messageZh: `${field}：${zh}` }] });

/**
 * The first field (dotted path) holding a NUL character, or the first nested deeper than
 * MAX_BODY_DEPTH. Walked with an explicit stack, so no input can overflow the call stack.
 */
function firstBadField(root: unknown): Finding | undefined {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 0 }];
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { field: path || '(root)', message: 'contains a NUL character', zh: '含有空字符（NUL）' };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH)
      return { field: path || '(root)', message: `nests more than ${MAX_BODY_DEPTH} levels deep`, zh: `嵌套超过 ${MAX_BODY_DEPTH} 层` };
    const children = Object.entries(value).reverse();
    for (const [key, child] of children) pending.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
  }
  return undefined;
}

/**
 * PostgreSQL text cannot hold NUL, so such input would fail deep inside a query; and a body
 * nested thousands deep would exhaust the stack of whatever walks it. Refuse both at the door
 * with a 400 that names the field, for query strings, path parameters and JSON bodies.
 */
export const rejectNulCharacters: RequestHandler = (request, _response, next) => {
  const finding =
    firstBadField(request.query) ??
    firstBadField(request.body) ??
    (request.path.includes('\u0000') ? { field: 'path', message: 'contains a NUL character', zh: '含有空字符（NUL）' } : undefined);
  if (finding) throw refused(finding);
  next();
};
