import { z } from 'zod';
import { ALLOCATION_MODES } from '../domain/allocation.ts';
import { CSV, day, type RouteResponses, row, XLSX } from '../domain/contract-shapes.ts';

export const allocationSettings = z.object({
  mode: z.enum(ALLOCATION_MODES),
  floatingPerCollector: z.number(),
  rentalHousesPerCollector: z.number(),
  populationPerCollector: z.number(),
  smallCommunityFloatingBelow: z.number(),
  smallCommunityMinimum: z.number(),
  employerFloatingStaffForPartTime: z.number(),
});
/** What every allocation view starts with: the area asked, and the settings it was computed with. */
const viewMeta = { within: z.string().nullable(), whatIf: z.boolean(), settings: allocationSettings, savedSettings: allocationSettings };
const areaFigures = row({ code: z.string(), level: z.string(), need: z.number(), gap: z.number(), shortage: z.number(), surplus: z.number() });

export const settingsAnswer = z.object({ settings: allocationSettings, defaults: allocationSettings });
export const allocationAnswer = z.looseObject({ ...viewMeta, level: z.string(), sort: z.string(), totals: areaFigures, total: z.number().int(), rows: z.array(areaFigures), communities: z.array(row({ code: z.string() })).optional() });
export const shortageAnswer = z.object({ ...viewMeta, level: z.string(), scale: z.object({ maxShortage: z.number(), maxSurplus: z.number(), maxAbsGap: z.number() }), areas: z.array(row({ code: z.string(), need: z.number(), assigned: z.number(), gap: z.number() })) });
export const employersAnswer = z.object({ ...viewMeta, employers: z.array(row({})) });
export const rebalanceAnswer = z.object({ ...viewMeta, reach: z.number().int(), summary: row({ moves: z.number().int() }), moves: z.array(row({})) });
export const publicCardAnswer = z.object({
  area: row({ code: z.string(), name: z.string() }),
  collectors: z.array(z.object({ name: z.string(), photoUrl: z.string().nullable(), area: z.object({ code: z.string(), name: z.string() }) })),
});
/** A collector with their assignments (roster.ts CollectorDetail). */
export const collectorView = z.object({
  id: z.number().int(),
  name: z.string(),
  phone: z.string().nullable(),
  photoUrl: z.string().nullable(),
  employment: z.enum(['full_time', 'part_time']),
  employer: z.string().nullable(),
  active: z.boolean(),
  assignments: z.array(z.object({ id: z.number().int(), collectorId: z.number().int(), gridCode: z.string(), gridName: z.string(), assignedOn: day, endedOn: day.nullable() })),
});
export const collectorListAnswer = z.object({ total: z.number().int(), collectors: z.array(collectorView) });

const json = (description: string, schema: z.ZodType, status = 200): RouteResponses => ({ [status]: { description, schema } });

export const collectorResponses: Record<string, RouteResponses> = {
  'get /api/collectors/settings': json('The saved allocation settings and the defaults', settingsAnswer),
  'put /api/collectors/settings': json('The saved settings', z.object({ settings: allocationSettings })),
  'get /api/collectors/allocation': json('Collectors needed and assigned per area', allocationAnswer),
  'get /api/collectors/shortage': json('Shortage and surplus per area, for the map', shortageAnswer),
  'get /api/collectors/employers': json('Employers whose floating staff call for part-time collectors', employersAnswer),
  'get /api/collectors/rebalance': json('Proposed moves of collectors from surplus to shortage', rebalanceAnswer),
  'get /api/collectors/plan.csv': { 200: { description: 'The allocation plan as CSV', contentType: CSV } },
  'get /api/collectors/plan.xlsx': { 200: { description: 'The allocation plan as an Excel workbook', contentType: XLSX } },
  'get /api/collectors/public/:areaCode': json('The public card of the area', publicCardAnswer),
  'get /api/collectors': json('Collectors with their open assignments', collectorListAnswer),
  'post /api/collectors': { ...json('The new collector', collectorView, 201), 409: { description: 'A collector with that ID number exists' } },
  'get /api/collectors/:id': json('The collector with assignments', collectorView),
  'patch /api/collectors/:id': json('The changed collector', collectorView),
  'post /api/collectors/:id/assignments': { ...json('The new assignment', row({ id: z.number().int() }), 201), 409: { description: 'The collector already serves that grid' } },
  'post /api/collectors/:id/assignments/:assignmentId/end': json('The ended assignment', row({ id: z.number().int() })),
};
