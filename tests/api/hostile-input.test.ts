import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../server/db/schema.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';

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

interface OpenApiParameter { name: string; in: 'query' | 'path' }
interface OpenApiDocument { paths: Record<string, Record<string, { parameters?: OpenApiParameter[]; 'x-roles'?: Role[] }>> }

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
  });
});

/** Fills the path with harmless values, then puts `value` into the parameter under test. */
function buildUrl(template: string, parameters: OpenApiParameter[], target: OpenApiParameter, value: string): string {
  const safePath: Record<string, string> = { code: FIXTURE.westHouse, metric: 'population', layer: 'grids', z: '14', x: '13392', y: '7117', collectionId: 'grids' };
  let path = template.replace(/\{(\w+)\}/g, (_match, name: string) =>
    encodeURIComponent(name === target.name && target.in === 'path' ? value : (safePath[name] ?? '1')));
  if (!path.startsWith('/api') && !path.startsWith('/tiles') && !path.startsWith('/ogc')) path = `/api${path}`;
  const query = target.in === 'query' ? `?${encodeURIComponent(target.name)}=${encodeURIComponent(value)}` : '';
  return path + query;
}
