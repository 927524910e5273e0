import type { FeatureRoutes } from '../http/route-registry.ts';
import { buildOpenApiDocument, type OpenApiDocument } from './document.ts';
import { renderDocsPage } from './docs-page.ts';

export const openapiRoutes: FeatureRoutes = (context) => {
  let document: Promise<OpenApiDocument> | undefined;
  // routes.ts lists this feature, so the full route list is imported on first use rather than
  // at load time, which would be an import cycle. Routes do not change while the server runs.
  const documentOnce = () => (document ??= import('../routes.ts').then(({ apiRoutes }) => buildOpenApiDocument(apiRoutes(context))));
  return [
    {
      method: 'get',
      path: '/openapi.json',
      access: 'public',
      cost: 'cheap',
      summary: 'The OpenAPI 3.1 document of this whole API, generated from the route registry and its zod schemas',
      handler: async (_request, response) => {
        response.json(await documentOnce());
      },
    },
    {
      method: 'get',
      path: '/docs',
      access: 'public',
      cost: 'cheap',
      summary: 'The OpenAPI document as a readable HTML page',
      handler: async (_request, response) => {
        response.type('html').send(renderDocsPage(await documentOnce()));
      },
    },
  ];
};
