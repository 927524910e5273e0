import type { AppContext } from './context.ts';
import { areaRoutes } from './areas/routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { authRoutes } from './auth/routes.ts';
import { buildingRoutes } from './buildings/routes.ts';
import { healthRoutes } from './health/routes.ts';
import type { FeatureRoutes, RouteSpec } from './http/route-registry.ts';
import { unitRoutes } from './units/routes.ts';
import { peopleRoutes } from './people/routes.ts';
import { permitsRoutes } from './permits/routes.ts';
import { reportsRoutes } from './reports/routes.ts';
import { heatmapsRoutes } from './heatmaps/routes.ts';
import { kpisRoutes } from './kpis/routes.ts';
import { rentalsRoutes } from './rentals/routes.ts';
import { collectorsRoutes } from './collectors/routes.ts';
import { importsRoutes } from './imports/routes.ts';
import { tilesRoutes } from './tiles/routes.ts';
import { ogcRoutes } from './ogc/routes.ts';
import { openapiRoutes } from './openapi/routes.ts';
import { exportsRoutes } from './exports/routes.ts';
import { usersRoutes } from './users/routes.ts';
import { mapRoutes } from './map/routes.ts';
import { compoundRoutes } from './compounds/routes.ts';
import { tokensRoutes } from './tokens/routes.ts';
import { hotspotsRoutes } from './hotspots/routes.ts';
import { withDeclaredResponses } from './openapi/declared-responses.ts';

/** Every feature's routes, mounted under /api. Add a feature here and to the authorisation matrix. */
const FEATURES: FeatureRoutes[] = [
  healthRoutes,
  authRoutes,
  areaRoutes,
  buildingRoutes,
  unitRoutes,
  peopleRoutes,
  permitsRoutes,
  reportsRoutes,
  heatmapsRoutes,
  kpisRoutes,
  rentalsRoutes,
  collectorsRoutes,
  importsRoutes,
  tilesRoutes,
  ogcRoutes,
  exportsRoutes,
  auditRoutes,
  usersRoutes,
  mapRoutes,
  compoundRoutes,
  tokensRoutes,
  hotspotsRoutes,
];

/**
 * Every feature's routes, built once, the OpenAPI document's last: it describes this same list
 * (building the routes again would start a second copy of their caches, warmers and watches).
 */
export function apiRoutes(context: AppContext): RouteSpec[] {
  const routes: RouteSpec[] = [];
  const features = [...FEATURES, () => openapiRoutes(() => routes)];
  routes.push(...features.flatMap((feature) => feature(context)).map(withDeclaredResponses));
  return routes;
}
