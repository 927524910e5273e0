import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Role } from '../db/schema.ts';
import type { AppContext } from '../context.ts';
import { PERSON_DATA_ROLES } from '../domain/privacy.ts';
import type { CostClass } from './rate-limit.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Every route declares who may call it. The app mounts routes only through this registry
 * (mountRoutes in ./mount-routes.ts), so the authorisation-matrix test can enumerate every route
 * with its roles. This file holds the declarations only and imports no feature: features, their
 * contracts and auth import it without a loop.
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
  /**
   * What one call costs against the rate-limit budgets (REQUEST_COSTS in rate-limit.ts). Left out:
   * a write or a read only police and collectors may make (person data, audited) is 'audited',
   * any other read 'normal'.
   */
  cost?: CostClass;
  /** The handler streams the request body itself (an upload): express.json leaves it alone. */
  readsOwnBody?: true;
  /**
   * Callable by a user who must first replace a temporary password (me, password change, logout);
   * every other route answers them 403 password_change_required.
   */
  openDuringPasswordChange?: true;
  /**
   * A GET a GIS client makes (OGC features, tiles, TileJSON, layer exports): a personal access
   * token (Authorization: Bearer, server/tokens) may stand in for the session cookie.
   */
  acceptsAccessToken?: true;
  /**
   * What the route answers, by status: its success (with the zod schema of the body it sends, the
   * feature's contract.ts) and any error it adds to those every route of its kind may give (see
   * server/openapi/document.ts). The OpenAPI document is generated from these; the handler does not read them.
   */
  responses?: RouteResponses;
}

/** One answer of a route: a JSON body has a zod schema; other media (CSV, tiles, HTML) name their type. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Left out: application/json when there is a schema, no body when there is none; several when the route picks one. */
  contentType?: string | readonly string[];
  example?: unknown;
}
export type RouteResponses = { [status: number]: ResponseSpec };

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

/** The cost class a route is charged at: its own, or the default by method and access. */
export function costOf(spec: RouteSpec): CostClass {
  if (spec.cost) return spec.cost;
  if (spec.method !== 'get') return 'audited';
  const personDataOnly = spec.access !== 'public' && spec.access.every((role) => PERSON_DATA_ROLES.has(role));
  return personDataOnly ? 'audited' : 'normal';
}
