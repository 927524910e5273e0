import { ROLES } from '../db/schema.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { listTokens } from './repository.ts';
import { newTokenBody, tokenIdParams } from './schemas.ts';
import { createToken, revokeOwnToken } from './service.ts';

/** Every user manages their own tokens, and only their own: a token never reads more than its user may. */
export const tokensRoutes: FeatureRoutes = (context) => [
  route({
    method: 'get',
    path: '/auth/tokens',
    access: ROLES,
    summary: "The caller's personal access tokens (name, created, expires, last used, revoked); never the tokens themselves",
    handler: async ({ principal }, _request, response) => {
      response.json({ tokens: await listTokens(context.db, principal.userId) });
    },
  }),
  route({
    method: 'post',
    path: '/auth/tokens',
    access: ROLES,
    summary:
      'Create a read-only personal access token for GIS clients (Authorization: Bearer) on OGC features, vector tiles, TileJSON and layer exports; the token is in this answer only (audited)',
    schemas: { body: newTokenBody },
    handler: async ({ body, principal }, _request, response) => {
      response.status(201).json(await createToken(context, principal, body));
    },
  }),
  route({
    method: 'delete',
    path: '/auth/tokens/:id',
    access: ROLES,
    summary: "Revoke one of the caller's tokens at once (audited); 404 for another user's or an unknown token",
    schemas: { params: tokenIdParams },
    handler: async ({ params, principal }, _request, response) => {
      await revokeOwnToken(context, principal, params.id);
      response.status(204).end();
    },
  }),
];
