import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import { recordAudit } from '../audit/service.ts';
import type { AppContext } from '../context.ts';
import type { Engine } from '../db/connection.ts';
import type { DB } from '../db/schema.ts';
import { isWithinJurisdiction } from '../domain/codes.ts';
import type { CoordinateSystem } from '../domain/coordinates.ts';
import { logger } from '../logger.ts';
import { ColumnMap, type FieldSpec } from './columns.ts';
import { buildingsImport } from './kinds/buildings.ts';
import { casesImport } from './kinds/cases.ts';
import { compoundsImport } from './kinds/compounds.ts';
import { changesOf, parseRow, updateRows, type ImportKindSpec, type RowProblem, type UpdatableField } from './kinds/kind.ts';
import { peopleImport } from './kinds/people.ts';
import { unitsImport } from './kinds/units.ts';
import { liveJobs } from './live.ts';
import { PreviewLog, previews } from './previews.ts';
import { openSource } from './readers/source.ts';
import { firstRowsOfRepeatedKeys, forgetKeys, insertErrors, updateJob } from './repository.ts';
import type { NumberedRow, OnFileRecord } from './repository/batches.ts';
import type { ImportFormat, ImportKind, ImportMode, TextEncoding } from '../domain/word-lists.ts';
import { removeFile } from './upload.ts';

/**
 * How a job runs, in this process, one job at a time:
 * 1. validating: the file is read once, row by row; each row is checked by its kind's rules,
 *    and every batch against the database (references, rows already on file, duplicates within
 *    the file). Every bad row is recorded. Nothing is written to the city's tables.
 * 2. importing (only when no row was bad): the file is read again and every row inserted in
 *    batches inside ONE transaction, with the audit row and the job's "done" status, so the
 *    city gets all rows or none.
 * Validation runs outside any transaction, so on the embedded database (one connection) other
 * requests, the job's progress among them, are served between its batches.
 */

export interface ImportJobRun {
  db: Kysely<DB>;
  engine: Engine;
  id: number;
  kind: ImportKind;
  format: ImportFormat;
  crs: CoordinateSystem;
  encoding: TextEncoding | null;
  file: string;
  principal: Principal;
  /** China's date when the job started: both passes judge dates against the same day. */
  today: string;
  /** Rows per batch: one database round trip checks or inserts this many (config importBatchRows). */
  batchRows: number;
  /** add: a row on file is a bad row; upsert: it updates the record on file (issue 16.9). */
  mode: ImportMode;
  /** Validate and say per row what would change, then stop: nothing is written. */
  preview: boolean;
  /** AppContext.afterImportBatch: a test's hold between validation batches (none in the server). */
  afterBatch?: AppContext['afterImportBatch'];
}

/** A valid row waiting for its batch's database checks, with the fields its file states. */
interface PendingRow<Row> extends NumberedRow<Row> {
  stated: ReadonlySet<string>;
}

interface Tally {
  rows: number;
  errors: number;
}

/** Bad rows, written to import_job_errors a batch at a time. */
class ErrorLog {
  count = 0;
  private pending: RowProblem[] = [];

  constructor(
    private readonly db: Kysely<DB>,
    private readonly jobId: number,
    private readonly columns: ColumnMap,
  ) {}

  add(row: number, problems: readonly { field: string; reason: string }[]): void {
    for (const problem of problems) this.pending.push({ row, field: this.columns.labelOf(problem.field), reason: problem.reason });
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    await insertErrors(this.db, this.jobId, this.count + 1, batch);
    this.count += batch.length;
  }
}

const RUNNERS: Record<ImportKind, (job: ImportJobRun) => Promise<void>> = {
  buildings: (job) => runPasses(buildingsImport, job),
  units: (job) => runPasses(unitsImport, job),
  people: (job) => runPasses(peopleImport, job),
  cases: (job) => runPasses(casesImport, job),
  compounds: (job) => runPasses(compoundsImport, job),
};

