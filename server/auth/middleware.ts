import type { Request, RequestHandler } from 'express';
import type { Role } from '../db/schema.ts';
import type { AppContext } from '../context.ts';
import { forbidden, HttpError, unauthenticated } from '../http/errors.ts';
import { perDatabase } from '../db/per-database.ts';
import { sharedRead } from '../db/shared-read.ts';
import { findSessionUser } from './repository.ts';
import { bearerToken, tokenPrincipal } from '../tokens/service.ts';
import { hashToken, SESSION_COOKIE, type Principal } from './session.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AuthenticateOptions {
  /** The route stays open while the user must replace a temporary password. */
  openDuringPasswordChange: boolean;
  /** A read-only personal access token may stand in for the session (GIS clients). */
  acceptsAccessToken?: boolean;
}

/** A session's row, read once for the requests of that session that ask at the same time (a dashboard asks several at once). */
const sessionReadsOf = perDatabase((db) => sharedRead((tokenHash: string) => findSessionUser(db, tokenHash)));

/** The session a cookie holds while it may still be used: not expired, its user enabled and approved. */
export async function liveSession(context: AppContext, token: unknown) {
  if (typeof token !== 'string' || token.length === 0) return undefined;
  const session = await sessionReadsOf(context.db)(hashToken(token));
  if (!session || session.disabled || session.awaiting_approval || new Date(session.expires_at) <= new Date()) return undefined;
  return session;
}

/**
 * Without a session, a GIS client may read with a personal access token, on the routes that take
 * one and only with safe methods: a token never writes.
 */
async function tokenPrincipalOrThrow(context: AppContext, request: Request, roles: readonly Role[], options: AuthenticateOptions): Promise<Principal> {
  const token = bearerToken(request);
  if (!token) throw unauthenticated();
  if (!options.acceptsAccessToken || !SAFE_METHODS.has(request.method)) {
    throw new HttpError(401, 'token_not_accepted', 'Access tokens are read-only and work on /ogc, /tiles and layer exports; log in for this request');
  }
  const principal = await tokenPrincipal(context, token, request);
  if (!roles.includes(principal.role)) throw forbidden(`Role ${principal.role} may not ${request.method} ${request.baseUrl}${request.path}`);
  return principal;
}

/**
 * Loads the session from its cookie, checks the role and, for writes, the CSRF token. A user
 * holding a password an administrator set may only change it (or ask who they are, or leave).
 */
export function authenticate(context: AppContext, roles: readonly Role[], options: AuthenticateOptions = { openDuringPasswordChange: false }): RequestHandler {
  return async (request, _response, next) => {
    const session = await liveSession(context, request.cookies?.[SESSION_COOKIE]);
    if (!session) {
      request.principal = await tokenPrincipalOrThrow(context, request, roles, options);
      next();
      return;
    }
    if (!SAFE_METHODS.has(request.method) && request.get('x-csrf-token') !== session.csrf_token) {
      throw new HttpError(403, 'csrf', 'Missing or wrong X-CSRF-Token header');
    }
    if (session.must_change_password && !options.openDuringPasswordChange) {
      throw new HttpError(403, 'password_change_required', 'Change the temporary password first (POST /api/auth/password)');
    }
    if (!roles.includes(session.role)) throw forbidden(`Role ${session.role} may not ${request.method} ${request.baseUrl}${request.path}`);
    request.principal = {
      userId: session.id,
      username: session.username,
      displayName: session.display_name,
      role: session.role,
      jurisdiction: session.jurisdiction,
      collectorId: session.collector_id,
    };
    next();
  };
}
