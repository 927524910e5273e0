import { z } from 'zod';
import { COMPOUND_CODE } from '../domain/compounds.ts';
import { seesPersonData } from '../domain/privacy.ts';
import { assertInJurisdiction } from '../http/jurisdiction.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { bilingual, parseQuery } from '../http/validate.ts';
import { purpose } from '../person-data/schemas.ts';
import { compoundDrilldown, compoundOutlineCollection, listCompounds } from './service.ts';

/** Who reads compounds: everyone who reads figures of places; people only police and collectors (in the service). */
const READERS = ['leader', 'planner', 'police', 'collector'] as const;

const listQuery = z.object({
  within: z
    .string()
    .regex(
      /^(\d{6}|\d{9}|\d{12}|\d{14})$/,
      bilingual(
        'must be an area code: district (6 digits), street (9), community (12) or grid (14)',
        '须为区域编码：区（6 位）、街道（9 位）、社区（12 位）或网格（14 位）',
      ),
    )
    .optional(),
});
const codeParams = z.object({
  code: z
    .string()
    .regex(
      COMPOUND_CODE,
      bilingual(
        'must be a compound code: the community code (12 digits), a hyphen and 3 digits, e.g. 440307001001-001',
        '须为小区编码：社区编码（12 位）、连字符和 3 位数字，如 440307001001-001',
      ),
    ),
});
const drilldownQuery = z.object({ purpose: purpose.optional() });
const personDataQuery = z.object({ purpose });

export const compoundRoutes: FeatureRoutes = (context) => [
  route({
    method: 'get',
    path: '/compounds',
    access: READERS,
    summary:
      'Compounds (小区/院落) inside an area (default: the caller’s jurisdiction) with buildings, units, occupied and let units, rental houses, residents (under k withheld from aggregate roles) and the occupancy rate',
    schemas: { query: listQuery },
    handler: async ({ query: { within }, principal }, _request, response) => {
      if (within !== undefined) assertInJurisdiction(principal, within, 'Area');
      response.json(await listCompounds(context.db, principal, within));
    },
  }),
  route({
    method: 'get',
    path: '/compounds.geojson',
    access: READERS,
    summary: 'Compound outlines (convex hull of their buildings, widened 10 m) inside the caller’s jurisdiction, as GeoJSON',
    handler: async ({ principal }, _request, response) => {
      const outlines = await compoundOutlineCollection(context.db, principal);
      response.type('application/geo+json').send(JSON.stringify(outlines));
    },
  }),
  route({
    method: 'get',
    path: '/compounds/:code',
    access: READERS,
    // Police and collectors read people here, so every caller pays the audited rate.
    cost: 'audited',
    summary: 'One compound: buildings → floors → units (→ current occupants for police and collectors, purpose required, audited) with totals',
    schemas: { params: codeParams, query: drilldownQuery },
    handler: async ({ params: { code }, principal }, request, response) => {
      const { purpose: why } = seesPersonData(principal) ? parseQuery(personDataQuery, request) : { purpose: undefined };
      response.json(await compoundDrilldown(context.db, principal, code, why));
    },
  }),
];
