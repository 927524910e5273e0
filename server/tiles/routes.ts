import { z } from 'zod';
import { recordAudit } from '../audit/service.ts';
import { ROLES } from '../db/schema.ts';
import { LAYER_EXPORTERS } from '../domain/roles.ts';
import { fileStem, sendAttachment } from '../http/attachments.ts';
import { sendTile } from './gzipped-tiles.ts';
import { visiblePrefixes } from '../http/jurisdiction.ts';
import { originOf } from '../http/origin.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { archiveQuery, buildArchive } from './archive.ts';
import { TILE_LAYER_NAMES, TILE_LAYERS, TILE_MAX_ZOOM } from './layers.ts';
import { renderTile, renderTileAtOnce } from './render.ts';
import { tileJson } from './service.ts';
import { mapLibreStyle } from './style.ts';
import { shapePyramidOf } from './shape-pyramid.ts';
import { statisticsTilesOf } from './statistics-tiles.ts';
import { buildingTilesOf } from './building-tiles.ts';
import { createTileCache, type TileRequest } from './tile-cache.ts';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { shapeSnapshotKey } from '../db/data-version.ts';

export const MVT_MEDIA_TYPE = 'application/vnd.mapbox-vector-tile';
const PMTILES_MEDIA_TYPE = 'application/vnd.pmtiles';
const MAX_ZOOM = TILE_MAX_ZOOM;
// Tiles hold no person data, but they need a login, so only the browser may keep them.
const TILE_CACHE_CONTROL = 'private, max-age=300';

const wholeNumber = (field: string) =>
  z
    .string()
    .regex(/^\d{1,8}$/, `${field} must be a whole number`)
    .transform(Number);

const layerParams = z.object({
  layer: z.enum(TILE_LAYER_NAMES, { message: `layer must be one of ${TILE_LAYER_NAMES.join(', ')}` }),
});

export const tileParams = layerParams
  .extend({
    z: wholeNumber('z')
      .refine((zoom) => zoom <= MAX_ZOOM, `z must be between 0 and ${MAX_ZOOM}`)
      .describe(`Zoom level, 0 to ${MAX_ZOOM}`),
    x: wholeNumber('x').describe('Tile column, 0 to 2^z - 1'),
    y: wholeNumber('y').describe('Tile row from the north, 0 to 2^z - 1'),
  })
  .superRefine((tile, context) => {
    const tilesPerSide = 2 ** tile.z;
    for (const axis of ['x', 'y'] as const) {
      if (tile[axis] >= tilesPerSide) context.addIssue({ code: 'custom', path: [axis], message: `${axis} must be below ${tilesPerSide} at zoom ${tile.z}` });
    }
  });

/** What the jurisdiction is called in the file name and the audit row. */
const jurisdictionLabel = (prefixes: readonly string[] | null) => (prefixes === null ? 'all' : prefixes.join('_') || 'none');

