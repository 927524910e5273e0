import { z } from 'zod';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { bilingual, calendarDate } from '../http/validate.ts';
import { REGISTRARS } from '../person-data/guards.ts';
import { gridCode, purpose } from '../person-data/schemas.ts';
import type { RegistrationReportKind } from './repository.ts';
import { registrationReport } from './service.ts';

const reportQuery = z
  .object({ grid: gridCode, from: calendarDate.optional(), to: calendarDate.optional(), purpose })
  .refine((query) => query.from === undefined || query.to === undefined || query.from <= query.to, {
    message: bilingual('from must not be after to', '起始日期不能晚于截止日期'),
    path: ['to'],
  });

function reportRoute(kind: RegistrationReportKind, path: string, summary: string): FeatureRoutes {
  return (context) => [
    route({
      method: 'get',
      path,
      access: REGISTRARS,
      summary,
      schemas: { query: reportQuery },
      handler: async ({ query: { grid, from, to, purpose: why }, principal }, _request, response) => {
        response.json(await registrationReport(context.db, principal, kind, grid, { from, to }, why));
      },
    }),
  ];
}

export const reportsRoutes: FeatureRoutes = (context) => [
  ...reportRoute('late_registrations', '/reports/late-registrations', 'Arrivals registered more than 7 days late in a grid; audited per person')(context),
  ...reportRoute('unregistered_departures', '/reports/unregistered-departures', 'Departures never or late deregistered in a grid; audited per person')(context),
];
