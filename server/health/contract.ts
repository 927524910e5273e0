import { z } from 'zod';
import type { RouteResponses } from '../domain/contract-shapes.ts';

/** Tiles rendered ahead into the database: how far (server/tiles/shape-pyramid.ts PyramidProgress). */
const keptTilesProgress = z.object({ state: z.enum(['none', 'building', 'kept']), tiles: z.number().int(), of: z.number().int() });

/** GET /api/health: liveness, the database and its row counts (estimated at city scale). */
export const healthAnswer = z.object({
  status: z.literal('ok'),
  database: z.object({
    engine: z.enum(['pglite', 'postgres']),
    postgis: z
      .string()
      .nullable()
      .meta({ examples: ['3.6.2'] }),
    postgres: z
      .string()
      .nullable()
      .meta({ examples: ['18.3'] }),
    nativeVectorTiles: z.boolean(),
  }),
  counts: z.object({ buildings: z.number().int(), units: z.number().int(), persons: z.number().int() }),
  estimatedCounts: z.array(z.enum(['buildings', 'units', 'persons'])).meta({ description: 'The counts read from planner estimates rather than counted' }),
  keptFigures: z.enum(['none', 'computing', 'kept']).meta({
    description:
      "The time slider's month-ends kept in memory: computing (at start-up and after the data changed; maps meanwhile sum the tables), kept, or none yet",
  }),
  keptTiles: keptTilesProgress.meta({
    description:
      "The whole city's grid and area tiles (z6–z14) rendered ahead for the current shapes: building (tiles kept so far, of all), kept, or none (not rendered ahead by this server: WARM_KEPT_ANSWERS off, or its last build failed; it tries again within a minute); tiles not yet kept are rendered on request",
  }),
  keptBuildingTiles: keptTilesProgress.meta({
    description:
      "The whole city's building tiles (z14 points, z15 footprints) rendered ahead: building (tiles kept so far, of all; also while tiles marked by writes wait for the next pass, within a minute), kept, or none (not rendered ahead by this server); tiles not kept are rendered on request",
  }),
});

export const healthResponses: Record<string, RouteResponses> = {
  'get /api/health': { 200: { description: 'The server is up', schema: healthAnswer } },
};