export const tilesRoutes: FeatureRoutes = (context) => {
  // After a change the tiles in view are rendered again in the background (issue 18): the tiles of
  // shapes only after the shapes changed, the others after any change of the data.
  const pyramid = shapePyramidOf(context.db);
  const statistics = statisticsTilesOf(context.db);
  const buildingTiles = buildingTilesOf(context.db);
  const refill = {
    db: context.db,
    // Whole-city tiles of grids and areas come from the pyramid rendered ahead (shape-pyramid.ts),
    // and so do the shapes of whole-city statistics tiles (statistics-tiles.ts).
    render: (trx: Transaction<DB>, { layer, tile, prefixes }: TileRequest) => {
      const inSnapshot = { ...context, db: trx };
      if (TILE_LAYERS[layer].keptPer === 'shapes') return pyramid.tile(inSnapshot, TILE_LAYERS[layer], tile, prefixes);
      if (layer === 'statistics') return statistics.tile(inSnapshot, tile, prefixes);
      return renderTile(inSnapshot, TILE_LAYERS[layer], tile, { prefixes });
    },
  };
  /** A tile answered from the pyramid in one statement, without a transaction, where it can be (tile-cache.ts QuickTile). */
  const quickTile = async (db: Kysely<DB>, { layer, tile, prefixes }: TileRequest) => {
    if (layer === 'statistics') return statistics.quick(db, tile, prefixes);
    if (layer === 'buildings') {
      const kept = await buildingTiles.storedNow({ ...context, db }, tile, prefixes);
      return kept && { version: kept.version, perTile: true as const, tile: async () => ({ ...kept.tile, stored: true as const }) };
    }
    const found = await pyramid.storedNow(db, TILE_LAYERS[layer], tile, prefixes, 'sent');
    return found && { version: found.shapesKey, tile: async () => ({ ...found.tile, stored: true as const }) };
  };
  const refilled = context.config.warmKeptAnswers ? refill : undefined;
  const keptTiles = { shapes: createTileCache(undefined, refilled, shapeSnapshotKey), data: createTileCache(undefined, refilled) };
  return [
    route({
      method: 'get',
      mount: '/',
      path: '/style.json',
      access: ROLES,
      acceptsAccessToken: true,
      cost: 'cheap',
      summary: `MapLibre style (version 8) of the dashboard's vector layers (${TILE_LAYER_NAMES.join(', ')}) in its colours, each source a TileJSON URL; no glyphs or sprite`,
      handler: (_input, request, response) => {
        response.set('Cache-Control', 'private, max-age=300');
        response.json(mapLibreStyle(originOf(request)));
      },
    }),
    route({
      method: 'get',
      path: '/exports/pmtiles',
      access: LAYER_EXPORTERS,
      acceptsAccessToken: true,
      cost: 'bulk',
      summary:
        "Offline tiles: the public layers (areas, grids, grid statistics with small resident counts withheld) of the caller's jurisdiction as one PMTiles v3 archive, for MapLibre or QGIS on the intranet",
      schemas: { query: archiveQuery },
      handler: async ({ query, principal }, _request, response) => {
        const prefixes = visiblePrefixes(principal);
        const archive = await buildArchive(context, query, prefixes);
        const scope = jurisdictionLabel(prefixes);
        await recordAudit(context.db, principal, {
          action: 'export',
          targetType: 'tiles_archive',
          targetId: scope,
          details: { layers: query.layers, minzoom: query.minzoom, maxzoom: query.maxzoom, tiles: archive.tiles },
        });
        sendAttachment(response, `${fileStem('tiles', scope)}.pmtiles`, PMTILES_MEDIA_TYPE, archive.bytes);
      },
    }),
    route({
      method: 'get',
      mount: '/',
      path: '/tiles/:layer.json',
      access: ROLES,
      acceptsAccessToken: true,
      cost: 'cheap',
      summary: `TileJSON 3.0.0 of one tile layer (${TILE_LAYER_NAMES.join(', ')}): tile URL, zooms, bounds and fields`,
      schemas: { params: layerParams },
      handler: async ({ params: { layer } }, request, response) => {
        response.json(await tileJson(context, originOf(request), TILE_LAYERS[layer]));
      },
    }),
    route({
      method: 'get',
      mount: '/',
      path: '/tiles/:layer/:z/:x/:y.mvt',
      access: ROLES,
      acceptsAccessToken: true,
      // A map view loads dozens at a time.
      cost: 'cheap',
      summary: `Mapbox Vector Tile of one layer (${TILE_LAYER_NAMES.join(', ')}), limited to the caller's jurisdiction; 204 when the tile is empty, X-Tile-Truncated when capped; an ETag per data version and jurisdiction (304 on If-None-Match); X-Renwu-Cache says whether it was kept in memory (hit), read from the tiles rendered ahead or made from them (stored) or rendered (miss)`,
      schemas: { params: tileParams },
      handler: async ({ params: { layer, ...tile }, principal }, request, response) => {
        response.set('Cache-Control', TILE_CACHE_CONTROL);
        // Below its first zoom a layer is empty whatever the data: no version to read, nothing to render.
        if (tile.z < TILE_LAYERS[layer].minZoom) {
          response.status(204).end();
          return;
        }
        statistics.viewed();
        const prefixes = visiblePrefixes(principal);
        const asked = { layer, tile, prefixes };
        const read = await keptTiles[TILE_LAYERS[layer].keptPer].read(context.db, asked, request.headers['if-none-match'], {
          quick: (db) => quickTile(db, asked),
          atOnce: (db) => renderTileAtOnce({ ...context, db }, TILE_LAYERS[layer], tile, prefixes),
          render: (trx) => refill.render(trx, asked),
        });
        // The same URL carries different features for a collector and a planner sharing a browser.
        response.set('Vary', 'Cookie, Authorization');
        response.set('ETag', read.etag);
        if (read.notModified) {
          response.status(304).end();
          return;
        }
        const rendered = read.tile;
        // hit: kept in this server's memory; stored: read from the pyramid rendered ahead (or a statistics tile made from it); miss: rendered now.
        response.set('X-Renwu-Cache', read.hit ? 'hit' : 'stored' in rendered ? 'stored' : 'miss');
        if (rendered.truncated) response.set('X-Tile-Truncated', 'true');
        if (rendered.content.length === 0) {
          response.status(204).end();
          return;
        }
        await sendTile(request, response, rendered, MVT_MEDIA_TYPE);
      },
    }),
  ];
};
