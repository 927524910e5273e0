import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { RenderedTile } from '../render.ts';
import type { TileAddress } from '../tile-math.ts';
import { keptTileOfRow, type KeptTileRow } from './kept-tile-row.ts';

/**
 * The whole city's building tiles kept tile by tile (sql/0033_building_tiles.sql): a row with
 * content is current in any snapshot that sees it (a writer marks the tiles it touches in its own
 * transaction, and a tile rendered before a change is refused when kept).
 */

export interface StoredBuildingTile {
  /** How often the tile was marked changed (0: never); with the format, the tile's version. */
  generation: number;
  /** shape_version's version in the same snapshot (the caller's view of the districts). */
  shapesVersion: string;
  /** The tile, when kept current in this format. */
  tile?: RenderedTile;
}

/** The kept tile, if current in `format`, with its generation and the shapes' version, in one statement. */
export async function storedBuildingTile(db: Kysely<DB>, format: string, { z, x, y }: TileAddress): Promise<StoredBuildingTile> {
  const result = await sql<{ shapes_version: string; generation: number | null } & Partial<KeptTileRow>>`
    SELECT v.version::text AS shapes_version, t.generation, t.content, t.truncated, t.gzipped
    FROM shape_version v LEFT JOIN building_tiles t
      ON t.z = ${z}::int AND t.x = ${x}::int AND t.y = ${y}::int AND t.format = ${format} AND t.content IS NOT NULL`.execute(db);
  const row = result.rows[0]!;
  return {
    generation: row.generation ?? 0,
    shapesVersion: row.shapes_version,
    ...(row.content != null && { tile: keptTileOfRow(row as KeptTileRow) }),
  };
}

/**
 * Keeps a tile rendered in the caller's REPEATABLE READ snapshot. Throws a serialization failure
 * (40001) when a writer marked the tile after that snapshot: the tile must not be kept then.
 */
export async function keepBuildingTile(
  db: Kysely<DB>,
  format: string,
  { z, x, y }: TileAddress,
  tile: RenderedTile,
  gzipped: Uint8Array | null,
): Promise<void> {
  await sql`
    INSERT INTO building_tiles (z, x, y, format, content, truncated, gzipped)
    VALUES (${z}::int, ${x}::int, ${y}::int, ${format}, ${tile.content}, ${tile.truncated}, ${gzipped})
    ON CONFLICT (z, x, y) DO UPDATE SET format = excluded.format, content = excluded.content, truncated = excluded.truncated, gzipped = excluded.gzipped`.execute(
    db,
  );
}

/** "z/x/y" of every tile kept current in `format`: what a build skips. */
export async function keptBuildingTileKeys(db: Kysely<DB>, format: string): Promise<Set<string>> {
  const result = await sql<{ key: string }>`
    SELECT z || '/' || x || '/' || y AS key FROM building_tiles WHERE format = ${format} AND content IS NOT NULL`.execute(db);
  return new Set(result.rows.map((row) => row.key));
}
