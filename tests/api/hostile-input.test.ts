import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../server/db/schema.ts';
import { urlPathOf, type RouteSpec } from '../../server/http/route-registry.ts';
import { apiRoutes } from '../../server/routes.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { freeWestUnit, geoJsonFile, importAndWait, importer, rowCountsOfEveryTable, UNIT_HEADERS, utf8Csv } from '../helpers/import-files.ts';

/**
 * Sends SQL-injection and odd-unicode strings to every query parameter and path parameter of
 * every GET route the OpenAPI document lists, as the roles that may call it. Each answer must be
 * a clear 4xx or a normal 200 — never a 500 — and the data must be unchanged afterwards.
 */
const HOSTILE = [
  "' OR '1'='1",
  "'; DROP TABLE persons; --",
  '1; DELETE FROM residencies',
  '\u0000',
  '\u202e4403070010010100001',
  '４４０３０７', // full-width digits
  '😀🏠',
  'a'.repeat(5000),
  '%',
  '../../etc/passwd',
  '<script>alert(1)</script>',
];

interface OpenApiParameter {
  name: string;
  in: 'query' | 'path';
}
interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: OpenApiParameter[]; 'x-roles'?: Role[] }>>;
}

let t: TestApp;
const sessions = new Map<Role, LoggedIn>();

async function fingerprint(): Promise<unknown> {
  const result = await sql`SELECT (SELECT count(*) FROM persons) AS persons, (SELECT count(*) FROM residencies) AS residencies,
    (SELECT count(*) FROM buildings) AS buildings, (SELECT count(*) FROM units) AS units, (SELECT count(*) FROM users) AS users,
    (SELECT string_agg(code || use, ',' ORDER BY code) FROM units) AS unit_state`.execute(t.handle.db);
  return result.rows[0];
}

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_USER_PER_MINUTE: '1000000', RATE_LIMIT_IP_PER_MINUTE: '1000000' });
  await insertFixtureCity(t.handle.db);
  for (const role of ['leader', 'planner', 'police', 'collector', 'admin', 'auditor'] as const) {
    await insertUser(t.handle.db, role, role, role === 'collector' ? [FIXTURE.gridWest] : [FIXTURE.district]);
    sessions.set(role, await t.logIn(role));
  }
});
afterAll(async () => t?.close());

