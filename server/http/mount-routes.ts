import express, { type RequestHandler } from 'express';
import { authenticate } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import type { RequestBudgets } from './rate-limit.ts';
import { parseDeclared } from './validate.ts';
import { costOf, mountOf, type MountPoint, type RouteSpec } from './route-registry.ts';

/**
 * Mounting the declared routes (./route-registry.ts) behind their guards: apart from the
 * declarations, so that auth, which declares routes and contracts itself, is not imported by them.
 */

/** The rate-limit charges of a route: to the address before login is checked, to the user after. */
function guardsOf(context: AppContext, spec: RouteSpec, budgets: RequestBudgets | undefined): RequestHandler[] {
  const cost = costOf(spec);
  const byAddress = budgets ? [budgets.byAddress(cost)] : [];
  if (spec.access === 'public') return byAddress;
  return [
    ...byAddress,
    authenticate(context, spec.access, {
      openDuringPasswordChange: spec.openDuringPasswordChange ?? false,
      acceptsAccessToken: spec.acceptsAccessToken ?? false,
    }),
    ...(budgets ? [budgets.byUser(cost)] : []),
  ];
}

/**
 * Mounts the specs hanging at `mount` (the others are left to that mount's router), each behind its
 * guards; then parses the declared schemas (400 invalid_request naming the fields) before the handler runs.
 */
export function mountRoutes(context: AppContext, specs: RouteSpec[], budgets?: RequestBudgets, mount: MountPoint = '/api'): express.Router {
  const router = express.Router();
  for (const spec of specs.filter((candidate) => mountOf(candidate) === mount)) {
    const guards = guardsOf(context, spec, budgets);
    router[spec.method](spec.path, ...guards, async (request, response) => {
      // An upload refused before its body was read (a bad query) is drained, not left hanging.
      if (spec.readsOwnBody) {
        response.on('finish', () => {
          if (!request.readableEnded) request.resume();
        });
      }
      const input = parseDeclared(spec.schemas, request, spec.readsOwnBody ?? false);
      await spec.handler(request, response, input);
    });
  }
  return router;
}
