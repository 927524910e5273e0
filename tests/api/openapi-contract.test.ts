import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROLES, type Role } from '../../server/db/schema.ts';
import { DECLARED_RESPONSES, responseKeyOf } from '../../server/openapi/declared-responses.ts';
import { exampleOf } from '../../server/openapi/document.ts';
import { urlPathOf, type RouteSpec } from '../../server/http/route-registry.ts';
import { apiRoutes } from '../../server/routes.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { addDays, addYears, chinaToday } from '../../server/domain/calendar.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { daysAgo, floatingAdult, idCard } from '../helpers/registration-fixture.ts';

/**
 * The OpenAPI document as a contract: it passes `redocly lint` (recommended rules), every
 * operation says what it answers on success, and what the server really sends matches the zod
 * schema the document was generated from, so the two cannot drift apart unnoticed.
 */

type Operation = { operationId: string; responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }> };
let t: TestApp;
let served: request.Response;
const callers = new Map<Role, LoggedIn>();

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  for (const role of ROLES) {
    await insertUser(t.handle.db, role, role, role === 'collector' ? [FIXTURE.gridWest] : [FIXTURE.district]);
    callers.set(role, await t.logIn(role));
  }
  served = await request(t.app).get('/api/openapi.json').expect(200);
}, 120_000);
afterAll(async () => t?.close());

