import { z } from 'zod';
import { chinaToday } from '../domain/calendar.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { calendarDate, textNumber } from '../http/validate.ts';
import { REGISTRARS } from '../person-data/guards.ts';
import { recordActionRoute } from '../person-data/route-factories.ts';
import { gridCode, numericId, purpose } from '../person-data/schemas.ts';
import { expiringPermits, issuePermit, renewPermit, revokePermit, REVOCATION_REASONS } from './service.ts';

const years = z.number().int().min(1).max(10);
const issueBody = z.strictObject({ personId: numericId, years, issuedOn: calendarDate.optional() });
const renewBody = z.strictObject({ years });
const revokeBody = z.strictObject({ reason: z.enum(REVOCATION_REASONS) });
const expiringQuery = z.object({ grid: gridCode, days: textNumber(z.number().int().min(0).max(366).default(30)), purpose });

export const permitsRoutes: FeatureRoutes = (context) => [
  route({
    method: 'post',
    path: '/permits',
    access: REGISTRARS,
    summary: 'Issue a residence permit (years from the permits setting, default 1/2/3) to a floating or lodging resident',
    schemas: { body: issueBody },
    handler: async ({ body, principal }, _request, response) => {
      const today = chinaToday();
      response.status(201).json(await issuePermit(context.db, principal, { ...body, issuedOn: body.issuedOn ?? today }, today));
    },
  }),
  ...recordActionRoute(
    'post',
    '/permits/:id/renew',
    'Renew a permit, only within the renewal window (default 30 days) before it expires',
    renewBody,
    201,
    (db, principal, id, body, today) => renewPermit(db, principal, id, body.years, today),
  )(context),
  ...recordActionRoute('post', '/permits/:id/revoke', 'Revoke a valid permit', revokeBody, 200, (db, principal, id, body, today) =>
    revokePermit(db, principal, id, body.reason, today),
  )(context),
  route({
    method: 'get',
    path: '/permits/expiring',
    access: REGISTRARS,
    summary: 'Valid permits of a grid’s current residents expiring within `days` (default 30); audited per person',
    schemas: { query: expiringQuery },
    handler: async ({ query, principal }, _request, response) => {
      response.json(await expiringPermits(context.db, principal, query.grid, query.days, query.purpose, chinaToday()));
    },
  }),
];
