import { z } from 'zod';
import { principalOf } from '../auth/session.ts';
import { ROLES } from '../db/schema.ts';
import { visiblePrefixes } from '../http/jurisdiction.ts';
import type { FeatureRoutes } from '../http/route-registry.ts';
import { parseQuery } from '../http/validate.ts';
import { areasAsGeoJson } from './repository.ts';

const areasQuery = z.object({
  level: z.enum(['district', 'street', 'community', 'grid'], { message: 'level must be district, street, community or grid' }),
});

export const areaRoutes: FeatureRoutes = (context) => [
  {
    method: 'get',
    path: '/areas',
    access: ROLES,
    summary: 'Areas of one level (district, street, community, grid) as GeoJSON',
    schemas: { query: areasQuery },
    handler: async (request, response) => {
      const { level } = parseQuery(areasQuery, request);
      const prefixes = visiblePrefixes(principalOf(request));
      response.type('application/geo+json').send(JSON.stringify(await areasAsGeoJson(context.db, level, prefixes)));
    },
  },
];
