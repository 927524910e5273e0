import type { Request } from 'express';
import { z } from 'zod';
import { principalOf, type Principal } from '../auth/session.ts';
import { parseBuildingCode } from '../buildings/routes.ts';
import { normalizeIdNumber } from '../domain/id-number.ts';
import type { FeatureRoutes } from '../http/route-registry.ts';
import { assertInJurisdiction } from '../http/jurisdiction.ts';
import { bilingual, calendarDate, parseParams, parseQuery, textNumber } from '../http/validate.ts';
import { parseUnitCode } from '../units/routes.ts';
import { buildingFloorPlan, unitOccupants } from './drilldown.ts';
import { assertCodeInJurisdiction, REGISTRARS } from './guards.ts';
import { correctPerson, readPerson, readResidenceHistory, searchPeople, type PersonSearch } from './people.ts';
import { personDataRoute, recordActionRoute } from './route-factories.ts';
import { registrationReport, type RegistrationReportKind } from './reports.ts';
import { gridCode, idNumber, idParams, personCorrection, purpose } from './schemas.ts';

const SEARCH_KEYS = ['idNumber', 'name', 'address', 'code'] as const;
const searchQuery = z
  .object({
    purpose,
    idNumber: idNumber.optional(),
    name: z.string().trim().min(1).max(100).optional(),
    birthYear: textNumber(z.number().int().min(1880).max(2200)).optional(),
    address: z.string().trim().min(2).max(100).optional(),
    code: z.string().regex(/^\d{14,25}$/, 'must be the first 14 to 25 digits of a unit code (grid, building or unit)').optional(),
  })
  .superRefine((query, issues) => {
    if (SEARCH_KEYS.filter((key) => query[key] !== undefined).length !== 1) {
      issues.addIssue({ code: 'custom', path: ['(root)'], message: `search by exactly one of ${SEARCH_KEYS.join(', ')}`, params: { code: 'one_search_key', zh: `只能按 ${SEARCH_KEYS.join('、')} 中的一项查询` } });
    }
    if (query.birthYear !== undefined && query.name === undefined) {
      issues.addIssue({ code: 'custom', path: ['birthYear'], message: 'birthYear narrows a name search only', params: { code: 'name_search_only', zh: '出生年份只能配合姓名查询使用' } });
    }
  });

function toSearch(query: z.infer<typeof searchQuery>): PersonSearch {
  if (query.idNumber !== undefined) return { by: 'idNumber', idNumber: normalizeIdNumber(query.idNumber) };
  if (query.name !== undefined) return { by: 'name', name: query.name, birthYear: query.birthYear };
  if (query.address !== undefined) return { by: 'address', address: query.address };
  return { by: 'code', code: query.code! };
}

const reportQuery = z
  .object({ grid: gridCode, from: calendarDate.optional(), to: calendarDate.optional(), purpose })
  .refine((query) => query.from === undefined || query.to === undefined || query.from <= query.to, { message: bilingual('from must not be after to', '起始日期不能晚于截止日期'), path: ['to'] });

function reportRoute(kind: RegistrationReportKind, path: string, summary: string): FeatureRoutes {
  return (context) => [{
    method: 'get',
    path,
    access: REGISTRARS,
    summary,
    schemas: { query: reportQuery },
    handler: async (request, response) => {
      const { grid, from, to, purpose: why } = parseQuery(reportQuery, request);
      response.json(await registrationReport(context.db, principalOf(request), kind, grid, { from, to }, why));
    },
  }];
}

const personId = (request: Request) => parseParams(idParams, request).id;

function buildingInJurisdiction(request: Request, principal: Principal): string {
  const code = parseBuildingCode(request.params.code);
  assertInJurisdiction(principal, code, 'Building');
  return code;
}

function unitInJurisdiction(request: Request, principal: Principal): string {
  const code = parseUnitCode(request.params.code);
  assertInJurisdiction(principal, code, 'Unit');
  return code;
}

const personRoutes: FeatureRoutes = (context) => [
  {
    method: 'get',
    path: '/people/search',
    access: REGISTRARS,
    summary: 'Find people in one’s jurisdiction by idNumber, name (+birthYear), address or code; purpose required, audited',
    schemas: { query: searchQuery },
    handler: async (request, response) => {
      const query = parseQuery(searchQuery, request);
      const principal = principalOf(request);
      if (query.code !== undefined) assertCodeInJurisdiction(principal, query.code, 'code', 'Code');
      response.json(await searchPeople(context.db, principal, toSearch(query), query.purpose));
    },
  },
  ...personDataRoute('/people/:id', 'One person with current residence and permits (collectors: masked ID and phone)', idParams, personId, readPerson)(context),
  ...personDataRoute('/people/:id/residences', 'A person’s residence history, newest first (collectors: stays in their grids only)', idParams, personId, readResidenceHistory)(context),
  ...recordActionRoute('patch', '/people/:id', 'Correct a person’s fields (reason required); only changed field names are audited',
    personCorrection, 200, correctPerson)(context),
];

export const readRoutes: FeatureRoutes = (context) => [
  ...personRoutes(context),
  ...personDataRoute('/drilldown/buildings/:code', 'Floor plan data: floors → units (use, rental status, counts) → current occupants', undefined, buildingInJurisdiction, buildingFloorPlan)(context),
  ...personDataRoute('/units/:code/occupants', 'A unit’s current occupants and past residents, newest first', undefined, unitInJurisdiction, unitOccupants)(context),
  ...reportRoute('late_registrations', '/reports/late-registrations', 'Arrivals registered more than 7 days late in a grid; audited per person')(context),
  ...reportRoute('unregistered_departures', '/reports/unregistered-departures', 'Departures never or late deregistered in a grid; audited per person')(context),
];
