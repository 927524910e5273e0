import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

/**
 * The data version of the reader's snapshot (analytics_snapshot_key, sql/0008 and sql/0038): what
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

/** The data version with the snapshot itself (pg_current_snapshot as text): what changedDaysSince later compares with. */
export async function analyticsSnapshot(db: Kysely<DB>): Promise<{ key: string; snapshot: string }> {
  return (await sql<{ key: string; snapshot: string }>`SELECT analytics_snapshot_key() AS key, pg_current_snapshot()::text AS snapshot`.execute(db)).rows[0]!;
}

/** What 'every day' and 'no day' read as from changedDaysSince. */
export const EVERY_DAY = '-infinity';
export const NO_DAY = 'infinity';

/**
 * The earliest day that the writes committed since `snapshot` (and seen by the reader's) can have
 * changed in what the kept figures read (sql/0032_changed_days.sql): NO_DAY when none, EVERY_DAY
 * for a change of any day, undefined when the log no longer reaches back to `snapshot`.
 */
export async function changedDaysSince(db: Kysely<DB>, snapshot: string): Promise<string | undefined> {
  const { rows } = await sql<{ changed_from: string | null }>`
    SELECT changed_from::text AS changed_from FROM changed_days_since(${snapshot}::pg_snapshot)`.execute(db);
  return rows[0] && (rows[0].changed_from ?? NO_DAY);
}

/** Forgets the log of what every transaction of `snapshot` saw (the figures kept now were read in it). */
export async function pruneChangedDays(db: Kysely<DB>, snapshot: string): Promise<void> {
  await sql`SELECT prune_changed_days(${snapshot}::pg_snapshot)`.execute(db);
}

/** Whether `day` (YYYY-MM-DD) comes before `changedFrom` as changedDaysSince gives it. */
export const dayBefore = (day: string, changedFrom: string) => changedFrom === NO_DAY || (changedFrom !== EVERY_DAY && day < changedFrom);

/**
 * What a writer of a table the kept figures read notes in its own transaction, now that those
 * tables carry no triggers (docs/citus.md step 1; sql/0036, sql/0043): the data version moves, and
 * every day from `firstDay` on (every day by default) counts as changed for the kept month-ends.
 * Once per transaction is enough; more is harmless.
 */
export async function noteFiguresWritten(db: Kysely<DB>, firstDay: string = EVERY_DAY): Promise<void> {
  await sql`SELECT note_statistics_written(${firstDay}::date)`.execute(db);
}

/**
 * What a writer of the grids' or areas' shapes (or names) notes in its own transaction (sql/0044):
 * the shapes' version moves (the grid and area tiles are rendered again), and with it the data
 * version and every day, as noteFiguresWritten.
 */
export async function noteShapesWritten(db: Kysely<DB>): Promise<void> {
  await sql`SELECT note_shapes_written()`.execute(db);
}

/** The data version alone, for a writer of what only the heatmaps read and not the month-ends (the rental tiers). */
export async function noteDataVersionMoved(db: Kysely<DB>): Promise<void> {
  await sql`SELECT note_analytics_version()`.execute(db);
}
