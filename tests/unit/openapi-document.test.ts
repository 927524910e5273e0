import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RouteSpec } from '../../server/http/route-registry.ts';
import { buildOpenApiDocument } from '../../server/openapi/document.ts';
import { describeSchema, renderDocsPage } from '../../server/openapi/docs-page.ts';
import { defined, operationAt } from '../helpers/defined.ts';

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
    expect(operationAt(document, '/api/units/{code}/occupants', 'post').tags).toEqual(['units']);
    expect(operationAt(document, '/api/units.geojson', 'get').tags).toEqual(['units']);
  });

  it('takes path parameters and the JSON body from the zod schemas, input side', () => {
    const operation = operationAt(document, '/api/units/{code}/occupants', 'post');
    expect(operation.parameters).toEqual([{ name: 'code', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{25}$' } }]);
    const body = defined(operation.requestBody?.content['application/json'], 'a JSON request body').schema;
    expect(body.required).toEqual(['personId', 'movedIn']);
    expect(body.properties).toMatchObject({ personId: { type: 'integer', exclusiveMinimum: 0 }, note: { type: 'string', maxLength: 200 } });
    expect(body.$schema).toBeUndefined();
  });

  it('states access as security plus x-roles, or x-public', () => {
    const protectedRoute = operationAt(document, '/api/units/{code}/occupants', 'post');
    expect(protectedRoute).toMatchObject({ security: [{ session: [] }], 'x-roles': ['police', 'collector'] });
    expect(protectedRoute.security).toEqual([{ session: [], csrf: [] }]);
    // No declared success: a bare 200; then the errors a write with a path parameter and a body can give.
    expect(Object.keys(protectedRoute.responses)).toEqual(['200', '400', '401', '403', '404', '413', '415', '429', 'default']);
    const publicRoute = operationAt(document, '/ogc/things/{thingId}', 'get');
    expect(publicRoute).toMatchObject({ security: [], 'x-public': true, tags: ['ogc'], operationId: 'getOgcThingsThingId' });
    expect(publicRoute['x-roles']).toBeUndefined();
  });

  it('describes declared answers: a zod schema as JSON with an example, other media as text or bytes, a 204 bare', () => {
    const declared = buildOpenApiDocument([
      {
        method: 'get',
        path: '/things',
        access: 'public',
        summary: 'Things',
        handler: noop,
        responses: {
          200: {
            description: 'The things',
            schema: z.object({ things: z.array(z.object({ code: z.string().meta({ examples: ['A1'] }), count: z.number().int().min(0) })) }),
          },
        },
      },
      {
        method: 'get',
        path: '/things.csv',
        access: 'public',
        summary: 'Things as CSV',
        handler: noop,
        responses: { 200: { description: 'CSV', contentType: 'text/csv' } },
      },
      {
        method: 'delete',
        path: '/things/:id',
        access: ['admin'],
        summary: 'Remove',
        handler: noop,
        responses: { 204: { description: 'Removed' }, 409: { description: 'In use' } },
      },
    ]);
    const json = operationAt(declared, '/api/things', 'get').responses['200'] as {
      content: Record<string, { schema: Record<string, unknown>; example: unknown }>;
    };
    const jsonBody = defined(json.content['application/json'], 'a JSON answer');
    expect(jsonBody.example).toEqual({ things: [{ code: 'A1', count: 0 }] });
    expect(jsonBody.schema.required).toEqual(['things']);
    expect((operationAt(declared, '/api/things.csv', 'get').responses['200'] as { content: object }).content).toEqual({
      'text/csv': { schema: { type: 'string' } },
    });
    const removal = operationAt(declared, '/api/things/{id}', 'delete').responses;
    expect(removal['204']).toEqual({ description: 'Removed' });
    expect(removal['200']).toBeUndefined();
    expect(removal['409']).toMatchObject({ description: 'In use', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
    expect(removal['404']).toEqual({ $ref: '#/components/responses/Error404' });
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