/** Every kind's spec, for what the routes ask of a kind before a job runs (its columns, whether it can update). */
const SPECS: readonly { kind: ImportKind; fields: readonly FieldSpec[]; updates?: unknown }[] = [
  buildingsImport,
  unitsImport,
  peopleImport,
  casesImport,
  compoundsImport,
];
/** Kinds an import may update (mode upsert): those whose spec says how. */
export const isUpdatable = (kind: ImportKind) => SPECS.some((spec) => spec.kind === kind && spec.updates !== undefined);
/** A kind's columns (for its template), undefined for a kind not listed here. */
export const fieldsOf = (kind: string) => SPECS.find((spec) => spec.kind === kind)?.fields;

let lane: Promise<void> = Promise.resolve();

/** Queues the job behind those already accepted by this process. */
export function enqueueImport(job: ImportJobRun): void {
  liveJobs.start(job.id);
  lane = lane.then(() => runImportJob(job));
}

async function runImportJob(job: ImportJobRun): Promise<void> {
  try {
    await RUNNERS[job.kind](job);
  } catch (error) {
    logger.error('import job failed', { jobId: job.id, error: describeFailure(error) });
    await updateJob(job.db, job.id, { status: 'failed', message: describeFailure(error), finished_at: new Date() }).catch(() => {});
  } finally {
    liveJobs.finish(job.id);
    await forgetKeys(job.db, job.id).catch(() => {});
    await removeFile(job.file);
  }
}

/**
 * A failure not tied to a row, in words fit for the job's message. A database error's own text
 * may quote the offending value (an ID number), so only its constraint or code is kept.
 */
function describeFailure(error: unknown): string {
  const { code, constraint, message } = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return `the database refused the import (${typeof constraint === 'string' ? `constraint ${constraint}` : `SQLSTATE ${code}`}); nothing was imported`;
  }
  return `the file could not be read: ${typeof message === 'string' ? message.slice(0, 300) : 'unknown error'}`;
}

async function runPasses<Row>(spec: ImportKindSpec<Row>, job: ImportJobRun): Promise<void> {
  const columns = new ColumnMap(spec.fields);
  liveJobs.update(job.id, { status: 'validating' });
  await updateJob(job.db, job.id, { status: 'validating' });
  const preview = job.preview ? previewLogOf(spec, job, columns) : undefined;
  const tally = await validate(spec, job, columns, preview);
  if (tally.errors > 0) {
    await updateJob(job.db, job.id, {
      status: 'failed',
      rows_processed: tally.rows,
      rows_total: tally.rows,
      error_count: tally.errors,
      finished_at: new Date(),
      message: `${tally.errors} problem(s) found; nothing was imported`,
    });
    return;
  }
  if (preview) {
    const { totals } = preview.result();
    previews.set(job.id, preview.result());
    await updateJob(job.db, job.id, {
      status: 'done',
      rows_processed: tally.rows,
      rows_total: tally.rows,
      finished_at: new Date(),
      message: `preview: ${totals.added} to add, ${totals.changed} to change, ${totals.unchanged} unchanged; nothing was changed`,
    });
    return;
  }
  liveJobs.update(job.id, { status: 'importing', rowsProcessed: 0, rowsTotal: tally.rows });
  await updateJob(job.db, job.id, { status: 'importing', rows_processed: 0, rows_total: tally.rows });
  await importAll(spec, job, columns, tally.rows);
}

