import { z } from 'zod';
import { instant, roleShape, type RouteResponses } from '../domain/contract-shapes.ts';

export const userView = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: roleShape,
  jurisdiction: z.array(z.string()),
  collectorId: z.number().int().nullable(),
  collectorName: z.string().nullable(),
  disabled: z.boolean(),
  isDemo: z.boolean(),
  mustChangePassword: z.boolean(),
  awaitingApproval: z.boolean(),
  lastLoginAt: instant.nullable(),
  createdAt: instant,
  pendingGrant: z.object({ id: z.number().int(), role: roleShape, jurisdiction: z.array(z.string()), collectorId: z.number().int().nullable() }).nullable(),
});
/** A two-person grant (repository/grants.ts GrantRecord): asked by one admin, decided by another. */
export const grantView = z.object({
  id: z.number().int(),
  kind: z.enum(['create', 'change']),
  userId: z.number().int(),
  username: z.string(),
  role: roleShape,
  jurisdiction: z.array(z.string()),
  collectorId: z.number().int().nullable(),
  previousRole: roleShape.nullable(),
  previousJurisdiction: z.array(z.string()).nullable(),
  requestedBy: z.string(),
  requestedAt: instant,
  status: z.enum(['pending', 'approved', 'rejected', 'superseded']),
  decidedBy: z.string().nullable(),
  decidedAt: instant.nullable(),
});
export const userList = z.object({ total: z.number().int(), users: z.array(userView) });
export const grantList = z.object({ total: z.number().int(), grants: z.array(grantView) });

export const userResponses: Record<string, RouteResponses> = {
  'get /api/users': { 200: { description: 'The users', schema: userList } },
  'post /api/users': {
    201: { description: 'The new user (a wider role waits for a second admin: awaitingApproval, pendingGrant)', schema: userView },
    409: { description: 'The username is taken' },
  },
  'patch /api/users/:id': { 200: { description: 'The changed user (a wider role waits for a second admin: pendingGrant)', schema: userView } },
  'post /api/users/:id/password': { 204: { description: 'A temporary password is set; the user changes it at next login' } },
  'get /api/users/grants': { 200: { description: 'Grants of wider access awaiting a second admin', schema: grantList } },
  'post /api/users/grants/:id/approve': {
    200: { description: 'The approved grant', schema: grantView },
    409: { description: 'The grant is no longer pending' },
  },
  'post /api/users/grants/:id/reject': {
    200: { description: 'The rejected grant', schema: grantView },
    409: { description: 'The grant is no longer pending' },
  },
};
