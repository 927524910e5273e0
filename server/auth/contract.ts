import { z } from 'zod';
import { instant, roleShape, type RouteResponses } from '../domain/contract-shapes.ts';

/** The user as the dashboard sees them (never the password hash or the collector link). */
export const sessionUser = z.object({
  username: z.string().meta({ examples: ['planner'] }),
  displayName: z.string().meta({ examples: ['规划员'] }),
  role: roleShape,
  jurisdiction: z.array(z.string()).meta({ description: 'Area codes the user is bounded by', examples: [['440307']] }),
  mustChangePassword: z.boolean(),
});
export type SessionUser = z.infer<typeof sessionUser>;

export const sessionAnswer = z.object({ user: sessionUser, csrfToken: z.string().meta({ description: 'Send as X-CSRF-Token on every write' }) });
export const maybeSessionAnswer = z.union([sessionAnswer, z.object({ user: z.null() })]);

/** A personal access token as its owner sees it: never the token itself. */
export const tokenView = z.object({
  id: z.number().int(),
  name: z.string().meta({ examples: ['QGIS'] }),
  createdAt: instant,
  expiresAt: instant,
  lastUsedAt: instant.nullable(),
  revokedAt: instant.nullable(),
});
export const newToken = z.object({
  id: z.number().int(),
  name: z.string(),
  token: z.string().meta({ description: 'Shown once: only its hash is kept' }),
  expiresAt: instant,
});

export const authResponses: Record<string, RouteResponses> = {
  'post /api/auth/login': {
    200: { description: 'Logged in: sets the session cookie', schema: sessionAnswer },
    401: { description: 'Wrong username or password (the same answer for an unknown user)' },
    403: { description: 'A demo account while NODE_ENV=production' },
    429: { description: 'Too many failed logins from this address: wait Retry-After seconds' },
  },
  'get /api/auth/me': { 200: { description: 'The logged-in user', schema: sessionAnswer } },
  'get /api/auth/session': { 200: { description: 'The logged-in user, or { user: null }', schema: maybeSessionAnswer } },
  'post /api/auth/password': { 204: { description: 'Changed; the other sessions of the user have ended' } },
  'post /api/auth/logout': { 204: { description: 'Logged out: the session cookie is cleared' } },
  'get /api/auth/tokens': { 200: { description: "The caller's access tokens", schema: z.object({ tokens: z.array(tokenView) }) } },
  'post /api/auth/tokens': { 201: { description: 'The new token, shown this once', schema: newToken } },
  'delete /api/auth/tokens/:id': { 204: { description: 'Revoked' } },
};
