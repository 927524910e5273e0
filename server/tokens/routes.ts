import { principalOf } from '../auth/session.ts';
import { ROLES } from '../db/schema.ts';
import type { FeatureRoutes } from '../http/route-registry.ts';
import { parseBody, parseParams } from '../http/validate.ts';
import { listTokens } from './repository.ts';
import { newTokenBody, tokenIdParams } from './schemas.ts';
import { createToken, revokeOwnToken } from './service.ts';

/** Every user manages their own tokens, and only their own: a token never reads more than its user may. */
export const tokensRoutes: FeatureRoutes = (context) => [
  {
    method: 'get',
    path: '/auth/tokens',
    access: ROLES,
    summary: "The caller's personal access tokens (name, created, expires, last used, revoked); never the tokens themselves",
    handler: async (request, response) => {
      response.json({ tokens: await listTokens(context.db, principalOf(request).userId) });
    },
  },
  {
    method: 'post',
    path: '/auth/tokens',
    access: ROLES,
    summary: 'Create a read-only personal access token for GIS clients (Authorization: Bearer) on OGC features, vector tiles, TileJSON and layer exports; the token is in this answer only (audited)',
    schemas: { body: newTokenBody },
    handler: async (request, response) => {
      response.status(201).json(await createToken(context, principalOf(request), parseBody(newTokenBody, request)));
    },
  },
  {
    method: 'delete',
    path: '/auth/tokens/:id',
    access: ROLES,
    summary: "Revoke one of the caller's tokens at once (audited); 404 for another user's or an unknown token",
    schemas: { params: tokenIdParams },
    handler: async (request, response) => {
      await revokeOwnToken(context, principalOf(request), parseParams(tokenIdParams, request).id);
      response.status(204).end();
    },
  },
];
