import { z } from 'zod';
import { instant, roleShape, row } from '../domain/contract-shapes.ts';
import type { RouteResponses } from '../http/route-registry.ts';

export const userView = row({
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
  pendingGrant: row({ id: z.number().int() }).nullable(),
});
export const grantView = row({ id: z.number().int() });

export const userResponses: Record<string, RouteResponses> = {
  'get /api/users': { 200: { description: 'The users', schema: z.object({ total: z.number().int(), users: z.array(userView) }) } },
  'post /api/users': { 201: { description: 'The new user (or the grant awaiting a second admin)', schema: row({}) }, 409: { description: 'The username is taken' } },
  'patch /api/users/:id': { 200: { description: 'The changed user (or the grant awaiting a second admin)', schema: row({}) } },
  'post /api/users/:id/password': { 204: { description: 'A temporary password is set; the user changes it at next login' } },
  'get /api/users/grants': { 200: { description: 'Grants of wider access awaiting a second admin', schema: z.object({ total: z.number().int(), grants: z.array(grantView) }) } },
  'post /api/users/grants/:id/approve': { 200: { description: 'The approved grant', schema: grantView }, 409: { description: 'The grant is no longer pending' } },
  'post /api/users/grants/:id/reject': { 200: { description: 'The rejected grant', schema: grantView }, 409: { description: 'The grant is no longer pending' } },
};
