import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'express';
import type { Role } from '../db/schema.ts';
import { unauthenticated } from '../http/errors.ts';

export const SESSION_COOKIE = 'renwu_session';

/** Who is calling: set by the authenticate middleware. */
export interface Principal {
  userId: number;
  username: string;
  displayName: string;
  role: Role;
  /** Code prefixes this user may act in. */
  jurisdiction: string[];
  collectorId: number | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export const newToken = () => randomBytes(32).toString('base64url');
/** Only the token's hash is stored: a leaked sessions table cannot be replayed. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function principalOf(request: Request): Principal {
  if (!request.principal) throw unauthenticated();
  return request.principal;
}