/** Pass 1: every row checked, every problem recorded; no row written. */
async function validate<Row>(spec: ImportKindSpec<Row>, job: ImportJobRun, columns: ColumnMap, preview: PreviewLog | undefined): Promise<Tally> {
  const source = openSource(job.file, job.format, job.encoding);
  liveJobs.update(job.id, { bytesRead: source.bytesRead });
  const errors = new ErrorLog(job.db, job.id, columns);
  const keySecret = randomBytes(32);
  const grids = job.principal.role === 'collector' ? job.principal.jurisdiction : undefined;
  let batch: PendingRow<Row>[] = [];
  let rows = 0;

  const checkBatch = async () => {
    await checkAgainstDatabase(spec, job, batch, grids, keySecret, errors);
    if (preview && errors.count === 0) await previewBatch(spec, job, batch, preview);
    batch = [];
    await errors.flush();
    liveJobs.update(job.id, { rowsProcessed: rows });
    await updateJob(job.db, job.id, { rows_processed: rows, error_count: errors.count });
    // Outside any transaction, so a held job keeps no connection from the status requests.
    await job.afterBatch?.({ jobId: job.id, rowsProcessed: rows });
  };

  for await (const event of source.events) {
    if (event.type === 'header') {
      const missing = columns.missingRequired(event.headers);
      errors.add(
        event.row,
        missing.map((field) => ({ field: field.headers[0] ?? field.name, reason: missingColumnReason(field.headers) })),
      );
      if (missing.length > 0) break;
      continue;
    }
    rows += 1;
    const fields = columns.toFields(event.values);
    const parsed = parseRow(spec, fields, { crs: job.crs, today: job.today, geometry: event.geometry });
    if (parsed.problems) {
      errors.add(event.row, parsed.problems);
    } else {
      const outside = grids && outsideGrids(spec.scope(parsed.row), grids);
      if (outside) errors.add(event.row, [outside]);
      else batch.push({ row: event.row, value: parsed.row, stated: new Set(Object.keys(fields)) });
    }
    // Every batchRows rows, good or bad: the batch is checked and the progress saved.
    if (rows % job.batchRows === 0) await checkBatch();
  }
  await checkBatch();
  return { rows, errors: errors.count };
}

function outsideGrids(scope: { field: string; code: string } | undefined, grids: readonly string[]) {
  if (!scope || isWithinJurisdiction(scope.code, grids)) return undefined;
  return { field: scope.field, reason: 'is outside your grids' };
}

function previewLogOf<Row>(spec: ImportKindSpec<Row>, job: ImportJobRun, columns: ColumnMap): PreviewLog {
  const fields = (spec.updates?.fields ?? []) as readonly UpdatableField<never>[];
  const columnOf = (name: string) => (fields.find((field) => field.name === name)?.readFrom ?? [name]).map((field) => columns.labelOf(field)).join('/');
  return new PreviewLog(job.principal, spec.kind === 'people', fields, columnOf);
}

/** Each row of a checked batch as the preview shows it: added, or (mode upsert) changed / unchanged against the record on file. */
async function previewBatch<Row>(spec: ImportKindSpec<Row>, job: ImportJobRun, batch: PendingRow<Row>[], preview: PreviewLog): Promise<void> {
  const onFile =
    job.mode === 'upsert' && spec.updates
      ? await spec.updates.onFile(
          job.db,
          batch.map(({ value }) => spec.key(value).value),
        )
      : new Map<string, OnFileRecord>();
  for (const { row, value, stated } of batch) {
    const key = spec.key(value).value;
    const record = onFile.get(key);
    preview.add(row, key, record && changesOf(spec.updates!, value, stated, record));
  }
}

async function checkAgainstDatabase<Row>(
  spec: ImportKindSpec<Row>,
  job: ImportJobRun,
  batch: PendingRow<Row>[],
  grids: readonly string[] | undefined,
  keySecret: Buffer,
  errors: ErrorLog,
) {
  if (batch.length === 0) return;
  const keyed = batch.map(({ row, value }) => ({ row, key: spec.key(value).value }));
  const repeated = await firstRowsOfRepeatedKeys(job.db, job.id, keySecret, keyed);
  const keyField = spec.key(batch[0]!.value).field;
  for (const [row, firstRow] of repeated) errors.add(row, [{ field: keyField, reason: `repeats row ${firstRow}` }]);
  for (const problem of await spec.check(job.db, batch, grids, job.mode)) errors.add(problem.row, [problem]);
}

