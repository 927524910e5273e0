import express, { type Request, type RequestHandler } from 'express';
import { urlPathOf, type RouteSpec } from './route-registry.ts';

/** The JSON body limit of every route but uploads (which stream theirs to disk). */
export const JSON_BODY_LIMIT = '1mb';

/**
 * express.json for every request except those of routes that read their body themselves
 * (readsOwnBody: uploads), which must find it unread; those routes decide what they accept.
 */
export function jsonBodies(routes: readonly RouteSpec[]): RequestHandler {
  const parseJson = express.json({ limit: JSON_BODY_LIMIT });
  const unread = new WeakSet<Request>();
  const streamedRoutes = express.Router();
  for (const spec of routes.filter((candidate) => candidate.readsOwnBody)) {
    streamedRoutes[spec.method](urlPathOf(spec), (request, _response, next) => {
      unread.add(request);
      next();
    });
  }
  return (request, response, next) => {
    streamedRoutes(request, response, (error?: unknown) => {
      if (error) next(error);
      else if (unread.has(request)) next();
      else parseJson(request, response, next);
    });
  };
}
