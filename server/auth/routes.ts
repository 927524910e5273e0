import type { Request, Response } from 'express';
import { z } from 'zod';
import { ROLES } from '../db/schema.ts';
import type { FeatureRoutes } from '../http/route-registry.ts';
import { parseBody } from '../http/validate.ts';
import { passwordPolicy } from './passwords.ts';
import { findSessionUser } from './repository.ts';
import { changePassword, logIn, logOut } from './service.ts';
import { hashToken, principalOf, SESSION_COOKIE } from './session.ts';

const passwordChangeBody = z.object({
  currentPassword: z.string().min(1, 'currentPassword is required').max(200),
  newPassword: passwordPolicy('newPassword'),
});

const loginBody = z.object({
  username: z.string().trim().min(1, 'username is required').max(40),
  password: z.string().min(1, 'password is required').max(200),
});

export const authRoutes: FeatureRoutes = (context) => [
  {
    method: 'post',
    path: '/auth/login',
    access: 'public',
    summary: 'Log in with username and password; sets the session cookie',
    handler: async (request, response) => {
      const { username, password } = parseBody(loginBody, request);
      const result = await logIn(context.db, context.config, username, password);
      response.cookie(SESSION_COOKIE, result.token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: request.secure,
        expires: result.expiresAt,
        path: '/',
      });
      const { user } = result;
      response.json({
        user: { username: user.username, displayName: user.display_name, role: user.role, jurisdiction: user.jurisdiction },
        csrfToken: result.csrfToken,
      });
    },
  },
  {
    method: 'get',
    path: '/auth/me',
    access: ROLES,
    summary: 'The logged-in user and the CSRF token for writes',
    handler: async (request, response) => {
      const principal = principalOf(request);
      const session = await findSessionUser(context.db, hashToken(sessionToken(request)));
      response.json({
        user: { username: principal.username, displayName: principal.displayName, role: principal.role, jurisdiction: principal.jurisdiction },
        csrfToken: session?.csrf_token,
      });
    },
  },
  {
    method: 'post',
    path: '/auth/password',
    access: ROLES,
    summary: 'Change one\'s own password; ends every other session of the user',
    schemas: { body: passwordChangeBody },
    handler: async (request, response) => {
      const { currentPassword, newPassword } = parseBody(passwordChangeBody, request);
      await changePassword(context.db, principalOf(request), currentPassword, newPassword, hashToken(sessionToken(request)));
      response.status(204).end();
    },
  },
  {
    method: 'post',
    path: '/auth/logout',
    access: ROLES,
    summary: 'End this session',
    handler: async (request, response: Response) => {
      await logOut(context.db, sessionToken(request));
      response.clearCookie(SESSION_COOKIE, { path: '/' });
      response.status(204).end();
    },
  },
];

function sessionToken(request: Request): string {
  return String(request.cookies?.[SESSION_COOKIE] ?? '');
}