/** Pass 2: all rows in one transaction, with the audit row and the "done" status. */
async function importAll<Row>(spec: ImportKindSpec<Row>, job: ImportJobRun, columns: ColumnMap, total: number): Promise<void> {
  await job.db.transaction().execute(async (trx) => {
    const written: Record<string, number> = {};
    let batch: PendingRow<Row>[] = [];
    let rows = 0;
    const insertBatch = async () => {
      if (batch.length > 0) addCounts(written, await writeBatch(spec, job, trx, batch));
      batch = [];
      liveJobs.update(job.id, { rowsProcessed: rows });
      // The embedded database has one connection, held by this transaction: no heartbeat there.
      if (job.engine === 'postgres') await updateJob(job.db, job.id, { rows_processed: rows });
    };
    for await (const event of openSource(job.file, job.format, job.encoding).events) {
      if (event.type === 'header') continue;
      const fields = columns.toFields(event.values);
      const parsed = parseRow(spec, fields, { crs: job.crs, today: job.today, geometry: event.geometry });
      if (!parsed.row) throw new Error(`row ${event.row} changed between validation and import`);
      rows += 1;
      batch.push({ row: event.row, value: parsed.row, stated: new Set(Object.keys(fields)) });
      if (batch.length >= job.batchRows) await insertBatch();
    }
    await insertBatch();
    await recordAudit(trx, job.principal, {
      action: 'import',
      targetType: 'import_job',
      targetId: job.id,
      details: { kind: job.kind, mode: job.mode, format: job.format, crs: job.crs, encoding: job.encoding, rows: total, written },
    });
    await updateJob(trx, job.id, { status: 'done', rows_processed: rows, rows_imported: rows, finished_at: new Date() });
  });
}

/**
 * Writes one batch: every row inserted (mode add), or (mode upsert) new rows inserted and rows on
 * file updated where they differ, each update audited with the fields it changed (never their values).
 */
async function writeBatch<Row>(spec: ImportKindSpec<Row>, job: ImportJobRun, trx: Kysely<DB>, batch: PendingRow<Row>[]): Promise<Record<string, number>> {
  const updates = spec.updates;
  if (job.mode === 'add' || !updates)
    return spec.insert(
      trx,
      batch.map(({ value }) => value),
    );
  const keyOf = (row: Row) => spec.key(row).value;
  const onFile = await updates.onFile(
    trx,
    batch.map(({ value }) => keyOf(value)),
  );
  const fresh = batch.filter(({ value }) => !onFile.has(keyOf(value))).map(({ value }) => value);
  const changed = batch.flatMap(({ value, stated }) => {
    const record = onFile.get(keyOf(value));
    const fields = record ? changesOf(updates, value, stated, record).map((change) => change.field) : [];
    return fields.length > 0 ? [{ row: value, fields, id: record!.id }] : [];
  });
  const written = fresh.length > 0 ? await spec.insert(trx, fresh) : {};
  const updated = await updateRows(trx, updates, keyOf, changed);
  const onFileRows = batch.filter(({ value }) => onFile.has(keyOf(value))).map(({ value }) => value);
  if (updates.afterUpdate && onFileRows.length > 0) addCounts(written, await updates.afterUpdate(trx, onFileRows));
  await recordAudit(
    trx,
    job.principal,
    changed.map(({ id, fields }) => ({
      action: 'update',
      targetType: updates.targetType,
      targetId: id,
      details: { importJob: job.id, fields },
    })),
  );
  return { ...written, [`${updates.table}Updated`]: updated };
}

/** "missing column (write one of: …)": the report's reason for a required column the file lacks. */
export const missingColumnReason = (headers: readonly string[]) => `missing column (write one of: ${headers.join(', ')})`;

function addCounts(total: Record<string, number>, counts: Record<string, number>): void {
  for (const [table, count] of Object.entries(counts)) total[table] = (total[table] ?? 0) + count;
}
