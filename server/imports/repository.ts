import { createHmac } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { RowProblem } from './kinds/kind.ts';
import type { ImportJobsTable } from './tables.ts';

export type ImportJobRow = Selectable<ImportJobsTable> & { created_by_username: string };

export async function insertJob(db: Kysely<DB>, values: Insertable<ImportJobsTable>): Promise<number> {
  const { id } = await db.insertInto('import_jobs').values(values).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateJob(db: Kysely<DB>, id: number, changes: Updateable<ImportJobsTable>): Promise<void> {
  await db
    .updateTable('import_jobs')
    .set({ ...changes, heartbeat_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

function jobsQuery(db: Kysely<DB>) {
  return db
    .selectFrom('import_jobs')
    .innerJoin('users', 'users.id', 'import_jobs.created_by')
    .selectAll('import_jobs')
    .select('users.username as created_by_username');
}

/** One job, when `onlyCreatedBy` (a collector's own user id) is unset or matches. */
export async function findJob(db: Kysely<DB>, id: number, onlyCreatedBy: number | undefined): Promise<ImportJobRow | undefined> {
  let query = jobsQuery(db).where('import_jobs.id', '=', id);
  if (onlyCreatedBy !== undefined) query = query.where('import_jobs.created_by', '=', onlyCreatedBy);
  return query.executeTakeFirst();
}

export async function recentJobs(db: Kysely<DB>, limit: number, onlyCreatedBy: number | undefined): Promise<ImportJobRow[]> {
  let query = jobsQuery(db).orderBy('import_jobs.created_at', 'desc').orderBy('import_jobs.id', 'desc').limit(limit);
  if (onlyCreatedBy !== undefined) query = query.where('import_jobs.created_by', '=', onlyCreatedBy);
  return query.execute();
}

/** A page of a job's bad rows in file order, after (row, seq) `after` (keyset paging for the report). */
export async function jobErrors(db: Kysely<DB>, jobId: number, limit: number, after?: { row: number; seq: number }) {
  let query = db
    .selectFrom('import_job_errors')
    .select(['seq', 'row_number as row', 'field', 'reason'])
    .where('job_id', '=', jobId)
    .orderBy('row_number')
    .orderBy('seq')
    .limit(limit);
  if (after) query = query.where((eb) => eb.or([eb('row_number', '>', after.row), eb.and([eb('row_number', '=', after.row), eb('seq', '>', after.seq)])]));
  return query.execute();
}

export async function insertErrors(db: Kysely<DB>, jobId: number, firstSeq: number, problems: readonly RowProblem[]): Promise<void> {
  if (problems.length === 0) return;
  await db
    .insertInto('import_job_errors')
    .values(problems.map((problem, index) => ({ job_id: jobId, seq: firstSeq + index, row_number: problem.row, field: problem.field, reason: problem.reason })))
    .execute();
}

/**
 * Records the keys of a batch and answers, for each key seen before (earlier in the file or
 * twice in this batch), the row that had it first. Keys are stored as an HMAC under a secret
 * that lives only as long as the job, so the table never holds an ID number or a guessable hash.
 */
export async function firstRowsOfRepeatedKeys(
  db: Kysely<DB>,
  jobId: number,
  secret: Buffer,
  keyed: { row: number; key: string }[],
): Promise<Map<number, number>> {
  const hashes = keyed.map(({ key }) => createHmac('sha256', secret).update(key).digest('base64url'));
  const rows = keyed.map(({ row }) => row);
  const inserted = await sql<{ row_number: number }>`
    INSERT INTO import_job_keys (job_id, key_hash, row_number)
    SELECT ${jobId}, key_hash, row_number FROM unnest(${hashes}::text[], ${rows}::int[]) AS input(key_hash, row_number)
    ON CONFLICT (job_id, key_hash) DO NOTHING
    RETURNING row_number`.execute(db);
  const kept = new Set(inserted.rows.map((row) => row.row_number));
  const repeated = keyed.map((entry, index) => ({ row: entry.row, hash: hashes[index]! })).filter((entry) => !kept.has(entry.row));
  if (repeated.length === 0) return new Map();
  const first = await db
    .selectFrom('import_job_keys')
    .select(['key_hash', 'row_number'])
    .where('job_id', '=', jobId)
    .where('key_hash', 'in', [...new Set(repeated.map((entry) => entry.hash))])
    .execute();
  const firstRowByHash = new Map(first.map((entry) => [entry.key_hash, entry.row_number]));
  return new Map(repeated.map((entry) => [entry.row, firstRowByHash.get(entry.hash)!]));
}

export async function forgetKeys(db: Kysely<DB>, jobId: number): Promise<void> {
  await db.deleteFrom('import_job_keys').where('job_id', '=', jobId).execute();
}
