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
