import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Role } from '../db/schema.ts';
import type { AppContext } from '../context.ts';
import { authenticate } from '../auth/middleware.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Every route declares who may call it. The app mounts routes only through this registry,
 * so the authorisation-matrix test can enumerate every route with its roles.
 */
export interface RouteSpec {
  method: HttpMethod;
  path: string;
  /** 'public' routes need no login; otherwise the roles allowed (checked before the handler). */
  access: 'public' | readonly Role[];
  summary: string;
  handler: (request: Request, response: Response) => Promise<void> | void;
}

export type FeatureRoutes = (context: AppContext) => RouteSpec[];

/** Mounts the specs; `perUser` runs after authentication (e.g. the per-user rate limit). */
export function mountRoutes(context: AppContext, specs: RouteSpec[], perUser: RequestHandler[] = []): express.Router {
  const router = express.Router();
  for (const spec of specs) {
    const guards: RequestHandler[] = spec.access === 'public' ? [] : [authenticate(context, spec.access), ...perUser];
    router[spec.method](spec.path, ...guards, async (request, response) => {
      await spec.handler(request, response);
    });
  }
  return router;
}
