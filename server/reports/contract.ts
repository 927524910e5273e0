import { z } from 'zod';
import { gridCode, row } from '../domain/contract-shapes.ts';
import type { RouteResponses } from '../http/route-registry.ts';

/** What the per-grid registration follow-up lists answer. */

export const reportAnswer = row({ grid: gridCode.optional(), rows: z.array(row({})).optional() });

export const reportResponses: Record<string, RouteResponses> = {
  'get /api/reports/late-registrations': { 200: { description: 'Late registrations in the grid', schema: reportAnswer } },
  'get /api/reports/unregistered-departures': { 200: { description: 'Departures never or late deregistered in the grid', schema: reportAnswer } },
};
