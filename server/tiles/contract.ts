import { z } from 'zod';
import type { RouteResponses } from '../domain/contract-shapes.ts';

/** A MapLibre style, version 8 (its full shape is the MapLibre style specification). */
export const styleAnswer = z.looseObject({
  version: z.literal(8),
  name: z.string(),
  sources: z.record(z.string(), z.looseObject({ type: z.literal('vector'), url: z.string() })),
  layers: z.array(z.looseObject({ id: z.string(), type: z.string() })),
});
/** TileJSON 3.0.0 of one layer. */
export const tileJsonAnswer = z.object({
  tilejson: z.literal('3.0.0'),
  name: z.string(),
  description: z.string(),
  scheme: z.literal('xyz'),
  tiles: z.array(z.string()).meta({ examples: [['https://renwu.example/tiles/grids/{z}/{x}/{y}.mvt']] }),
  minzoom: z.number().int(),
  maxzoom: z.number().int(),
  bounds: z.array(z.number()).length(4),
  center: z.array(z.number()).length(3),
  vector_layers: z.array(
    z.looseObject({ id: z.string(), description: z.string(), minzoom: z.number().int(), maxzoom: z.number().int(), fields: z.record(z.string(), z.string()) }),
  ),
});

export const tileResponses: Record<string, RouteResponses> = {
  'get /style.json': { 200: { description: 'The style', schema: styleAnswer } },
  'get /api/exports/pmtiles': { 200: { description: 'One PMTiles v3 archive', contentType: 'application/vnd.pmtiles' } },
  'get /tiles/:layer.json': { 200: { description: 'The TileJSON', schema: tileJsonAnswer } },
  'get /tiles/:layer/:z/:x/:y.mvt': {
    200: { description: 'The tile (X-Tile-Truncated: true when capped)', contentType: 'application/vnd.mapbox-vector-tile' },
    204: { description: 'The tile is empty' },
    304: { description: 'Not modified (If-None-Match matched the ETag)' },
  },
};
