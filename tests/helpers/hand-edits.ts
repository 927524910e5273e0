import { sql, type Insertable, type Kysely, type RawBuilder } from 'kysely';
import { factsWritten, lockFacts, writeCounted as writeCountedInTransaction, type CountedTable } from '../../server/db/counted-writes.ts';
import type { DB, ResidenciesTable } from '../../server/db/schema.ts';
import { streetCodeOf } from '../../server/domain/codes.ts';

/*
 * Writes made outside the server's own writers — an operator's change in psql, a test's fixture or
 * its direct statement — made the way README "Editing by hand" says: the tables below carry no
 * triggers any more (docs/citus.md step 1), so each write notes or recounts what it changed itself.
 */

/**
 * `work` in `db`'s transaction, or in a new one when `db` is not a transaction. So every helper
 * below takes the pool or a Kysely transaction, never a single connection inside a BEGIN of its
 * own: Kysely cannot tell that one from the pool, and its COMMIT would end that BEGIN early.
 */
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

/** The codes of the units of `buildingCodes`. */
async function unitCodesOf(db: Kysely<DB>, buildingCodes: readonly string[]): Promise<string[]> {
  const { rows } = await sql<{ code: string }>`SELECT code FROM units WHERE building_code = ANY (${buildingCodes as string[]}::text[])`.execute(db);
  return rows.map((row) => row.code);
}

/**
 * A write of units of `buildingCodes` (added, changed or deleted; sql/0046: they carry no trigger)
 * as their writers make it: those buildings' unit facts locked before, `write`, and the recount of
 * what it changed, in one transaction. Answers what `write` answers.
 */
export async function writeUnitsOf<T>(db: Kysely<DB>, buildingCodes: readonly string[], write: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return inTransaction(db, async (trx) => {
    const codesBefore = await unitCodesOf(trx, buildingCodes);
    const before = await lockFacts(trx, 'units', codesBefore);
    const result = await write(trx);
    await factsWritten(trx, 'units', before, [...new Set([...codesBefore, ...(await unitCodesOf(trx, buildingCodes))])]);
    return result;
  });
}

/** A grid's rented units as the statistics keep them and as the units of its active buildings count them. */
export async function rentedUnitsOfGrid(db: Kysely<DB>, grid: string): Promise<{ kept: number; counted: number }> {
  const { rows } = await sql<{ kept: number; counted: number }>`
    SELECT (SELECT rented_units FROM grid_unit_stats WHERE grid_code = ${grid}) AS kept,
           (SELECT count(*)::int FROM units AS u JOIN buildings AS b ON b.code = u.building_code
            WHERE b.grid_code = ${grid} AND b.status = 'active' AND u.use = 'rented') AS counted`.execute(db);
  return rows[0]!;
}

/**
 * An insert into `table` (sql/0046–0049: the counted tables carry no trigger) as its writers make
 * it: `insert`, which answers the new rows' keys, and their count in the statistics, in one
 * transaction. Answers the keys.
 */
export async function insertCounted<Key extends string | number>(
  db: Kysely<DB>,
  table: CountedTable,
  insert: (trx: Kysely<DB>) => Promise<readonly Key[]>,
): Promise<readonly Key[]> {
  return inTransaction(db, async (trx) => {
    const keys = await insert(trx);
    await factsWritten(trx, table, [], keys);
    return keys;
  });
}

/**
 * A write of the rows of `table` with these keys (added, changed or deleted: the buildings, units,
 * permits, stays and persons carry no trigger, sql/0046–0049) as their writers make it: their facts locked
 * before, `write`, and the recount of what it changed, in one transaction. Answers what `write`
 * answers.
 */
export async function writeCounted<T>(
  db: Kysely<DB>,
  table: CountedTable,
  keys: readonly (string | number)[],
  write: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return inTransaction(db, (trx) => writeCountedInTransaction(trx, table, keys, () => write(trx)));
}

/** A stay as a fixture gives it: what residencies hold, less the street, which its unit names. */
export interface StayRow {
  personId: number;
  unitCode: string;
  movedIn: string;
  registeredAt: string;
  movedOut?: string | null;
  deregisteredAt?: string | null;
}

/** Inserts stays as their writers do (the street named, sql/0050; counted in the statistics, sql/0049); answers their ids. */
export async function insertStays(db: Kysely<DB>, stays: readonly StayRow[]): Promise<number[]> {
  const rows: Insertable<ResidenciesTable>[] = stays.map((stay) => ({
    person_id: stay.personId,
    unit_code: stay.unitCode,
    street_code: streetCodeOf(stay.unitCode),
    moved_in: stay.movedIn,
    registered_at: stay.registeredAt,
    moved_out: stay.movedOut ?? null,
    deregistered_at: stay.deregisteredAt ?? null,
  }));
  const ids = await insertCounted(db, 'residencies', async (trx) =>
    (await trx.insertInto('residencies').values(rows).returning('id').execute()).map((row) => row.id),
  );
  return [...ids];
}
