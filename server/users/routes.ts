import type { Role } from '../db/schema.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { listGrants } from './repository/grants.ts';
import { listUsers } from './repository.ts';
import { grantIdParams, grantListQuery, newUserBody, passwordResetBody, userIdParams, userListQuery, userPatchBody } from './schemas.ts';
import { approveGrant, changeUser, createUser, rejectGrant, resetPassword } from './service.ts';

/** Accounts, roles and jurisdictions are the admin's alone (the auditor only reads what they did). */
const USER_ADMINS: readonly Role[] = ['admin'];
/** Who sees the two-person grants: the admins who decide them and the auditor who checks them. */
const GRANT_READERS: readonly Role[] = ['admin', 'auditor'];

export const usersRoutes: FeatureRoutes = (context) => [
  route({
    method: 'get',
    path: '/users',
    access: USER_ADMINS,
    summary: 'User accounts with role, jurisdiction, collector link, disabled flag and last login; filter by role, status, part of the username',
    schemas: { query: userListQuery },
    handler: async ({ query }, _request, response) => {
      response.json(await listUsers(context.db, query));
    },
  }),
  route({
    method: 'post',
    path: '/users',
    access: USER_ADMINS,
    summary:
      'Create an account with a role, jurisdiction (existing area or grid codes) and a temporary password to be changed at first login (audited). A police, collector or admin account waits for a second admin (pendingGrant) before it can log in',
    schemas: { body: newUserBody },
    handler: async ({ body, principal }, _request, response) => {
      response.status(201).json(await createUser(context.db, principal, body));
    },
  }),
  route({
    method: 'patch',
    path: '/users/:id',
    access: USER_ADMINS,
    summary:
      'Change display name, role, jurisdiction or collector link, or disable/enable (disabling ends the sessions; audited). Giving police, collector or admin, or widening a police or collector jurisdiction, becomes a pendingGrant for a second admin',
    schemas: { params: userIdParams, body: userPatchBody },
    handler: async ({ params: { id }, body: patch, principal }, _request, response) => {
      response.json(await changeUser(context.db, principal, id, patch));
    },
  }),
  route({
    method: 'post',
    path: '/users/:id/password',
    access: USER_ADMINS,
    summary:
      'Set a temporary password (same policy as a password change) that must be changed at next login; ends the user’s sessions (audited, never the password)',
    schemas: { params: userIdParams, body: passwordResetBody },
    handler: async ({ params: { id }, body: { temporaryPassword }, principal }, _request, response) => {
      await resetPassword(context.db, principal, id, temporaryPassword);
      response.status(204).end();
    },
  }),
  route({
    method: 'get',
    path: '/users/grants',
    access: GRANT_READERS,
    summary: 'Two-person grants, newest first: account, role and jurisdiction asked for (and before), who asked, who decided, when; filter by status',
    schemas: { query: grantListQuery },
    handler: async ({ query }, _request, response) => {
      response.json(await listGrants(context.db, query));
    },
  }),
  route({
    method: 'post',
    path: '/users/grants/:id/approve',
    access: USER_ADMINS,
    summary:
      'Approve a pending grant: only an admin other than the one who asked (and other than its account); the role and jurisdiction take effect now (audited)',
    schemas: { params: grantIdParams },
    handler: async ({ params: { id }, principal }, _request, response) => {
      response.json(await approveGrant(context.db, principal, id));
    },
  }),
  route({
    method: 'post',
    path: '/users/grants/:id/reject',
    access: USER_ADMINS,
    summary: 'Reject (or, by the admin who asked, withdraw) a pending grant; an account created for it stays unable to log in and is disabled (audited)',
    schemas: { params: grantIdParams },
    handler: async ({ params: { id }, principal }, _request, response) => {
      response.json(await rejectGrant(context.db, principal, id));
    },
  }),
];