describe('hostile input in every GET parameter', () => {
  it('never answers 500 and changes nothing', async () => {
    const before = await fingerprint();
    const document = (await sessions.get('police')!.get('/api/openapi.json').expect(200)).body as OpenApiDocument;
    const failures: string[] = [];
    let calls = 0;
    for (const [template, operations] of Object.entries(document.paths)) {
      const operation = operations.get;
      if (!operation || template.includes('openapi') || template.includes('/docs')) continue;
      const roles = operation['x-roles'] ?? ['police'];
      const parameters = operation.parameters ?? [];
      for (const parameter of parameters) {
        for (const value of HOSTILE) {
          const url = buildUrl(template, parameters, parameter, value);
          for (const role of roles) {
            const response = await sessions.get(role)!.get(url);
            calls += 1;
            if (response.status >= 500) failures.push(`${role} GET ${url.slice(0, 120)} → ${response.status}`);
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(100);
    expect(failures).toEqual([]);
    expect(await fingerprint()).toEqual(before);
    // Thousands of requests, growing with every query parameter the API declares.
  }, 300_000);
});

/** Fills the path with harmless values, then puts `value` into the parameter under test. */
function buildUrl(template: string, parameters: OpenApiParameter[], target: OpenApiParameter, value: string): string {
  const safePath: Record<string, string> = {
    code: FIXTURE.westHouse,
    metric: 'population',
    layer: 'grids',
    z: '14',
    x: '13392',
    y: '7117',
    collectionId: 'grids',
  };
  let path = template.replace(/\{(\w+)\}/g, (_match, name: string) =>
    encodeURIComponent(name === target.name && target.in === 'path' ? value : (safePath[name] ?? '1')),
  );
  if (!path.startsWith('/api') && !path.startsWith('/tiles') && !path.startsWith('/ogc')) path = `/api${path}`;
  const query = target.in === 'query' ? `?${encodeURIComponent(target.name)}=${encodeURIComponent(value)}` : '';
  return path + query;
}

/** Every registered route but uploads (which read their body as a file) takes a JSON body; path parameters filled harmlessly. */
const jsonRoutes = () =>
  apiRoutes(t.context)
    .filter((spec) => !spec.readsOwnBody)
    .map((spec) => ({ spec, url: urlPathOf(spec).replace(/:(\w+)/g, (_match, name: string) => (name === 'code' ? FIXTURE.westHouse : '1')) }));

const callerOf = (spec: RouteSpec): Role | undefined => (spec.access === 'public' ? undefined : spec.access[0]);

/** A raw request of the route's method with a body of our choosing, logged in as `role` (with its CSRF token) or not at all. */
function rawCall(spec: RouteSpec, url: string, role: Role | undefined, contentType: string, body: string) {
  const agent = role ? rawAgents.get(role)! : request.agent(t.app);
  const call = (agent as unknown as Record<string, (url: string) => request.Test>)[spec.method]!(url).set('Content-Type', contentType);
  return (role ? call.set('X-CSRF-Token', csrfTokens.get(role)!) : call).send(body);
}
const rawAgents = new Map<Role, ReturnType<typeof request.agent>>();
const csrfTokens = new Map<Role, string>();

/** An error's code: { error: { code } } under /api and /tiles, a top-level member of the RFC 7807 problem under /ogc. */
const errorCodeOf = (body: { error?: { code?: string }; code?: string }) => body.error?.code ?? body.code;

const DEEP_ARRAYS = '['.repeat(10_000) + ']'.repeat(10_000);

describe('hostile JSON bodies on every JSON route (issue 14.6)', () => {
  beforeAll(async () => {
    for (const role of ['leader', 'planner', 'police', 'collector', 'admin', 'auditor'] as const) {
      const agent = request.agent(t.app);
      const login = await agent.post('/api/auth/login').send({ username: role, password: FIXTURE.password }).expect(200);
      rawAgents.set(role, agent);
      csrfTokens.set(role, login.body.csrfToken);
    }
  });

  it('answers arrays nested 10,000 deep with 400 and a latin1 charset with 415, before and after login, changing nothing', async () => {
    const before = await fingerprint();
    const failures: string[] = [];
    const routes = jsonRoutes();
    expect(routes.length).toBeGreaterThan(60);
    for (const { spec, url } of routes) {
      for (const role of [undefined, callerOf(spec)]) {
        const deep = await rawCall(spec, url, role, 'application/json', DEEP_ARRAYS);
        if (deep.status !== 400 || errorCodeOf(deep.body) !== 'invalid_request')
          failures.push(`${role ?? 'anonymous'} ${spec.method} ${url} deep → ${deep.status} ${errorCodeOf(deep.body)}`);
        const latin1 = await rawCall(spec, url, role, 'application/json; charset=latin1', '{"username":"caf\u00e9"}');
        if (latin1.status !== 415 || errorCodeOf(latin1.body) !== 'unsupported_charset')
          failures.push(`${role ?? 'anonymous'} ${spec.method} ${url} latin1 → ${latin1.status} ${errorCodeOf(latin1.body)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await fingerprint()).toEqual(before);
  }, 120_000);

  it('names the deep field, refuses an unknown Content-Encoding with 415, and still takes ordinary nesting', async () => {
    const deep = await request(t.app).post('/api/auth/login').set('Content-Type', 'application/json').send(`{"username":${DEEP_ARRAYS}}`).expect(400);
    expect(deep.body.error.details.fields[0]).toEqual({
      field: expect.stringMatching(/^username(\.0)+$/),
      code: 'invalid',
      message: 'nests more than 32 levels deep',
      messageZh: expect.stringContaining('嵌套超过 32 层'),
    });
    await request(t.app).post('/api/auth/login').set('Content-Type', 'application/json').set('Content-Encoding', 'compress').send('{}').expect(415);
    const police = sessions.get('police')!;
    await police
      .post('/api/rentals/inspections', {
        buildingCode: FIXTURE.westHouse,
        visitedOn: '2000-01-01',
        notes: 'x',
        people: [{ personId: 999999, foundHere: true }],
      })
      .expect((response) => expect(response.status).not.toBe(500));
  });
});

describe('imports refuse JSON and name a NUL byte (issue 14.6)', () => {
  it('answers 415 to any file sent as application/json (CSV text, or larger than the JSON limit) and creates no job', async () => {
    const admin = await importer(t, 'admin');
    const before = await rowCountsOfEveryTable(t);
    const jobsBefore = (await admin.get('/api/imports').expect(200)).body.jobs.length;
    const csv = utf8Csv([UNIT_HEADERS, [freeWestUnit(1), 1, '101', '', '出租', '是']]);
    const large = geoJsonFile(
      Array.from({ length: 12_000 }, (_, index) => ({
        properties: { 案件编号: `AJ${index}`, 说明: 'x'.repeat(60) },
        point: [114.205, 22.705] as [number, number],
      })),
    );
    expect(large.length).toBeGreaterThan(1024 * 1024);
    for (const body of [csv, large]) {
      const refused = await admin.upload({ kind: 'units', crs: 'wgs84', format: 'csv' }, body, { contentType: 'application/json' });
      expect(refused.status).toBe(415);
      expect(refused.body.error.code).toBe('unsupported_media_type');
    }
    const latin1 = await admin.upload({ kind: 'units', crs: 'wgs84', format: 'csv' }, csv, { contentType: 'application/json; charset=latin1' });
    expect(latin1.status).toBe(415);
    expect((await admin.get('/api/imports').expect(200)).body.jobs.length).toBe(jobsBefore);
    expect(await rowCountsOfEveryTable(t)).toEqual(before);
  });

  it('fails a job whose cell holds a NUL byte with that row and column named, importing nothing', async () => {
    const admin = await importer(t, 'admin');
    const before = await rowCountsOfEveryTable(t);
    const table = [UNIT_HEADERS, [freeWestUnit(11), 1, '101', '30', '出租', '是'], [freeWestUnit(12), 1, '1\u000002', '30', '出租', '是']];
    const { job, errors } = await importAndWait(admin, { kind: 'units', crs: 'wgs84', filename: 'units.csv' }, utf8Csv(table));
    expect(job).toMatchObject({ status: 'failed', rowsImported: 0, errorCount: 1 });
    expect(job.message ?? '').not.toContain('SQLSTATE');
    expect(errors).toMatchObject([{ row: 3, field: '房号', reason: 'contains a NUL character', messageZh: '含有空字符（NUL）' }]);
    const { import_jobs: _jobs, import_errors: _errors, ...after } = await rowCountsOfEveryTable(t);
    const { import_jobs: _jobsBefore, import_errors: _errorsBefore, ...unchanged } = before;
    expect(after).toEqual(unchanged);
  });
});
