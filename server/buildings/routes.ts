import type { Request } from 'express';
import { z } from 'zod';
import type { Principal } from '../auth/session.ts';
import type { Bbox } from '../domain/coordinates.ts';
import { seesPersonData } from '../domain/privacy.ts';
import { ROLES } from '../db/schema.ts';
import { parseBuildingCode } from '../http/code-params.ts';
import { notFound } from '../http/errors.ts';
import { assertInJurisdiction, visiblePrefixes } from '../http/jurisdiction.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { bboxSchema, textNumber } from '../http/validate.ts';
import { personDataRoute } from '../person-data/route-factories.ts';
import { buildingsInBbox, findBuilding } from './repository.ts';
import { buildingFloorPlan } from './service.ts';

const MAX_FOOTPRINTS = 20000;
const footprintQuery = z.object({
  bbox: bboxSchema.optional(),
  limit: textNumber(z.number().int().min(1).max(MAX_FOOTPRINTS).default(MAX_FOOTPRINTS)),
});
const WHOLE_WORLD: Bbox = [-180, -90, 180, 90];

function buildingInJurisdiction({ principal }: { principal: Principal }, request: Request): string {
  const code = parseBuildingCode(request.params.code);
  assertInJurisdiction(principal, code, 'Building');
  return code;
}

export const buildingRoutes: FeatureRoutes = (context) => [
  route({
    method: 'get',
    path: '/buildings.geojson',
    access: ROLES,
    summary: "Building footprints inside a bbox and the caller's jurisdiction as GeoJSON (capped; see truncated)",
    schemas: { query: footprintQuery },
    handler: async ({ query: { bbox, limit }, principal }, _request, response) => {
      const { features, truncated } = await buildingsInBbox(context.db, bbox ?? WHOLE_WORLD, limit, visiblePrefixes(principal));
      response.type('application/geo+json').send(JSON.stringify({ type: 'FeatureCollection', truncated, features }));
    },
  }),
  route({
    method: 'get',
    path: '/buildings/:code',
    access: ROLES,
    summary: 'One building by its 19-digit code',
    handler: async ({ principal }, request, response) => {
      const code = buildingInJurisdiction({ principal }, request);
      const building = await findBuilding(context.db, code);
      if (!building) throw notFound('Building', code);
      // The landlord is a person: named only to police and collectors.
      response.json(seesPersonData(principal) ? building : { ...building, landlordName: null });
    },
  }),
  ...personDataRoute(
    '/drilldown/buildings/:code',
    'Floor plan data: floors → units (use, rental status, counts) → current occupants',
    undefined,
    buildingInJurisdiction,
    buildingFloorPlan,
  )(context),
];
