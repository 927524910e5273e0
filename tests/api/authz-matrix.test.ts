import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../server/db/schema.ts';
import { urlPathOf, type RouteSpec } from '../../server/http/route-registry.ts';
import { apiRoutes } from '../../server/routes.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';

/**
 * The authorisation matrix: every route with the roles allowed to call it. A route added to
 * the registry without an entry here, or whose roles change, fails the first test; the second
 * calls every route as anonymous and as every role and checks the answer.
 */
const ALL = ROLES;
const EXPECTED: Record<string, 'public' | readonly Role[]> = {
  'GET /api/health': 'public',
  'POST /api/auth/login': 'public',
  'GET /api/auth/me': ALL,
  'GET /api/auth/session': 'public',
  'POST /api/auth/password': ALL,
  'GET /api/auth/tokens': ALL,
  'POST /api/auth/tokens': ALL,
  'DELETE /api/auth/tokens/:id': ALL,
  'POST /api/auth/logout': ALL,
  'GET /api/areas': ALL,
  'GET /api/map-config': ALL,
  'GET /api/buildings.geojson': ALL,
  'GET /api/buildings/:code': ALL,
  'GET /api/units/:code': ALL,
  'POST /api/registrations/move-in': ['collector', 'police'],
  'POST /api/registrations/move-ins': ['collector', 'police'],
  'POST /api/registrations/move': ['collector', 'police'],
  'POST /api/registrations/move-out': ['collector', 'police'],
  'POST /api/permits': ['collector', 'police'],
  'POST /api/permits/:id/renew': ['collector', 'police'],
  'POST /api/permits/:id/revoke': ['collector', 'police'],
  'GET /api/permits/expiring': ['collector', 'police'],
  'GET /api/people/search': ['collector', 'police'],
  'GET /api/people/:id': ['collector', 'police'],
  'GET /api/people/:id/residences': ['collector', 'police'],
  'PATCH /api/people/:id': ['collector', 'police'],
  'GET /api/drilldown/buildings/:code': ['collector', 'police'],
  'GET /api/compounds': ['leader', 'planner', 'police', 'collector'],
  'GET /api/compounds.geojson': ['leader', 'planner', 'police', 'collector'],
  'GET /api/compounds/:code': ['leader', 'planner', 'police', 'collector'],
  'GET /api/units/:code/occupants': ['collector', 'police'],
  'POST /api/units/:code/check': ['police', 'collector'],
  'GET /api/reports/late-registrations': ['collector', 'police'],
  'GET /api/reports/unregistered-departures': ['collector', 'police'],
  'GET /api/heatmaps': ['leader', 'planner', 'police', 'collector'],
  'GET /api/heatmaps/:metric': ['leader', 'planner', 'police', 'collector'],
  'GET /api/heatmaps/cells': ['leader', 'planner', 'police', 'collector'],
  'POST /api/heatmaps/refresh': ['admin'],
  'GET /api/kpis': ['leader', 'planner', 'police', 'collector'],
  'GET /api/hotspots': ['leader', 'planner', 'police', 'collector'],
  'GET /api/hotspots/emerging': ['leader', 'planner', 'police', 'collector'],
  'GET /api/hotspots/changes': ['leader', 'planner', 'police', 'collector'],
  'GET /api/rentals/rules': ALL,
  'POST /api/rentals/rules': ['admin'],
  'POST /api/rentals/scores/run': ['admin'],
  'GET /api/rentals/tiers': ['police', 'collector', 'leader', 'planner'],
  'GET /api/rentals/tiers/grids': ['police', 'collector', 'leader', 'planner'],
  'GET /api/rentals/buildings/:code': ['police', 'collector', 'leader', 'planner'],
  'GET /api/rentals/buildings/:code/households': ['police', 'collector', 'leader', 'planner'],
  'GET /api/rentals/units/:code': ['police', 'collector', 'leader', 'planner'],
  'GET /api/rentals/buildings/:code/inspections': ['police', 'collector'],
  'POST /api/rentals/inspections': ['police', 'collector'],
  'GET /api/rentals/overdue': ['police', 'collector', 'leader', 'planner'],
  'GET /api/rentals/overdue/summary': ['police', 'collector', 'leader', 'planner'],
  'POST /api/rentals/person-flags': ['police'],
  'GET /api/collectors/settings': ['planner', 'admin', 'leader'],
  'PUT /api/collectors/settings': ['admin'],
  'GET /api/collectors/allocation': ['planner', 'admin', 'leader'],
  'GET /api/collectors/shortage': ['planner', 'admin', 'leader'],
  'GET /api/collectors/employers': ['planner', 'admin', 'leader'],
  'GET /api/collectors/rebalance': ['planner', 'admin', 'leader'],
  'GET /api/collectors/plan.csv': ['planner', 'admin', 'leader'],
  'GET /api/collectors/plan.xlsx': ['planner', 'admin', 'leader'],
  'GET /api/collectors/public/:areaCode': 'public',
  'GET /api/collectors': ['planner', 'admin'],
  'POST /api/collectors': ['planner', 'admin'],
  'GET /api/collectors/:id': ['planner', 'admin'],
  'PATCH /api/collectors/:id': ['planner', 'admin'],
  'POST /api/collectors/:id/assignments': ['planner', 'admin'],
  'POST /api/collectors/:id/assignments/:assignmentId/end': ['planner', 'admin'],
  'POST /api/imports': ['admin', 'collector'],
  'GET /api/imports': ['admin', 'collector'],
  'GET /api/imports/:id': ['admin', 'collector'],
  'GET /api/imports/:id/report.csv': ['admin', 'collector'],
  'GET /api/imports/templates/:file': ['admin', 'collector'],
  'GET /tiles/:layer/:z/:x/:y.mvt': ALL,
  'GET /tiles/:layer.json': ALL,
  'GET /style.json': ALL,
  'GET /ogc': 'public',
  'GET /ogc/conformance': 'public',
  'GET /ogc/collections': 'public',
  'GET /ogc/collections/:collectionId': 'public',
  'GET /ogc/collections/:collectionId/queryables': 'public',
  'GET /ogc/collections/:collectionId/items': ALL,
  'GET /ogc/collections/:collectionId/items/:featureId': ALL,
  'GET /api/exports/grids': ['leader', 'planner', 'police'],
  'GET /api/exports/buildings': ['leader', 'planner', 'police'],
  'GET /api/exports/pmtiles': ['leader', 'planner', 'police'],
  'GET /api/exports/people': ['police'],
  'GET /api/openapi.json': 'public',
  'GET /api/docs': 'public',
  'GET /api/audit': ['auditor'],
  'GET /api/audit/verify': ['auditor'],
  'GET /api/audit/checkpoints': ['auditor'],
  'GET /api/users': ['admin'],
  'POST /api/users': ['admin'],
  'PATCH /api/users/:id': ['admin'],
  'POST /api/users/:id/password': ['admin'],
  'GET /api/users/grants': ['admin', 'auditor'],
  'POST /api/users/grants/:id/approve': ['admin'],
  'POST /api/users/grants/:id/reject': ['admin'],
};

