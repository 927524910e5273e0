import express, { type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
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
  /** Where `path` hangs: '/api' (the default) or '/' for the standard URLs GIS clients expect (/tiles, /ogc). */
  mount?: MountPoint;
  /** The zod schemas the handler parses with; the OpenAPI document is generated from these same objects. */
  schemas?: RouteSchemas;
}

export type MountPoint = '/api' | '/';
export interface RouteSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

export type FeatureRoutes = (context: AppContext) => RouteSpec[];

export const mountOf = (spec: RouteSpec): MountPoint => spec.mount ?? '/api';
/** The URL path a spec answers at, e.g. '/api/buildings/:code' or '/ogc/collections'. */
export const urlPathOf = (spec: RouteSpec): string => (mountOf(spec) === '/' ? '' : '/api') + spec.path;

/**
 * Mounts the specs hanging at `mount` (the others are left to that mount's router);
 * `perUser` runs after authentication (e.g. the per-user rate limit).
 */
export function mountRoutes(context: AppContext, specs: RouteSpec[], perUser: RequestHandler[] = [], mount: MountPoint = '/api'): express.Router {
  const router = express.Router();
  for (const spec of specs.filter((candidate) => mountOf(candidate) === mount)) {
    const guards: RequestHandler[] = spec.access === 'public' ? [] : [authenticate(context, spec.access), ...perUser];
    router[spec.method](spec.path, ...guards, async (request, response) => {
      await spec.handler(request, response);
    });
  }
  return router;
}
