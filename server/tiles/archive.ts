import { z } from 'zod';
import type { AppContext } from '../context.ts';
import type { CodePrefixes } from '../db/code-prefix.ts';
import type { Bbox } from '../domain/coordinates.ts';
import { privacyThreshold } from '../heatmaps/service.ts';
import { badRequest } from '../http/errors.ts';
import { bilingual } from '../http/validate.ts';
import { areas, TILE_LAYERS, vectorLayerDescription, type TileLayer } from './layers.ts';
import { writePmtiles, type ArchiveTile } from './pmtiles.ts';
import { extentOf, type TileScope } from './repository.ts';
import { renderTile } from './render.ts';
import { tilesCovering, type TileAddress } from './tile-math.ts';

/**
 * The offline archive (issue 22 item 9): the public layers — area and grid outlines, and grid
 * statistics with resident counts below k withheld exactly as in the served tiles — over the
 * caller's jurisdiction, as one PMTiles file for the intranet.
 */
export const ARCHIVE_LAYERS = { areas, grids: TILE_LAYERS.grids, statistics: TILE_LAYERS.statistics } as const;
export type ArchiveLayerName = keyof typeof ARCHIVE_LAYERS;
const ARCHIVE_LAYER_NAMES = Object.keys(ARCHIVE_LAYERS) as ArchiveLayerName[];

/** The deepest zoom an archive holds: grids are drawn crisply at z16, and deeper ones multiply tiles by 4 a level. */
export const ARCHIVE_MAX_ZOOM = 16;
/** Tiles are rendered one by one in memory: past this many the request is refused, naming maxzoom. */
export const MAX_ARCHIVE_TILES = 2000;

const zoom = (field: string, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,2}$/, bilingual(`${field} must be a whole number`, `${field} 须为整数`))
    .transform(Number)
    .refine(
      (value) => value <= ARCHIVE_MAX_ZOOM,
      bilingual(`${field} must be between 0 and ${ARCHIVE_MAX_ZOOM}`, `${field} 须在 0 到 ${ARCHIVE_MAX_ZOOM} 之间`),
    )
    .default(fallback)
    .describe(`${field === 'minzoom' ? 'Shallowest' : 'Deepest'} zoom in the archive, 0 to ${ARCHIVE_MAX_ZOOM} (default ${fallback})`);

export const archiveQuery = z
  .object({
    layers: z
      .string()
      .transform((list) => list.split(',').map((name) => name.trim()))
      .refine(
        (names) => names.every((name) => (ARCHIVE_LAYER_NAMES as string[]).includes(name)),
        bilingual(
          `layers must be a comma-separated list of ${ARCHIVE_LAYER_NAMES.join(', ')}`,
          `layers 须为逗号分隔的图层名：${ARCHIVE_LAYER_NAMES.join('、')}`,
        ),
      )
      .transform((names) => [...new Set(names)] as ArchiveLayerName[])
      .default(ARCHIVE_LAYER_NAMES)
      .describe(`Comma-separated layers: ${ARCHIVE_LAYER_NAMES.join(', ')} (default all)`),
    minzoom: zoom('minzoom', 10),
    maxzoom: zoom('maxzoom', 14),
  })
  // Only once both zooms parsed: a bad minzoom is reported alone.
  .refine((query) => typeof query.minzoom !== 'number' || typeof query.maxzoom !== 'number' || query.minzoom <= query.maxzoom, {
    path: ['maxzoom'],
    message: bilingual('maxzoom must not be below minzoom', 'maxzoom 不能小于 minzoom'),
  });
export type ArchiveQuery = z.infer<typeof archiveQuery>;

/** One archive tile: the layers' MVTs back to back (an MVT's layers are a repeated field, so concatenated tiles are one tile). */
async function archiveTile(
  context: AppContext,
  layers: TileLayer[],
  tile: TileAddress,
  scope: Pick<TileScope, 'prefixes' | 'privacyK'>,
): Promise<ArchiveTile | null> {
  const parts: Uint8Array[] = [];
  for (const layer of layers) {
    const rendered = await renderTile(context, layer, tile, scope);
    if (rendered.content.length > 0) parts.push(rendered.content);
  }
  return parts.length === 0 ? null : { ...tile, data: Buffer.concat(parts) };
}

export interface Archive {
  bytes: Buffer;
  tiles: number;
}

/** The PMTiles archive of the chosen layers over the caller's jurisdiction, read in one snapshot. */
export async function buildArchive(context: AppContext, query: ArchiveQuery, prefixes: CodePrefixes): Promise<Archive> {
  const layers = query.layers.map((name) => ARCHIVE_LAYERS[name]);
  return context.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const bounds = (await extentOf(trx, prefixes)) ?? [0, 0, 0, 0];
      const addresses = tilesCovering(bounds, query.minzoom, query.maxzoom);
      if (addresses.length > MAX_ARCHIVE_TILES) {
        throw badRequest(
          'export_too_large',
          `maxzoom ${query.maxzoom} needs ${addresses.length} tiles over this area, more than ${MAX_ARCHIVE_TILES}; choose a smaller maxzoom`,
          {
            fields: [{ field: 'maxzoom', message: `must be smaller: the archive would hold more than ${MAX_ARCHIVE_TILES} tiles` }],
          },
        );
      }
      const snapshot = { ...context, db: trx };
      const privacyK = await privacyThreshold(trx);
      const tiles: ArchiveTile[] = [];
      for (const address of addresses) {
        const tile = await archiveTile(snapshot, layers, address, { prefixes, privacyK });
        if (tile) tiles.push(tile);
      }
      const metadata = {
        name: 'renwu',
        description: `Areas, grids and grid statistics (resident counts below ${privacyK} withheld) for offline use`,
        type: 'overlay',
        format: 'pbf',
        vector_layers: layers.map((layer) => ({
          id: layer.name,
          description: vectorLayerDescription(layer),
          minzoom: Math.max(layer.minZoom, query.minzoom),
          maxzoom: query.maxzoom,
          fields: layer.fields,
        })),
      };
      return { bytes: writePmtiles(tiles, { minZoom: query.minzoom, maxZoom: query.maxzoom, bounds, metadata }), tiles: tiles.length };
    });
}
