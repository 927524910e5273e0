import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { RenderedTile } from '../render.ts';
import type { TileAddress } from '../tile-math.ts';
import { keptTileOfRow, type KeptTileRow } from './kept-tile-row.ts';

/**
 * The pyramid of whole-city shape tiles (sql/0030_shape_tiles.sql). Every statement compares a row's
 * version with shape_version in the caller's snapshot, so a tile rendered before a boundary import
 * is never served after it, and its format with the caller's (`format`: how this release renders).
 */

const currentVersion = sql`(SELECT version FROM shape_version)`;

/** The kept tile of `layer` at the shapes' current version, if it has been rendered. */
export async function storedShapeTile(db: Kysely<DB>, format: string, layer: string, { z, x, y }: TileAddress): Promise<RenderedTile | undefined> {
  const result = await sql<KeptTileRow>`
    SELECT content, truncated, gzipped FROM shape_tiles
    WHERE layer = ${layer} AND z = ${z}::int AND x = ${x}::int AND y = ${y}::int AND shapes_version = ${currentVersion} AND format = ${format}`.execute(db);
  const row = result.rows[0];
  return row && keptTileOfRow(row);
}

export interface StoredTileAtVersion {
  /** shape_version's version in the statement's snapshot. */
  shapesVersion: string;
  /** analytics_snapshot_key() in the same snapshot, for a statistics tile. */
  analyticsKey?: string;
  /** The tile kept at that version and format, if any. */
  tile?: RenderedTile;
}

/**
 * What a caller makes of a tile of the pyramid: sends it (its gzipped copy is read with it), or a
 * statistics tile of it (the data version of the same snapshot is read with it, and no copy: the
 * tile sent is another).
 */
export type StoredTileUse = 'sent' | 'statistics';

/**
 * The shapes' version and the kept tile of `layer` at it, in one statement and so one snapshot
 * (with what `use` needs besides): what a tile request needs to answer from the pyramid without a
 * transaction.
 */
export async function storedShapeTileAtVersion(
  db: Kysely<DB>,
  format: string,
  layer: string,
  { z, x, y }: TileAddress,
  use: StoredTileUse,
): Promise<StoredTileAtVersion> {
  const analyticsKey = use === 'statistics' ? sql`analytics_snapshot_key()` : sql`NULL::text`;
  const gzipped = use === 'sent' ? sql`t.gzipped` : sql`NULL::bytea`;
  const result = await sql<{ shapes_version: string; analytics_key: string | null } & Partial<KeptTileRow>>`
    SELECT v.version::text AS shapes_version, ${analyticsKey} AS analytics_key, t.content, t.truncated, ${gzipped} AS gzipped
    FROM shape_version v LEFT JOIN shape_tiles t
      ON t.layer = ${layer} AND t.z = ${z}::int AND t.x = ${x}::int AND t.y = ${y}::int AND t.shapes_version = v.version AND t.format = ${format}`.execute(db);
  const row = result.rows[0]!;
  return {
    shapesVersion: row.shapes_version,
    ...(row.analytics_key !== null && { analyticsKey: row.analytics_key }),
    ...(row.content != null && { tile: keptTileOfRow(row as KeptTileRow) }),
  };
}

/** "layer/z/x/y" of every tile kept at the current version: what a resumed build skips. */
export async function keptShapeTileKeys(db: Kysely<DB>, format: string): Promise<Set<string>> {
  const result = await sql<{ key: string }>`
    SELECT layer || '/' || z || '/' || x || '/' || y AS key FROM shape_tiles WHERE shapes_version = ${currentVersion} AND format = ${format}`.execute(db);
  return new Set(result.rows.map((row) => row.key));
}

/** Keeps a rendered tile (with its gzipped copy, null when too small) at the version of the caller's snapshot (the one it was rendered in). */
export async function keepShapeTile(
  db: Kysely<DB>,
  format: string,
  layer: string,
  { z, x, y }: TileAddress,
  tile: RenderedTile,
  gzipped: Uint8Array | null,
): Promise<void> {
  await sql`
    INSERT INTO shape_tiles (layer, z, x, y, shapes_version, format, content, truncated, gzipped)
    VALUES (${layer}, ${z}::int, ${x}::int, ${y}::int, ${currentVersion}, ${format}, ${tile.content}, ${tile.truncated}, ${gzipped})
    ON CONFLICT (layer, z, x, y) DO UPDATE
      SET shapes_version = excluded.shapes_version, format = excluded.format, content = excluded.content, truncated = excluded.truncated,
          gzipped = excluded.gzipped`.execute(db);
}

/** Drops the tiles of older shapes or formats once the pyramid of the current ones is complete. */
export async function forgetOlderShapeTiles(db: Kysely<DB>, format: string): Promise<void> {
  await sql`DELETE FROM shape_tiles WHERE shapes_version <> ${currentVersion} OR format <> ${format}`.execute(db);
}

/**
 * The district codes (first six digits) of every grid and area: a jurisdiction that holds them
 * all sees the whole city, so the pyramid's tiles (rendered for the whole city) are its tiles.
 */
export async function cityDistrictCodes(db: Kysely<DB>): Promise<string[]> {
  const result = await sql<{ code: string }>`
    SELECT DISTINCT left(code, 6) AS code FROM grids UNION SELECT DISTINCT left(code, 6) FROM admin_areas`.execute(db);
  return result.rows.map((row) => row.code);
}
