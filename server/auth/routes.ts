import type { Request } from 'express';
import { z } from 'zod';
import { ROLES, type User } from '../db/schema.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { unauthenticated } from '../http/errors.ts';
import type { SessionUser } from './contract.ts';
import { passwordPolicy } from './passwords.ts';
import { liveSession } from './middleware.ts';
import { DEFAULT_BACKOFF, LoginThrottle } from './login-throttle.ts';
import { changePassword, logIn, loginThrottled, logOut } from './service.ts';
import { hashToken, SESSION_COOKIE } from './session.ts';

const passwordChangeBody = z.object({
  currentPassword: z.string().min(1, 'currentPassword is required').max(200),
  newPassword: passwordPolicy('newPassword'),
});

const loginBody = z.object({
  username: z.string().trim().min(1, 'username is required').max(40),
  password: z.string().min(1, 'password is required').max(200),
});

export const authRoutes: FeatureRoutes = (context) => {
  // One per app: the failures it counts live as long as the process (see login-throttle.ts).
  const throttle = new LoginThrottle({ ...DEFAULT_BACKOFF, ...context.config.loginBackoff });
  return [
    route({
      method: 'post',
      path: '/auth/login',
      access: 'public',
      summary:
        'Log in with username and password; sets the session cookie. Repeated failures from one address wait (429, Retry-After); every attempt is audited',
      schemas: { body: loginBody },
      handler: async ({ body: { username, password } }, request, response) => {
        const outcome = await logIn(context.db, context.config, throttle, { username, password, address: clientAddress(request) });
        if ('retryAfterSeconds' in outcome) {
          response.set('Retry-After', String(outcome.retryAfterSeconds));
          throw loginThrottled();
        }
        const { session } = outcome;
        response.cookie(SESSION_COOKIE, session.token, {
          httpOnly: true,
          sameSite: 'strict',
          secure: request.secure,
          expires: session.expiresAt,
          path: '/',
        });
        response.json({ user: sessionUserOf(session.user), csrfToken: session.csrfToken });
      },
    }),
    route({
      method: 'get',
      path: '/auth/me',
      access: ROLES,
      openDuringPasswordChange: true,
      summary: 'The logged-in user (with mustChangePassword) and the CSRF token for writes',
      handler: async (_input, request, response) => {
        const session = await liveSession(context, sessionToken(request));
        if (!session) throw unauthenticated();
        response.json({ user: sessionUserOf(session), csrfToken: session.csrf_token });
      },
    }),
    route({
      method: 'get',
      path: '/auth/session',
      access: 'public',
      summary: 'Who is signed in: { user: null } when nobody is (a state, not an error, so the login page logs no 401); else as /auth/me',
      handler: async (_input, request, response) => {
        const session = await liveSession(context, request.cookies?.[SESSION_COOKIE]);
        response.json(session ? { user: sessionUserOf(session), csrfToken: session.csrf_token } : { user: null });
      },
    }),
    route({
      method: 'post',
      path: '/auth/password',
      access: ROLES,
      openDuringPasswordChange: true,
      summary: "Change one's own password (clears a temporary password's mustChangePassword); ends every other session of the user",
      schemas: { body: passwordChangeBody },
      handler: async ({ body: { currentPassword, newPassword }, principal }, request, response) => {
        await changePassword(context.db, principal, currentPassword, newPassword, hashToken(sessionToken(request)));
        response.status(204).end();
      },
    }),
    route({
      method: 'post',
      path: '/auth/logout',
      access: ROLES,
      openDuringPasswordChange: true,
      summary: 'End this session (audited)',
      handler: async ({ principal }, request, response) => {
        await logOut(context.db, principal, sessionToken(request), clientAddress(request));
        response.clearCookie(SESSION_COOKIE, { path: '/' });
        response.status(204).end();
      },
    }),
  ];
};

type SessionUserRow = Pick<User, 'username' | 'display_name' | 'role' | 'jurisdiction' | 'must_change_password'>;

/** The user as the dashboard sees them (never the password hash or the collector link). */
const sessionUserOf = (user: SessionUserRow): SessionUser => ({
  username: user.username,
  displayName: user.display_name,
  role: user.role,
  jurisdiction: user.jurisdiction,
  mustChangePassword: user.must_change_password,
});

function sessionToken(request: Request): string {
  return String(request.cookies?.[SESSION_COOKIE] ?? '');
}

/** Express's view of the client (the proxy headers count only where trust proxy says so). */
const clientAddress = (request: Request) => request.ip ?? request.socket.remoteAddress ?? 'unknown';
