import { route, type RouteSpec } from '../http/route-registry.ts';
import { z } from 'zod';
import { renderDocsPage } from './docs-page.ts';
import { buildOpenApiDocument, OPENAPI_MEDIA_TYPE, type OpenApiDocument } from './document.ts';

/** The document's outline; its full shape is the OpenAPI 3.1 specification's own schema. */
const openApiDocumentShape = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

/** The document's routes; `mountedRoutes` reads the whole list the app mounts (complete by the first request). */
export function openapiRoutes(mountedRoutes: () => readonly RouteSpec[]): RouteSpec[] {
  let document: OpenApiDocument | undefined;
  // Built on first use, from the routes the app mounted (complete by then); they do not change while the server runs.
  const documentOnce = () => (document ??= buildOpenApiDocument([...mountedRoutes()]));
  return [
    route({
      method: 'get',
      path: '/openapi.json',
      access: 'public',
      cost: 'cheap',
      summary: 'The OpenAPI 3.1 document of this whole API, generated from the route registry and its zod schemas',
      responses: {
        200: {
          description: 'The document; as application/json to a client that asks only for that',
          contentType: OPENAPI_MEDIA_TYPE,
          schema: openApiDocumentShape,
          example: { openapi: '3.1.0', info: { title: 'renwu (人屋) API', version: '0.1.0' }, paths: {} },
        },
      },
      handler: async (_input, request, response) => {
        const document = documentOnce();
        // The OpenAPI media type (what the OGC landing page announces), unless the client names only plain JSON.
        const type = request.accepts([OPENAPI_MEDIA_TYPE, 'application/json']) === 'application/json' ? 'application/json' : OPENAPI_MEDIA_TYPE;
        response.type(type).send(JSON.stringify(document));
      },
    }),
    route({
      method: 'get',
      path: '/docs',
      access: 'public',
      cost: 'cheap',
      summary: 'The OpenAPI document as a readable HTML page',
      responses: { 200: { description: 'The page (no script)', contentType: 'text/html' } },
      handler: async (_input, _request, response) => {
        response.type('html').send(renderDocsPage(documentOnce()));
      },
    }),
  ];
}