const WEST_UNIT = fixtureUnitCode(FIXTURE.westHouse, 1, 1);
/** A concrete URL for each parameterised route, inside the fixture city's west grid. */
function concreteUrl(spec: RouteSpec): string {
  const path = urlPathOf(spec);
  const byName: Record<string, string> = {
    metric: 'floating_density',
    areaCode: FIXTURE.community,
    layer: 'grids',
    z: '14',
    x: '13392',
    y: '7117',
    collectionId: 'grids',
    featureId: FIXTURE.gridWest,
    id: '1',
    assignmentId: '1',
    file: 'units.csv',
  };
  return path.replace(/:(\w+)/g, (_match, name: string) => {
    if (name === 'code') return path.includes('/units/') ? WEST_UNIT : FIXTURE.westHouse;
    return byName[name] ?? '1';
  });
}

const keyOf = (spec: RouteSpec) => `${spec.method.toUpperCase()} ${urlPathOf(spec)}`;

let t: TestApp;
let specs: RouteSpec[];
const sessions = new Map<Role, LoggedIn>();

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_USER_PER_MINUTE: '100000', RATE_LIMIT_IP_PER_MINUTE: '100000' });
  await insertFixtureCity(t.handle.db);
  for (const role of ALL) {
    await insertUser(t.handle.db, role, role, role === 'collector' ? [FIXTURE.gridWest] : [FIXTURE.district]);
  }
  specs = apiRoutes(t.context);
});
afterAll(async () => t?.close());

async function call(spec: RouteSpec, as: LoggedIn | undefined): Promise<number> {
  const url = concreteUrl(spec);
  // Logging out or changing the password would end the session the next calls use.
  const body = spec.path === '/auth/password' ? { currentPassword: 'wrong', newPassword: 'short' } : {};
  if (!as) return (await request(t.app)[spec.method](url).send(body)).status;
  if (spec.method === 'get') return (await as.get(url)).status;
  const agentCall = spec.method === 'post' ? as.post(url, body) : as.send(spec.method, url, body);
  return (await agentCall).status;
}

describe('authorisation matrix', () => {
  it('has an entry for every route, with the roles the route declares', () => {
    const declared = Object.fromEntries(specs.map((spec) => [keyOf(spec), spec.access === 'public' ? 'public' : [...spec.access].sort()]));
    const expected = Object.fromEntries(Object.entries(EXPECTED).map(([key, access]) => [key, access === 'public' ? 'public' : [...access].sort()]));
    expect(declared).toEqual(expected);
  });

  it('answers 401 to anonymous callers of every non-public route', async () => {
    for (const spec of specs.filter((candidate) => candidate.access !== 'public')) {
      expect({ route: keyOf(spec), status: await call(spec, undefined) }).toEqual({ route: keyOf(spec), status: 401 });
    }
  });

  it.each(ALL.map((role) => [role]))('lets %s call exactly its routes', async (role) => {
    const session = sessions.get(role) ?? (await t.logIn(role));
    sessions.set(role, session);
    const skipped = new Set(['POST /api/auth/logout']);
    for (const spec of specs.filter((candidate) => !skipped.has(keyOf(candidate)))) {
      const status = await call(spec, session);
      const allowed = spec.access === 'public' || spec.access.includes(role);
      const outcome = allowed
        ? status === 401 || status === 403 || status >= 500
          ? `refused ${status}`
          : 'allowed'
        : status === 403
          ? 'forbidden'
          : `unexpected ${status}`;
      expect({ route: keyOf(spec), outcome }).toEqual({ route: keyOf(spec), outcome: allowed ? 'allowed' : 'forbidden' });
    }
  });
});
