import { sql } from 'kysely';
import type { FeatureRoutes } from '../http/route-registry.ts';

export const healthRoutes: FeatureRoutes = (context) => [
  {
    method: 'get',
    path: '/health',
    access: 'public',
    summary: 'Liveness, database engine, PostGIS version and row counts',
    handler: async (_request, response) => {
      // Exact counts: cheap at demo scale. At city scale (millions of rows) they make the probe
      // slow; reading pg_class.reltuples instead is the planned change (city-scale issue).
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
