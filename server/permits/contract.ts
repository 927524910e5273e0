import { z } from 'zod';
import { day, gridCode } from '../domain/contract-shapes.ts';
import { permitStatus, personView, unitCode } from '../domain/person-shapes.ts';
import type { RouteResponses } from '../domain/contract-shapes.ts';

/** What the residence-permit routes answer. */

export const permitView = z.object({
  id: z.number().int(),
  personId: z.number().int(),
  permitNo: z.string(),
  issuedOn: day,
  expiresOn: day,
  years: z.number().int(),
  status: permitStatus,
  revokedOn: day.nullable(),
  renewedFrom: z.number().int().nullable(),
  renewalOpensOn: day,
});
/** A permit about to expire, with its holder (as the caller may see them) and the unit they live in. */
export const expiringPermit = permitView.extend({ unitCode, person: personView });
export const expiringPermitsAnswer = z.object({ grid: gridCode, from: day, until: day, permits: z.array(expiringPermit) });

export const permitResponses: Record<string, RouteResponses> = {
  'post /api/permits': { 201: { description: 'The permit', schema: permitView }, 409: { description: 'The person already holds a valid permit' } },
  'post /api/permits/:id/renew': {
    201: { description: 'The renewed permit', schema: permitView },
    409: { description: 'Outside the renewal window, or not valid' },
  },
  'post /api/permits/:id/revoke': { 200: { description: 'The revoked permit', schema: permitView }, 409: { description: 'The permit is not valid' } },
  'get /api/permits/expiring': {
    200: { description: 'Permits expiring within the days asked, in the grid (audited per person)', schema: expiringPermitsAnswer },
  },
};
