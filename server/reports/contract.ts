import { z } from 'zod';
import { day, gridCode } from '../domain/contract-shapes.ts';
import { stayView } from '../domain/person-shapes.ts';
import type { RouteResponses } from '../domain/contract-shapes.ts';

/** What the per-grid registration follow-up lists answer. */

/** A listed stay with how many days its registration (or deregistration) took; null for a departure nobody deregistered. */
export const reportStay = stayView.extend({ daysToRegister: z.number().int().nullable() });
export const reportAnswer = z.object({
  grid: gridCode,
  kind: z.enum(['late_registrations', 'unregistered_departures']),
  period: z.object({ from: day.optional(), to: day.optional() }),
  count: z.number().int(),
  truncated: z.boolean(),
  stays: z.array(reportStay),
  foundUnregistered: z.number().int().optional().meta({ description: 'Late registrations: arrivals found that nobody registered (no person data)' }),
});

export const reportResponses: Record<string, RouteResponses> = {
  'get /api/reports/late-registrations': { 200: { description: 'Late registrations in the grid', schema: reportAnswer } },
  'get /api/reports/unregistered-departures': { 200: { description: 'Departures never or late deregistered in the grid', schema: reportAnswer } },
};
