import type { AppContext } from '../context.ts';
import { privacyThreshold } from '../heatmaps/service.ts';
import { encodeVectorTile } from './encoder.ts';
import type { TileLayer } from './layers.ts';
import { geoJsonFeaturesInTile, nativeTile, type TileFeatures, type TileScope } from './repository.ts';
import type { TileAddress } from './tile-math.ts';

/** k for a layer that carries no counts of people (its rows ignore it). */
const UNUSED_K = 0;

/**
 * An encoded tile; an empty one has no bytes. `gzipped`: the same bytes gzipped, when the tile was
 * rendered ahead and kept with that copy (sql/0034): the route sends it as it is.
 */
export type RenderedTile = TileFeatures<Uint8Array> & { gzipped?: Uint8Array };

/**
 * One layer's tile: PostGIS encodes it where it can (capabilities.nativeVectorTiles), otherwise
 * the same rows come back as GeoJSON and are encoded here. Both paths apply the same LIMIT.
 * k is read in the caller's snapshot unless given (an archive reads it once for all its tiles), and
 * only for a layer that withholds small counts: a statement less for every other tile.
 */
export async function renderTile(context: AppContext, layer: TileLayer, tile: TileAddress, options: Partial<TileScope> = {}): Promise<RenderedTile> {
  if (tile.z < layer.minZoom) return { content: new Uint8Array(), truncated: false };
  const scope: TileScope = {
    prefixes: options.prefixes ?? null,
    maxFeatures: options.maxFeatures ?? layer.maxFeatures,
    privacyK: options.privacyK ?? (layer.withholdsSmallCounts ? await privacyThreshold(context.db) : UNUSED_K),
  };
  if (context.capabilities.nativeVectorTiles) return nativeTile(context.db, layer, tile, scope);
  const { content: features, truncated } = await geoJsonFeaturesInTile(context.db, layer, tile, scope);
  return { content: encodeVectorTile(layer.name, features, tile), truncated };
}

/**
 * A tile of a layer kept per data version, rendered in one statement that also reads that version
 * (no transaction: three statements fewer a tile), where PostGIS encodes and the layer needs no
 * privacy setting read beside it; undefined otherwise (the caller renders in a transaction).
 */
export async function renderTileAtOnce(
  context: AppContext,
  layer: TileLayer,
  tile: TileAddress,
  prefixes: TileScope['prefixes'],
): Promise<{ version: string; tile: RenderedTile } | undefined> {
  if (!context.capabilities.nativeVectorTiles || layer.withholdsSmallCounts || layer.keptPer !== 'data' || tile.z < layer.minZoom) return undefined;
  const { version, ...rendered } = await nativeTile(context.db, layer, tile, { prefixes, maxFeatures: layer.maxFeatures, privacyK: UNUSED_K }, true);
  return version === undefined ? undefined : { version, tile: rendered };
}
