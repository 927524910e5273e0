import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../server/db/schema.ts';

/** `work` in `db`'s transaction, or in a new one when `db` is not a transaction. */
function inTransaction<T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/**
 * A change made by hand in SQL, as README "Editing by hand" tells an operator to make it: the
 * statement and the note of what the kept figures read in one transaction (the tables carry no
 * triggers that would note it, sql/0043).
 */
export async function editByHand(db: Kysely<DB>, statement: RawBuilder<unknown>): Promise<void> {
  await inTransaction(db, async (trx) => {
    await statement.execute(trx);
    await sql`SELECT note_statistics_written('-infinity')`.execute(trx);
  });
}

/** Sets the privacy setting's k by hand (no API writes it), or with null removes the setting (DOMAIN.md's default k). */
export async function setPrivacyKByHand(db: Kysely<DB>, k: number | null): Promise<void> {
  await editByHand(
    db,
    k === null
      ? sql`DELETE FROM settings WHERE key = 'privacy'`
      : sql`INSERT INTO settings (key, value) VALUES ('privacy', ${JSON.stringify({ k })}::jsonb)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  );
}

/** A change of the grids' or areas' shapes or names by hand: the statement and note_shapes_written() in one transaction (sql/0044). */
export async function editShapesByHand(db: Kysely<DB>, statement: RawBuilder<unknown>): Promise<void> {
  await inTransaction(db, async (trx) => {
    await statement.execute(trx);
    await sql`SELECT note_shapes_written()`.execute(trx);
  });
}

/**
 * A write of cases (sql/0045: they carry no trigger) whose statement returns the grid of each row
 * it wrote (`case_grid(grid_code, building_code) AS grid`; for an update, before and after): the
 * statement and cases_written() of those grids in one transaction. Answers the statement's rows.
 */
export async function writeCases<Row extends object = object>(db: Kysely<DB>, statement: RawBuilder<unknown>): Promise<(Row & { grid: string | null })[]> {
  return inTransaction(db, async (trx) => {
    const rows = (await statement.execute(trx)).rows as (Row & { grid: string | null })[];
    await sql`SELECT cases_written(${rows.map((row) => row.grid)}::text[])`.execute(trx);
    return rows;
  });
}
