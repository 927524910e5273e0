import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { RouteResponses } from '../domain/contract-shapes.ts';
import type { Role } from '../db/schema.ts';
import type { AppContext } from '../context.ts';
import { PERSON_DATA_ROLES } from '../domain/privacy.ts';
import { unauthenticated } from './errors.ts';
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
  /**
   * Runs once the guards passed and the declared schemas parsed (mountRoutes): `input` holds what
   * they parsed. Write handlers with route() below, which types that input from the schemas.
   */
  handler: (request: Request, response: Response, input: ParsedInput) => Promise<void> | void;
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

// A route's answers are declared in its feature's contract.ts, which imports nothing but zod and domain/.
export type { ResponseSpec, RouteResponses } from '../domain/contract-shapes.ts';

export type MountPoint = '/api' | '/';
export interface RouteSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

/** What mountRoutes parsed from a request with the route's declared schemas; undefined where none is declared. */
export interface ParsedInput {
  params: unknown;
  query: unknown;
  body: unknown;
}

type Access = RouteSpec['access'];
/** The caller authenticate sets (server/auth/session.ts declares it on Request): named so, this file imports no feature. */
type Principal = NonNullable<Request['principal']>;
/** The parsed value of a declared schema, undefined where the route declares none. */
export type ParsedBy<S> = S extends z.ZodType ? z.output<S> : undefined;
/** A public route may be called without a login (principal null); any other has passed authenticate. */
type PrincipalFor<A extends Access> = A extends 'public' ? Principal | null : Principal;

/** The typed input of a route() handler: the parsed params, query and body, and the caller. */
export interface RouteInput<S extends RouteSchemas, A extends Access = readonly Role[]> {
  params: ParsedBy<S['params']>;
  query: ParsedBy<S['query']>;
  body: ParsedBy<S['body']>;
  principal: PrincipalFor<A>;
}

/** A route as route() takes it: a RouteSpec whose handler receives the typed input first. */
export type TypedRouteSpec<S extends RouteSchemas, A extends Access> = Omit<RouteSpec, 'access' | 'schemas' | 'handler'> & {
  access: A;
  schemas?: S;
  handler: (input: RouteInput<S, A>, request: Request, response: Response) => Promise<void> | void;
};

/**
 * Declares a route whose handler takes its input already parsed: the registry (mountRoutes)
 * validates params, query and body against `schemas` after the guards and before the handler,
 * answering 400 invalid_request with the failed fields (validate.ts), so the handler never parses.
 *
 *   route({ method: 'get', path: '/areas', access: ROLES, summary: '…', schemas: { query: areasQuery },
 *     handler: async ({ query, principal }, request, response) => { … } })
 *
 * A route that reads its own body (readsOwnBody: an upload) gets `body` undefined and reads it itself.
 */
export function route<const S extends RouteSchemas = Record<never, never>, const A extends Access = Access>(spec: TypedRouteSpec<S, A>): RouteSpec {
  const { handler, ...declaration } = spec;
  return {
    ...declaration,
    handler: (request, response, parsed) =>
      handler({ ...(parsed as Omit<RouteInput<S, A>, 'principal'>), principal: principalFor(spec.access, request) }, request, response),
  };
}

function principalFor<A extends Access>(access: A, request: Request): PrincipalFor<A> {
  if (access === 'public') return (request.principal ?? null) as PrincipalFor<A>;
  // authenticate ran before the handler for every non-public route: a missing principal is a wiring fault.
  if (!request.principal) throw unauthenticated();
  return request.principal as PrincipalFor<A>;
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
