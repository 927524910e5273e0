import { principalOf } from '../auth/session.ts';
import type { Role } from '../db/schema.ts';
import type { FeatureRoutes } from '../http/route-registry.ts';
import { parseBody, parseParams, parseQuery } from '../http/validate.ts';
import { listUsers } from './repository.ts';
import { newUserBody, passwordResetBody, userIdParams, userListQuery, userPatchBody } from './schemas.ts';
import { changeUser, createUser, resetPassword } from './service.ts';

/** Accounts, roles and jurisdictions are the admin's alone (the auditor only reads what they did). */
const USER_ADMINS: readonly Role[] = ['admin'];

export const usersRoutes: FeatureRoutes = (context) => [
  {
    method: 'get',
    path: '/users',
    access: USER_ADMINS,
    summary: 'User accounts with role, jurisdiction, collector link, disabled flag and last login; filter by role, status, part of the username',
    schemas: { query: userListQuery },
    handler: async (request, response) => {
      response.json(await listUsers(context.db, parseQuery(userListQuery, request)));
    },
  },
  {
    method: 'post',
    path: '/users',
    access: USER_ADMINS,
    summary: 'Create an account with a role, jurisdiction (existing area or grid codes) and a temporary password (audited)',
    schemas: { body: newUserBody },
    handler: async (request, response) => {
      const body = parseBody(newUserBody, request);
      response.status(201).json(await createUser(context.db, principalOf(request), body));
    },
  },
  {
    method: 'patch',
    path: '/users/:id',
    access: USER_ADMINS,
    summary: 'Change display name, role, jurisdiction or collector link, or disable/enable (disabling ends the sessions; audited)',
    schemas: { params: userIdParams, body: userPatchBody },
    handler: async (request, response) => {
      const { id } = parseParams(userIdParams, request);
      const patch = parseBody(userPatchBody, request);
      response.json(await changeUser(context.db, principalOf(request), id, patch));
    },
  },
  {
    method: 'post',
    path: '/users/:id/password',
    access: USER_ADMINS,
    summary: 'Set a temporary password (same policy as a password change); ends the user’s sessions (audited, never the password)',
    schemas: { params: userIdParams, body: passwordResetBody },
    handler: async (request, response) => {
      const { id } = parseParams(userIdParams, request);
      const { temporaryPassword } = parseBody(passwordResetBody, request);
      await resetPassword(context.db, principalOf(request), id, temporaryPassword);
      response.status(204).end();
    },
  },
];
