import { z } from 'zod';
import { ROLES } from '../db/schema.ts';
import { visiblePrefixes } from '../http/jurisdiction.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { areasAsGeoJson } from './repository.ts';

const areasQuery = z.object({
  level: z.enum(['district', 'street', 'community', 'grid'], { message: 'level must be district, street, community or grid' }),
});

export const areaRoutes: FeatureRoutes = (context) => [
  route({
    method: 'get',
    path: '/areas',
    access: ROLES,
    summary: 'Areas of one level (district, street, community, grid) as GeoJSON',
    schemas: { query: areasQuery },
    handler: async ({ query, principal }, _request, response) => {
      const prefixes = visiblePrefixes(principal);
      response.type('application/geo+json').send(JSON.stringify(await areasAsGeoJson(context.db, query.level, prefixes)));
    },
  }),
];