const operations = () =>
  Object.entries(served.body.paths as Record<string, Record<string, Operation>>).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${template}`, operation })),
  );

describe('the served OpenAPI document', () => {
  it('is served as the OpenAPI media type the OGC landing page announces, and as JSON to a client that asks for JSON', async () => {
    const landing = await request(t.app).get('/ogc?f=json').expect(200);
    const link = (landing.body.links as { rel: string; type: string }[]).find((candidate) => candidate.rel === 'service-desc')!;
    expect(link.type).toBe('application/vnd.oai.openapi+json;version=3.1');
    expect(served.headers['content-type']).toMatch(/^application\/vnd\.oai\.openapi\+json; ?version=3\.1/);
    expect(JSON.parse(served.text).openapi).toBe('3.1.0');
    const plain = await request(t.app).get('/api/openapi.json').set('Accept', 'application/json').expect(200);
    expect(plain.headers['content-type']).toMatch(/^application\/json/);
    expect(plain.body.openapi).toBe('3.1.0');
    const anything = await request(t.app).get('/api/openapi.json').set('Accept', 'text/html, */*;q=0.1').expect(200);
    expect(anything.headers['content-type']).toMatch(/^application\/vnd\.oai\.openapi\+json/);
  });

  it('passes `redocly lint` with the recommended rules and no error', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'renwu-openapi-'));
    const file = path.join(directory, 'openapi.json');
    fs.writeFileSync(file, served.text);
    const redocly = path.resolve('node_modules/.bin/redocly');
    const run = await promisify(execFile)(redocly, ['lint', '--extends', 'recommended', '--format', 'json', file], { maxBuffer: 64 * 1024 * 1024 })
      .then(({ stdout }) => stdout)
      .catch((failure: { stdout?: string }) => failure.stdout ?? '');
    fs.rmSync(directory, { recursive: true, force: true });
    const problems = (JSON.parse(run.slice(run.indexOf('{'))).problems ?? []) as {
      ruleId: string;
      severity: string;
      message: string;
      location: { pointer: string }[];
    }[];
    const errors = problems.filter((problem) => problem.severity === 'error');
    const warnings = problems.filter((problem) => problem.severity === 'warn');
    console.log(`redocly lint: ${errors.length} errors, ${warnings.length} warnings (${[...new Set(warnings.map((warning) => warning.ruleId))].join(', ')})`);
    expect(errors.map((error) => `${error.ruleId} ${error.location[0]?.pointer}: ${error.message}`)).toEqual([]);
  }, 120_000);

  it('gives every operation a success answer with a schema or media type, and an example for JSON', () => {
    const lacking = operations().filter(({ operation }) => {
      const successes = Object.entries(operation.responses).filter(([status]) => /^2\d\d$/.test(status));
      const described = successes.some(([status, response]) => status === '204' || Object.values(response.content ?? {}).some((media) => media.schema));
      const jsonWithoutExample = successes.some(([, response]) =>
        Object.entries(response.content ?? {}).some(([type, media]) => /[/+]json\b/.test(type) && media.example === undefined),
      );
      return !described || jsonWithoutExample;
    });
    expect(lacking.map(({ name }) => name)).toEqual([]);
  });

  it('lists 401/403 on protected routes, 404 where a path names a thing, 429 everywhere, and RFC 7807 problems under /ogc', () => {
    for (const { name, operation } of operations()) {
      const statuses = Object.keys(operation.responses);
      expect(statuses, name).toContain('429');
      if (name.includes('{')) expect(statuses, name).toContain('404');
    }
    const items = served.body.paths['/ogc/collections/{collectionId}/items'].get.responses;
    expect(items['400'].$ref).toBe('#/components/responses/Problem400');
    expect(served.body.components.responses.Problem400.content['application/problem+json'].example).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(served.body.paths['/api/units/{code}'].get.responses['401'].$ref).toBe('#/components/responses/Error401');
  });

  it('keys every declared answer to a registered route, so none is left behind by a renamed path', () => {
    const routes = new Set(apiRoutes(t.context).map(responseKeyOf));
    expect(Object.keys(DECLARED_RESPONSES).filter((key) => !routes.has(key))).toEqual([]);
  });

  it('describes the login body, the multipart upload of imports and the 202/204 answers', () => {
    const login = served.body.paths['/api/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['username', 'password']);
    const upload = served.body.paths['/api/imports'].post;
    expect(upload.requestBody.content['multipart/form-data'].schema).toMatchObject({
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    });
    expect(Object.keys(upload.responses)).toContain('202');
    expect(Object.keys(served.body.paths['/api/auth/logout'].post.responses)).toContain('204');
    expect(served.body.paths['/api/auth/logout'].post.security).toEqual([{ session: [], csrf: [] }]);
  });
});

/** The query parameters a route requires, each at the example its schema gives (the first enum value, ...). */
function requiredQueryOf(spec: RouteSpec): string {
  if (!spec.schemas?.query) return '';
  const schema = z.toJSONSchema(spec.schemas.query, { io: 'input', unrepresentable: 'any' }) as {
    required?: string[];
    properties?: Record<string, Record<string, unknown>>;
  };
  const query = new URLSearchParams((schema.required ?? []).map((name) => [name, String(exampleOf(schema.properties?.[name] ?? {}))]));
  return query.size > 0 ? `?${query}` : '';
}

/** A caller allowed on the route: the first role of its access list (anonymous for public routes). */
function callerOf(spec: RouteSpec): LoggedIn | request.Agent {
  if (spec.access === 'public') return request.agent(t.app);
  return callers.get(spec.access[0]!)!;
}

describe('what the server sends matches the declared zod schemas', () => {
  it('for every GET route without path parameters that its first role can call on the test city', async () => {
    const checked: string[] = [];
    const refused: string[] = [];
    const specs = apiRoutes(t.context).filter((spec) => spec.method === 'get' && !spec.path.includes(':'));
    for (const spec of specs) {
      const success = spec.responses?.[200];
      if (!success?.schema || ![success.contentType ?? 'application/json'].flat().some((type) => /json/.test(type))) continue;
      const response = await callerOf(spec).get(urlPathOf(spec) + requiredQueryOf(spec));
      if (response.status !== 200) {
        refused.push(`${urlPathOf(spec)} ${response.status}`);
        continue;
      }
      const body = response.body && Object.keys(response.body).length > 0 ? response.body : JSON.parse(response.text);
      const parsed = success.schema.safeParse(body);
      expect(parsed.success ? [] : parsed.error.issues.slice(0, 5), `GET ${urlPathOf(spec)}`).toEqual([]);
      checked.push(urlPathOf(spec));
    }
    console.log(`checked ${checked.length} GET answers against their schemas; not 200 (need query parameters): ${refused.join(', ') || 'none'}`);
    expect(checked.length).toBeGreaterThanOrEqual(25);
  }, 180_000);

  // Routes that name a thing or need a real code: called on the fixture city by a role allowed to.
  const NAMED: [Role, string, string][] = [
    ['planner', 'get /api/buildings/:code', `/api/buildings/${FIXTURE.westHouse}`],
    ['planner', 'get /api/kpis', `/api/kpis?area=${FIXTURE.district}`],
    ['planner', 'get /api/heatmaps/:metric', `/api/heatmaps/floating_density?level=grid`],
    ['planner', 'get /tiles/:layer.json', '/tiles/grids.json'],
    ['planner', 'get /ogc/collections/:collectionId', '/ogc/collections/grids?f=json'],
    ['planner', 'get /ogc/collections/:collectionId/queryables', '/ogc/collections/grids/queryables?f=json'],
    ['planner', 'get /ogc/collections/:collectionId/items', '/ogc/collections/grids/items?f=json'],
    ['planner', 'get /ogc/collections/:collectionId/items/:featureId', `/ogc/collections/grids/items/${FIXTURE.gridWest}?f=json`],
    ['police', 'get /api/rentals/buildings/:code/inspections', `/api/rentals/buildings/${FIXTURE.westHouse}/inspections`],
    ['police', 'get /api/reports/late-registrations', `/api/reports/late-registrations?grid=${FIXTURE.gridWest}&purpose=openapi%20contract%20test`],
    ['police', 'get /api/permits/expiring', `/api/permits/expiring?grid=${FIXTURE.gridWest}&purpose=openapi%20contract%20test`],
  ];
  it.each(NAMED)('as %s: %s', async (role, key, url) => {
    const success = DECLARED_RESPONSES[key]?.[200];
    expect(success?.schema, key).toBeDefined();
    const response = await callers.get(role)!.get(url).expect(200);
    const body = response.body && Object.keys(response.body).length > 0 ? response.body : JSON.parse(response.text);
    const parsed = success!.schema!.safeParse(body);
    expect(parsed.success ? [] : parsed.error.issues.slice(0, 5)).toEqual([]);
  });
});

/** The body of `response` checked against the schema declared for its route and status. */
function mismatchOf(key: string, response: request.Response): unknown[] {
  const declared = DECLARED_RESPONSES[key]?.[response.status];
  expect(declared?.schema, `${key} ${response.status}`).toBeDefined();
  const parsed = declared!.schema!.safeParse(response.body);
  return parsed.success ? [] : parsed.error.issues.slice(0, 5);
}

// Answers the web derives its types from (web/src/lib/api/contracts.ts) that the GET sweep above cannot
// reach: writes, and reads that need a thing on file first (a compound, a scored month).
describe('what the server sends on writes and on things made for the purpose matches the declared zod schemas', () => {
  const COMPOUND = `${FIXTURE.community}-001`;
  beforeAll(async () => {
    await t.handle.db.insertInto('compounds').values({ code: COMPOUND, community_code: FIXTURE.community, name: '契约院' }).execute();
    await t.handle.db.updateTable('buildings').set({ compound_code: COMPOUND }).where('code', 'in', [FIXTURE.westHouse, FIXTURE.eastHouse]).execute();
  });

  it('a compound drill-down, with people (police) and without (leader)', async () => {
    const police = await callers
      .get('police')!
      .get(`/api/compounds/${COMPOUND}?purpose=${encodeURIComponent('契约检查')}`)
      .expect(200);
    expect(mismatchOf('get /api/compounds/:code', police)).toEqual([]);
    expect(police.body.buildings).toHaveLength(2);
    const leader = await callers.get('leader')!.get(`/api/compounds/${COMPOUND}`).expect(200);
    expect(mismatchOf('get /api/compounds/:code', leader)).toEqual([]);
  });

  it('a user created and changed by an admin, and the grant it waits on', async () => {
    const admin = callers.get('admin')!;
    const created = await admin
      .post('/api/users', {
        username: 'contract.police',
        displayName: '契约',
        role: 'police',
        jurisdiction: [FIXTURE.community],
        temporaryPassword: 'Contract-check-1234',
      })
      .expect(201);
    expect(mismatchOf('post /api/users', created)).toEqual([]);
    const changed = await admin.send('patch', `/api/users/${created.body.id}`, { displayName: '契约二' }).expect(200);
    expect(mismatchOf('patch /api/users/:id', changed)).toEqual([]);
    const grants = await admin.get('/api/users/grants').expect(200);
    expect(mismatchOf('get /api/users/grants', grants)).toEqual([]);
    expect(grants.body.grants.length).toBeGreaterThan(0);
  });

  it('a scoring run, then the scored households of a building and the tier map', async () => {
    const run = await callers.get('admin')!.post('/api/rentals/scores/run', { from: '2025-05', to: '2025-06' }).expect(200);
    expect(mismatchOf('post /api/rentals/scores/run', run)).toEqual([]);
    const households = await callers.get('planner')!.get(`/api/rentals/buildings/${FIXTURE.westHouse}/households`).expect(200);
    expect(mismatchOf('get /api/rentals/buildings/:code/households', households)).toEqual([]);
    const tiers = await callers.get('planner')!.get('/api/rentals/tiers?month=2025-06').expect(200);
    expect(mismatchOf('get /api/rentals/tiers', tiers)).toEqual([]);
    expect(tiers.body.buildings.length).toBeGreaterThan(0);
  });

  it('hot spots of a metric counted on a day (time: asOf), and a heat map of rental tiers (time: asOf, scoringMonth)', async () => {
    const hotspots = await callers.get('leader')!.get('/api/hotspots?metric=floating_density&level=grid').expect(200);
    expect(mismatchOf('get /api/hotspots', hotspots)).toEqual([]);
    expect(hotspots.body.time).toHaveProperty('asOf');
    const tiers = await callers.get('planner')!.get('/api/heatmaps/rental_tiers?level=grid').expect(200);
    expect(mismatchOf('get /api/heatmaps/:metric', tiers)).toEqual([]);
  });

  it('a person moved in, corrected and given a permit: floor plan, unit, occupants, search, record, history and expiring permits, whole (police) and masked (collector)', async () => {
    const police = callers.get('police')!;
    const unitCode = fixtureUnitCode(FIXTURE.westHouse, 1, 1);
    const purpose = `purpose=${encodeURIComponent('契约检查')}`;
    const movedIn = await police
      .post('/api/registrations/move-in', { unitCode, movedIn: daysAgo(30), person: floatingAdult(idCard('1990-06-15', 7), '契约人') })
      .expect(201);
    expect(mismatchOf('post /api/registrations/move-in', movedIn)).toEqual([]);
    const personId = movedIn.body.personId as number;
    const corrected = await police.send('patch', `/api/people/${personId}`, { reason: 'typing_error', employer: '契约公司' }).expect(200);
    expect(mismatchOf('patch /api/people/:id', corrected)).toEqual([]);
    const permit = await police.post('/api/permits', { personId, years: 1, issuedOn: addYears(addDays(chinaToday(), 10), -1) }).expect(201);
    expect(mismatchOf('post /api/permits', permit)).toEqual([]);
    for (const role of ['police', 'collector'] as const) {
      const caller = callers.get(role)!;
      const reads = [
        ['get /api/drilldown/buildings/:code', `/api/drilldown/buildings/${FIXTURE.westHouse}?${purpose}`],
        ['get /api/units/:code/occupants', `/api/units/${unitCode}/occupants?${purpose}`],
        ['get /api/people/search', `/api/people/search?code=${FIXTURE.westHouse}&${purpose}`],
        ['get /api/people/:id', `/api/people/${personId}?${purpose}`],
        ['get /api/people/:id/residences', `/api/people/${personId}/residences?${purpose}`],
        ['get /api/permits/expiring', `/api/permits/expiring?grid=${FIXTURE.gridWest}&${purpose}`],
        ['get /api/reports/late-registrations', `/api/reports/late-registrations?grid=${FIXTURE.gridWest}&${purpose}`],
      ] as const;
      for (const [key, url] of reads) {
        const response = await caller.get(url);
        expect(response.status, `${role} ${url}`).toBe(200);
        expect(mismatchOf(key, response), `${role} ${key}`).toEqual([]);
      }
      const searched = await caller.get(`/api/people/search?code=${FIXTURE.westHouse}&${purpose}`).expect(200);
      expect(searched.body.hits.map((hit: { person: { id: number } }) => hit.person.id)).toContain(personId);
      expect('birthDate' in searched.body.hits[0].person).toBe(role === 'police');
      const late = await caller.get(`/api/reports/late-registrations?grid=${FIXTURE.gridWest}&${purpose}`).expect(200);
      expect(late.body.stays.map((stay: { person: { id: number } }) => stay.person.id)).toContain(personId);
    }
    for (const role of ['planner', 'leader'] as const) {
      expect(mismatchOf('get /api/units/:code', await callers.get(role)!.get(`/api/units/${unitCode}`).expect(200))).toEqual([]);
    }
  });

  it('the score cards of a building and of a household, with and without person data', async () => {
    await callers.get('admin')!.post('/api/rentals/scores/run', { from: '2025-05', to: '2025-06' }).expect(200);
    for (const role of ['police', 'planner'] as const) {
      const building = await callers.get(role)!.get(`/api/rentals/buildings/${FIXTURE.westHouse}`).expect(200);
      expect(mismatchOf('get /api/rentals/buildings/:code', building), role).toEqual([]);
      expect(building.body.history.length).toBeGreaterThan(0);
      const households = await callers.get(role)!.get(`/api/rentals/buildings/${FIXTURE.westHouse}/households`).expect(200);
      for (const household of households.body.households as { unitCode: string }[]) {
        const card = await callers.get(role)!.get(`/api/rentals/units/${household.unitCode}`).expect(200);
        expect(mismatchOf('get /api/rentals/units/:code', card), role).toEqual([]);
      }
    }
  });

  it('a collector created by an admin, with assignments', async () => {
    const created = await callers.get('admin')!.post('/api/collectors', { name: '契约采集员', employment: 'full_time' }).expect(201);
    expect(mismatchOf('post /api/collectors', created)).toEqual([]);
    const listed = await callers.get('admin')!.get('/api/collectors').expect(200);
    expect(mismatchOf('get /api/collectors', listed)).toEqual([]);
  });
});
