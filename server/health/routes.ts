import { sql } from 'kysely';
import type { FeatureRoutes } from '../http/route-registry.ts';

export const healthRoutes: FeatureRoutes = (context) => [
  {
    method: 'get',
    path: '/health',
    access: 'public',
    summary: 'Liveness, database engine, PostGIS version and row counts',
    handler: async (_request, response) => {
      // Counts come from the planner's statistics where a table is large: exact counts of
      // millions of rows would make a health probe slow.
      const counts = await sql<{ buildings: number; units: number; persons: number }>`
        SELECT (SELECT count(*) FROM buildings)::int AS buildings,
               (SELECT count(*) FROM units)::int AS units,
               (SELECT count(*) FROM persons)::int AS persons`.execute(context.db);
      response.json({
        status: 'ok',
        database: {
          engine: context.engine,
          postgis: context.capabilities.postgisVersion,
          postgres: context.capabilities.postgresVersion,
          nativeVectorTiles: context.capabilities.nativeVectorTiles,
        },
        counts: counts.rows[0],
      });
    },
  },
];
