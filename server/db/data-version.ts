import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

/**
 * The data version of the reader's snapshot (analytics_snapshot_key, sql/0008 and sql/0026): what
 * every answer, tile or figure kept in memory is keyed by. One statement; inside a REPEATABLE READ
 * transaction it names exactly the data that transaction reads.
 */
export async function analyticsSnapshotKey(db: Kysely<DB>): Promise<string> {
  return (await sql<{ key: string }>`SELECT analytics_snapshot_key() AS key`.execute(db)).rows[0]!.key;
}

/**
 * The version of the grid and area shapes (sql/0029_shape_version.sql), read in the reader's
 * snapshot: what the tiles that draw only shapes (grids, areas) are kept per, so that a
 * registration, which moves the analytics version, does not make them render again.
 */
export async function shapeSnapshotKey(db: Kysely<DB>): Promise<string> {
  return shapesKeyOf((await sql<{ version: string }>`SELECT version FROM shape_version`.execute(db)).rows[0]!.version);
}

/** The key shapeSnapshotKey gives for a version of shape_version read otherwise (with a tile, in one statement). */
export const shapesKeyOf = (version: string | number) => `shapes-${version}`;
