import type { Request } from 'express';
import type { AppContext } from '../context.ts';
import type { Principal } from '../auth/session.ts';
import { hashToken, newToken } from '../auth/session.ts';
import { recordAudit } from '../audit/service.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { findTokenUser, insertToken, markTokenUsed, revokeToken } from './repository.ts';

/** Tokens say what they are, so that one pasted into a chat or a config file is recognised (and revoked). */
const TOKEN_PREFIX = 'rw_';
const DAY_MS = 86_400_000;

export async function createToken(context: AppContext, principal: Principal, request: { name: string; expiresInDays: number }) {
  const token = `${TOKEN_PREFIX}${newToken()}`;
  const expiresAt = new Date(Date.now() + request.expiresInDays * DAY_MS);
  return context.db.transaction().execute(async (trx) => {
    const row = await insertToken(trx, { userId: principal.userId, name: request.name, tokenHash: hashToken(token), expiresAt });
    await recordAudit(trx, principal, {
      action: 'token_create',
      targetType: 'access_token',
      targetId: row.id,
      details: { name: request.name, expiresAt: expiresAt.toISOString() },
    });
    return { id: Number(row.id), name: request.name, token, expiresAt: expiresAt.toISOString() };
  });
}

export async function revokeOwnToken(context: AppContext, principal: Principal, tokenId: number): Promise<void> {
  await context.db.transaction().execute(async (trx) => {
    if (!(await revokeToken(trx, principal.userId, tokenId))) throw notFound('Access token', String(tokenId));
    await recordAudit(trx, principal, { action: 'token_revoke', targetType: 'access_token', targetId: tokenId });
  });
}

/** The token of an `Authorization: Bearer` header, or undefined when the request has none. */
export function bearerToken(request: Request): string | undefined {
  const header = request.get('authorization');
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new HttpError(401, 'unauthenticated', 'Authorization must be "Bearer <access token>"');
  return match[1];
}

const invalidToken = () =>
  new HttpError(401, 'invalid_token', 'The access token is unknown, revoked or expired, or its account cannot be used: create a new one on your account page');

/**
 * The principal a token stands for, checked as a session is (the account enabled, approved, its
 * password not temporary) and with the user's current role and jurisdiction. Each use is written
 * to the audit log with the path it read (never the token).
 */
export async function tokenPrincipal(context: AppContext, token: string, request: Request): Promise<Principal> {
  const found = await findTokenUser(context.db, hashToken(token));
  if (!found || found.disabled || found.awaiting_approval || found.must_change_password) throw invalidToken();
  const principal: Principal = {
    userId: found.id,
    username: found.username,
    displayName: found.display_name,
    role: found.role,
    jurisdiction: found.jurisdiction,
    collectorId: found.collector_id,
  };
  await markTokenUsed(context.db, found.token_id);
  await recordAudit(context.db, principal, {
    action: 'token_use',
    targetType: 'access_token',
    targetId: found.token_id,
    details: { method: request.method, path: request.baseUrl + request.path },
  });
  return principal;
}
