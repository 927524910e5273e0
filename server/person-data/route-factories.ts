import type { Request } from 'express';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';
import { chinaToday } from '../domain/calendar.ts';
import { route, type FeatureRoutes, type ParsedBy } from '../http/route-registry.ts';
import { REGISTRARS } from './guards.ts';
import { idParams, purposeQuery } from './schemas.ts';

/**
 * The three shapes the person-data routes (people, permits, buildings, units) come in: a
 * registration form, a read of person data, an action on one record. The registry parses the
 * declared schemas; the handlers receive what they parsed.
 */

export type Registrar<Body> = (db: Kysely<DB>, principal: Principal, body: Body & { registeredAt: string }, today: string) => Promise<unknown>;

/** A registration form: the registration date defaults to today (China time), which the rules also check against. */
export function registrationRoute<Schema extends z.ZodType<{ registeredAt?: string | undefined }>>(
  path: string,
  summary: string,
  body: Schema,
  status: number,
  register: Registrar<z.infer<Schema>>,
): FeatureRoutes {
  return (context) => [
    route({
      method: 'post',
      path,
      access: REGISTRARS,
      summary,
      schemas: { body },
      handler: async ({ body: parsed, principal }, _request, response) => {
        const form = parsed as z.infer<Schema>;
        const today = chinaToday();
        response.status(status).json(await register(context.db, principal, { ...form, registeredAt: form.registeredAt ?? today }, today));
      },
    }),
  ];
}

/**
 * A GET of person data about one target named in the path: the purpose comes from the query and
 * `read` audits every person it returns. `target` names the target from the parsed `params` (or,
 * where none are declared, from a path code read with http/code-params.ts) and checks the jurisdiction.
 */
export function personDataRoute<const Params extends z.ZodType | undefined, Target>(
  path: string,
  summary: string,
  params: Params,
  target: (input: { params: ParsedBy<Params>; principal: Principal }, request: Request) => Target,
  read: (db: Kysely<DB>, principal: Principal, target: Target, purpose: string) => Promise<unknown>,
): FeatureRoutes {
  return (context) => [
    route({
      method: 'get',
      path,
      access: REGISTRARS,
      summary: `${summary}; purpose required, audited per person`,
      schemas: { params, query: purposeQuery },
      handler: async ({ params: parsed, query, principal }, request, response) => {
        response.json(await read(context.db, principal, target({ params: parsed as ParsedBy<Params>, principal }, request), query.purpose));
      },
    }),
  ];
}

export type RecordAction<Body> = (db: Kysely<DB>, principal: Principal, id: number, body: Body, today: string) => Promise<unknown>;

/** A change to the record whose numeric id is in the path (a permit, a person), with a JSON body. */
export function recordActionRoute<Schema extends z.ZodType>(
  method: 'post' | 'patch',
  path: string,
  summary: string,
  body: Schema,
  status: number,
  act: RecordAction<z.infer<Schema>>,
): FeatureRoutes {
  return (context) => [
    route({
      method,
      path,
      access: REGISTRARS,
      summary,
      schemas: { params: idParams, body },
      handler: async ({ params, body: parsed, principal }, _request, response) => {
        response.status(status).json(await act(context.db, principal, params.id, parsed as z.infer<Schema>, chinaToday()));
      },
    }),
  ];
}
