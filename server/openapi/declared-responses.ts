import { areaResponses } from '../areas/contract.ts';
import { auditResponses } from '../audit/contract.ts';
import { authResponses } from '../auth/contract.ts';
import { buildingResponses } from '../buildings/contract.ts';
import { collectorResponses } from '../collectors/contract.ts';
import { compoundResponses } from '../compounds/contract.ts';
import { exportResponses } from '../exports/contract.ts';
import { healthResponses } from '../health/contract.ts';
import { heatmapResponses } from '../heatmaps/contract.ts';
import { hotspotResponses } from '../hotspots/contract.ts';
import { urlPathOf, type RouteResponses, type RouteSpec } from '../http/route-registry.ts';
import { importResponses } from '../imports/contract.ts';
import { kpiResponses } from '../kpis/contract.ts';
import { mapResponses } from '../map/contract.ts';
import { ogcResponses } from '../ogc/contract.ts';
import { peopleResponses } from '../people/contract.ts';
import { permitResponses } from '../permits/contract.ts';
import { reportResponses } from '../reports/contract.ts';
import { rentalResponses } from '../rentals/contract.ts';
import { tileResponses } from '../tiles/contract.ts';
import { unitResponses } from '../units/contract.ts';
import { userResponses } from '../users/contract.ts';

/**
 * Each feature's contract.ts lists what its routes answer, keyed 'method /url/path' (the
 * Express path under its mount). They are joined to the route specs here rather than inside
 * each route, so the contracts stay zod-only modules the web client can import.
 */
export const DECLARED_RESPONSES: Readonly<Record<string, RouteResponses>> = {
  ...healthResponses,
  ...authResponses,
  ...areaResponses,
  ...buildingResponses,
  ...unitResponses,
  ...peopleResponses,
  ...permitResponses,
  ...reportResponses,
  ...heatmapResponses,
  ...kpiResponses,
  ...rentalResponses,
  ...collectorResponses,
  ...importResponses,
  ...tileResponses,
  ...ogcResponses,
  ...exportResponses,
  ...auditResponses,
  ...userResponses,
  ...mapResponses,
  ...compoundResponses,
  ...hotspotResponses,
};

export const responseKeyOf = (spec: RouteSpec) => `${spec.method} ${urlPathOf(spec)}`;

/** The spec with its declared answers; those the route states itself come first. */
export function withDeclaredResponses(spec: RouteSpec): RouteSpec {
  const declared = DECLARED_RESPONSES[responseKeyOf(spec)];
  return declared || spec.responses ? { ...spec, responses: { ...declared, ...spec.responses } } : spec;
}
