import { createHash } from 'node:crypto';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { AppContext } from '../context.ts';
import { envelopeOf } from '../db/feature-sql.ts';
import type { DB } from '../db/schema.ts';
import type { TileLayer } from './layers.ts';
import { TILE_BUFFER, TILE_EXTENT } from './tile-math.ts';

/** Compiles SQL without a database (Kysely's documented "compile only" setup): nothing is sent. */
const COMPILE_ONLY = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/**
 * How this release renders the tiles it keeps in the database (the shape pyramid, the building
 * tiles): a hash of each layer's SQL at every zoom up to `maxZoom` (with its parameters, a fixed
 * envelope standing in for the tile's), the tile extent and buffer, the encoder and what a row keeps. A release
 * that draws these layers differently (other levels at a zoom, another simplification) finds no
 * tile of its format and renders them again.
 */
export function renderingFormat(context: AppContext, layers: readonly TileLayer[], maxZoom: number): string {
  const hash = createHash('sha256');
  // `kept`: the rows hold a gzipped copy beside the bytes (sql/0034): older rows are rendered again with one.
  hash.update(JSON.stringify({ extent: TILE_EXTENT, buffer: TILE_BUFFER, native: context.capabilities.nativeVectorTiles, kept: 'content+gzipped' }));
  for (const layer of layers) {
    for (let z = layer.minZoom; z <= maxZoom; z += 1) {
      const compiled = layer.select(envelopeOf([0, 0, 0, 0]), z, null, 0).compile(COMPILE_ONLY);
      hash.update(JSON.stringify([layer.name, layer.maxFeatures, z, compiled.sql, compiled.parameters]));
    }
  }
  return hash.digest('base64url').slice(0, 16);
}
