import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../server/db/schema.ts';
import { mountRoutes } from '../../server/http/mount-routes.ts';
import { route, urlPathOf, type RouteSpec } from '../../server/http/route-registry.ts';
import { openapiRoutes } from '../../server/openapi/routes.ts';
import { apiRoutes } from '../../server/routes.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { insertUser } from '../helpers/fixture-city.ts';
import { operationAt } from '../helpers/defined.ts';

let t: TestApp;
let document: {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        summary: string;
        security: object[];
        'x-roles'?: string[];
        'x-public'?: boolean;
        parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
      }
    >
  >;
};

beforeAll(async () => {
  t = await startTestApp();
  await insertUser(t.handle.db, 'planner', 'planner');
  document = (await request(t.app).get('/api/openapi.json').expect(200)).body;
});
afterAll(async () => t?.close());

const parameter = (path: string, method: string, name: string) => document.paths[path]?.[method]?.parameters.find((candidate) => candidate.name === name);

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1, public, and lists every registered route with its method', () => {
    expect(document.openapi).toBe('3.1.0');
    const specs = apiRoutes(t.context);
    expect(specs.length).toBeGreaterThan(10);
    for (const spec of specs) {
      const template = urlPathOf(spec).replace(/:(\w+)/g, '{$1}');
      expect(document.paths[template]?.[spec.method]?.summary, `${spec.method} ${template}`).toBe(spec.summary);
    }
  });

  it('describes the routes the app mounted, the very list it is given, without building them again', async () => {
    // Routes carry background state (caches, warmers, watches): a second build would run a second copy of it.
    const mounted: RouteSpec[] = [
      route({ method: 'get', path: '/only-this', access: 'public', cost: 'cheap', summary: 'the one route', responses: {}, handler: () => {} }),
    ];
    mounted.push(...openapiRoutes(() => mounted));
    const app = express().use('/api', mountRoutes(t.context, mounted));
    const described = (await request(app).get('/api/openapi.json').expect(200)).body;
    expect(Object.keys(described.paths).sort()).toEqual(['/api/docs', '/api/only-this', '/api/openapi.json']);
  });

  it('places the tile, style and OGC routes at the root and the others under /api', () => {
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/tiles/{layer}/{z}/{x}/{y}.mvt',
        '/style.json',
        '/ogc/collections/{collectionId}/items',
        '/api/buildings/{code}',
        '/api/openapi.json',
      ]),
    );
    expect(Object.keys(document.paths).every((path) => /^\/(api|ogc|tiles)(\/|$)/.test(path) || path === '/style.json')).toBe(true);
  });

  it('describes the tile route from the zod schema that validates it, with its roles', () => {
    const tile = operationAt(document, '/tiles/{layer}/{z}/{x}/{y}.mvt', 'get');
    expect(tile['x-roles']).toEqual([...ROLES]);
    // A GIS client may send a personal access token instead of the session cookie.
    expect(tile.security).toEqual([{ session: [] }, { accessToken: [] }]);
    expect(parameter('/tiles/{layer}/{z}/{x}/{y}.mvt', 'get', 'layer')).toMatchObject({
      in: 'path',
      required: true,
      schema: { enum: ['areas', 'buildings', 'grids', 'statistics'] },
    });
    expect(parameter('/tiles/{layer}/{z}/{x}/{y}.mvt', 'get', 'z')?.schema).toMatchObject({
      type: 'string',
      pattern: '^\\d{1,8}$',
      description: 'Zoom level, 0 to 22',
    });
  });

  it('gives the OGC items query the bounds its validator enforces', async () => {
    const items = operationAt(document, '/ogc/collections/{collectionId}/items', 'get');
    expect(items['x-roles']).toEqual([...ROLES]);
    expect(items.security).toEqual([{ session: [] }, { accessToken: [] }]);
    const limit = parameter('/ogc/collections/{collectionId}/items', 'get', 'limit');
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 10000, default: 100 } });
    expect(parameter('/ogc/collections/{collectionId}/items', 'get', 'bbox')?.schema.type).toBe('string');
    // The document and the validator agree at the edge.
    const reader = await t.logIn('planner');
    await reader.get('/ogc/collections/grids/items?limit=10000').expect(200);
    await reader.get('/ogc/collections/grids/items?limit=10001').expect(400);
  });

  it('keeps routes without schemas: summary, path parameters as strings, and access', () => {
    const building = operationAt(document, '/api/buildings/{code}', 'get');
    expect(building['x-roles']).toEqual([...ROLES]);
    expect(building.parameters).toEqual([{ name: 'code', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(operationAt(document, '/api/health', 'get')['x-public']).toBe(true);
  });
});

describe('API documentation page', () => {
  it('renders the document as HTML with no script, listing paths, methods, roles and parameters', async () => {
    const response = await request(t.app).get('/api/docs').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).not.toMatch(/<script/i);
    expect(response.text).toContain('<code>/tiles/{layer}/{z}/{x}/{y}.mvt</code>');
    expect(response.text).toMatch(/<span class="method get">GET<\/span> <code>\/ogc\/collections\/\{collectionId\}\/items<\/code>/);
    expect(response.text).toContain(`roles: ${ROLES.join(', ')}`);
    expect(response.text).toContain('<td>limit</td><td>query</td><td>no</td><td>integer, 1 to 10000, default 100</td>');
  });
});
