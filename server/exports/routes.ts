import type { z } from 'zod';
import { recordAudit } from '../audit/service.ts';
import type { Principal } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { route, type FeatureRoutes, type RouteSpec } from '../http/route-registry.ts';
import { buildingLayer } from './buildings.ts';
import { sendLayer, sendTables, type LayerFormat } from './formats.ts';
import { gridLayer } from './grids.ts';
import { inCrs, type Layer, type OutputCrs } from './layer.ts';
import { occupantsTable } from './people.ts';
import { buildingExportQuery, gridExportQuery, peopleExportQuery } from './schemas.ts';
import type { ExportScope } from './repository.ts';
import { exportScope } from './scope.ts';
import { LAYER_EXPORTERS, PERSON_EXPORTERS } from '../domain/roles.ts';
import { fileStem } from '../http/attachments.ts';

/** Downloads: aggregated layers in four formats, and police lists of occupants (issue 9). */

interface LayerQuery {
  format: LayerFormat;
  crs: OutputCrs;
  area?: string | undefined;
}

const scopeLabel = (scope: ExportScope) => (scope === null ? 'all' : scope.join('_') || 'none');

/**
 * A layer download: validate, cut the area to the caller's jurisdiction, build the layer, record
 * the export (layers hold no person data, but who took which file is kept, as for the
 * collectors' plan), convert the coordinates and send the file.
 */
function layerRoute<Q extends z.ZodType<LayerQuery>>(
  context: AppContext,
  path: string,
  summary: string,
  schema: Q,
  build: (query: z.infer<Q>, principal: Principal, scope: ExportScope) => Promise<Layer>,
): RouteSpec {
  return route({
    method: 'get',
    path,
    summary,
    access: LAYER_EXPORTERS,
    cost: 'bulk',
    schemas: { query: schema },
    acceptsAccessToken: true,
    handler: async ({ query, principal }, _request, response) => {
      const scope = await exportScope(context.db, principal, query.area);
      // `schema` parsed it; TypeScript cannot resolve the parsed type of a schema that is a type parameter.
      const layer = await build(query as z.infer<Q>, principal, scope);
      await recordAudit(context.db, principal, {
        action: 'export',
        targetType: `${layer.name}_layer` as const,
        targetId: scopeLabel(scope),
        details: { format: query.format, crs: query.crs, features: layer.features.length },
      });
      await sendLayer(response, inCrs(layer, query.crs), query.format, query.crs, fileStem(layer.name, scopeLabel(scope), query.crs));
    },
  });
}

export const exportsRoutes: FeatureRoutes = (context) => [
  layerRoute(
    context,
    '/exports/grids',
    'Grids with their population, rate, case, rental, tier and collector figures as CSV, XLSX, GeoJSON or GeoPackage; leaders get small counts suppressed',
    gridExportQuery,
    ({ asOf, from, to }, principal, scope) => gridLayer(context.db, principal, { scope, asOf, from, to }),
  ),
  layerRoute(
    context,
    '/exports/buildings',
    'Active buildings as points with units, rentals and the rental tier of a scoring month, as CSV, XLSX, GeoJSON or GeoPackage',
    buildingExportQuery,
    ({ month, tier }, _principal, scope) => buildingLayer(context.db, { scope, month, tier }),
  ),
  route({
    method: 'get',
    path: '/exports/people',
    access: PERSON_EXPORTERS,
    cost: 'bulk',
    summary: 'Police: the current occupants of a building or grid in their jurisdiction as CSV or XLSX; purpose required, audited',
    schemas: { query: peopleExportQuery },
    handler: async ({ query: { format, building, grid, purpose, masked }, principal }, _request, response) => {
      const target = building ? { kind: 'building' as const, code: building } : { kind: 'grid' as const, code: grid! };
      const table = await occupantsTable(context.db, principal, { target, purpose, format, masked });
      await sendTables(response, format, fileStem('people', target.code), [table]);
    },
  }),
];
