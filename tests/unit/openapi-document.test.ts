import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RouteSpec } from '../../server/http/route-registry.ts';
import { buildOpenApiDocument } from '../../server/openapi/document.ts';
import { describeSchema, renderDocsPage } from '../../server/openapi/docs-page.ts';

const noop = () => undefined;
const specs: RouteSpec[] = [
  {
    method: 'post',
    path: '/units/:code/occupants',
    access: ['police', 'collector'],
    summary: 'Register a <move-in>',
    schemas: {
      params: z.object({ code: z.string().regex(/^\d{25}$/) }),
      body: z.object({ personId: z.coerce.number().int().positive(), movedIn: z.string(), note: z.string().max(200).optional() }),
    },
    handler: noop,
  },
  { method: 'get', mount: '/', path: '/ogc/things/:thingId', access: 'public', summary: 'A thing', handler: noop },
  { method: 'get', path: '/units.geojson', access: ['leader'], summary: 'Units as GeoJSON', handler: noop },
];

describe('OpenAPI generation from route specs', () => {
  const document = buildOpenApiDocument(specs);

  it('turns Express paths into templates under their mount point', () => {
    expect(Object.keys(document.paths)).toEqual(['/api/units/{code}/occupants', '/ogc/things/{thingId}', '/api/units.geojson']);
  });

  it('tags each operation with its feature, the first path word without extension', () => {
    expect(document.paths['/api/units/{code}/occupants'].post.tags).toEqual(['units']);
    expect(document.paths['/api/units.geojson'].get.tags).toEqual(['units']);
  });

  it('takes path parameters and the JSON body from the zod schemas, input side', () => {
    const operation = document.paths['/api/units/{code}/occupants'].post;
    expect(operation.parameters).toEqual([{ name: 'code', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{25}$' } }]);
    const body = operation.requestBody!.content['application/json'].schema;
    expect(body.required).toEqual(['personId', 'movedIn']);
    expect(body.properties).toMatchObject({ personId: { type: 'integer', exclusiveMinimum: 0 }, note: { type: 'string', maxLength: 200 } });
    expect(body.$schema).toBeUndefined();
  });

  it('states access as security plus x-roles, or x-public', () => {
    const protectedRoute = document.paths['/api/units/{code}/occupants'].post;
    expect(protectedRoute).toMatchObject({ security: [{ session: [] }], 'x-roles': ['police', 'collector'] });
    expect(Object.keys(protectedRoute.responses)).toEqual(['200', '400', '401', '403', 'default']);
    const publicRoute = document.paths['/ogc/things/{thingId}'].get;
    expect(publicRoute).toMatchObject({ security: [], 'x-public': true, tags: ['ogc'], operationId: 'getOgcThingsThingId' });
    expect(publicRoute['x-roles']).toBeUndefined();
  });

  it('renders the page with every operation and escapes text', () => {
    const page = renderDocsPage(document);
    expect(page).toContain('Register a &lt;move-in&gt;');
    expect(page).toContain('roles: police, collector');
    expect(page).toContain('<code>/ogc/things/{thingId}</code>');
    expect(page).not.toContain('<move-in>');
  });

  it('summarises schemas in a few words', () => {
    expect(describeSchema({ type: 'integer', minimum: 1, maximum: 9, default: 3 })).toBe('integer, 1 to 9, default 3');
    expect(describeSchema({ type: 'string', enum: ['a', 'b'] })).toBe('a | b');
    expect(describeSchema({})).toBe('any');
  });
});
