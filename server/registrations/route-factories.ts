import type { Request } from 'express';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { principalOf, type Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';
import { chinaToday } from '../domain/calendar.ts';
import type { FeatureRoutes } from '../http/route-registry.ts';
import { parseBody, parseParams, parseQuery } from '../http/validate.ts';
import { REGISTRARS } from './guards.ts';
import { idParams, purposeQuery } from './schemas.ts';

/** The three shapes this feature's routes come in: a registration form, a read of person data, an action on one record. */

export type Registrar<Body> = (db: Kysely<DB>, principal: Principal, body: Body & { registeredAt: string }, today: string) => Promise<unknown>;

/** A registration form: the registration date defaults to today (China time), which the rules also check against. */
export function registrationRoute<Schema extends z.ZodType<{ registeredAt?: string | undefined }>>(
  path: string,
  summary: string,
  body: Schema,
  status: number,
  register: Registrar<z.infer<Schema>>,
): FeatureRoutes {
  return (context) => [{
    method: 'post',
    path,
    access: REGISTRARS,
    summary,
    schemas: { body },
    handler: async (request, response) => {
      const parsed = parseBody(body, request);
      const today = chinaToday();
      response.status(status).json(await register(context.db, principalOf(request), { ...parsed, registeredAt: parsed.registeredAt ?? today }, today));
    },
  }];
}

/**
 * A GET of person data about one target named in the path: the purpose comes from the query and
 * `read` audits every person it returns. `target` parses the path and checks the jurisdiction.
 */
export function personDataRoute<Target>(
  path: string,
  summary: string,
  params: z.ZodType | undefined,
  target: (request: Request, principal: Principal) => Target,
  read: (db: Kysely<DB>, principal: Principal, target: Target, purpose: string) => Promise<unknown>,
): FeatureRoutes {
  return (context) => [{
    method: 'get',
    path,
    access: REGISTRARS,
    summary: `${summary}; purpose required, audited per person`,
    schemas: { params, query: purposeQuery },
    handler: async (request, response) => {
      const principal = principalOf(request);
      const parsed = target(request, principal);
      const { purpose: why } = parseQuery(purposeQuery, request);
      response.json(await read(context.db, principal, parsed, why));
    },
  }];
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
  return (context) => [{
    method,
    path,
    access: REGISTRARS,
    summary,
    schemas: { params: idParams, body },
    handler: async (request, response) => {
      const { id } = parseParams(idParams, request);
      const parsed = parseBody(body, request);
      response.status(status).json(await act(context.db, principalOf(request), id, parsed, chinaToday()));
    },
  }];
}
