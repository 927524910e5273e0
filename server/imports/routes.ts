import type { Request, Response } from 'express';
import type { Principal } from '../auth/session.ts';
import { toCsv } from '../http/attachments.ts';
import type { AppContext } from '../context.ts';
import type { Role } from '../db/schema.ts';
import { chinaToday } from '../domain/calendar.ts';
import { badRequest, HttpError, notFound } from '../http/errors.ts';
import { route, type FeatureRoutes } from '../http/route-registry.ts';
import { RUNNER_ID } from './live.ts';
import { findJob, insertJob, jobErrors, recentJobs, type ImportJobRow } from './repository.ts';
import { previews, jobOptions } from './previews.ts';
import { bilingualReason, reasonZh } from './reasons.ts';
import { enqueueImport, fieldsOf, isUpdatable } from './runner.ts';
import { formatFromName, importQuery, jobListQuery, jobParams, TEMPLATE_FORMATS, templateParams, type ImportQuery } from './schemas.ts';
import { sendTemplate } from './templates.ts';
import type { ImportFormat } from '../domain/word-lists.ts';
import { IMPORT_MAX_BYTES, receiveUpload, removeFile, type ReceivedFile } from './upload.ts';
import { jobView } from './view.ts';

/**
 * Imports (issue 9): admins import anything; collectors import rows inside their own grids (a
 * row outside them is a bad row). The upload answers 202 with the job; the job's status,
 * progress and bad rows are read back here. A collector sees only the jobs they started.
 */
const IMPORTERS: readonly Role[] = ['admin', 'collector'];
/** Bad rows shown with a job; the CSV report lists them all. */
const ERRORS_SHOWN = 100;
const REPORT_PAGE = 5000;

const onlyOwnJobs = (principal: Principal) => (principal.role === 'collector' ? principal.userId : undefined);

/** The job named in the path, when the caller may see it (404 otherwise, also for another collector's job). */
async function visibleJob(context: AppContext, id: number, principal: Principal): Promise<ImportJobRow> {
  const job = await findJob(context.db, id, onlyOwnJobs(principal));
  if (!job) throw notFound('Import job', String(id));
  return job;
}

/** Mode upsert for a kind that cannot be updated by import (its spec has no `updates`). */
function modeRefusal(query: ImportQuery): HttpError | undefined {
  if (query.mode === 'add' || isUpdatable(query.kind)) return undefined;
  const message = `${query.kind} cannot be updated by an import: use mode=add`;
  return badRequest('invalid_request', message, {
    fields: [{ field: 'mode', code: 'not_updatable', message, messageZh: '此类数据不能通过导入更新：请使用“只新增”（mode=add）' }],
  });
}

const ZIP_SIGNATURE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const fileRefused = (message: string, field = 'file') => badRequest('invalid_request', message, { fields: [{ field, message }] });

/** The declared (or extension-given) format, or why the file is refused. */
function formatOf(file: ReceivedFile, query: ImportQuery): ImportFormat | HttpError {
  if (file.bytes === 0) return fileRefused('The file is empty');
  const format = query.format ?? formatFromName(file.fileName);
  if (!format) return fileRefused('Say the format (csv, xlsx or geojson), or send a file name ending in .csv, .xlsx or .geojson', 'format');
  const isZip = file.head.subarray(0, 4).equals(ZIP_SIGNATURE);
  if (format === 'xlsx' && !isZip) return fileRefused('The file is not an XLSX workbook');
  if (format !== 'xlsx' && isZip) return fileRefused(`The file is a zip or XLSX workbook, not ${format}`);
  return format;
}

async function acceptUpload(
  context: AppContext,
  { query, principal }: { query: ImportQuery; principal: Principal },
  request: Request,
  response: Response,
): Promise<void> {
  const refusal = modeRefusal(query);
  if (refusal) throw refusal;
  const file = await receiveUpload(request, IMPORT_MAX_BYTES, query.filename);
  const format = formatOf(file, query);
  if (format instanceof HttpError) {
    await removeFile(file.path);
    throw format;
  }
  const encoding = format === 'xlsx' ? null : file.encoding;
  const id = await insertJob(context.db, {
    kind: query.kind,
    format,
    crs: query.crs,
    encoding,
    file_name: file.fileName ?? null,
    file_bytes: file.bytes,
    created_by: principal.userId,
    runner: RUNNER_ID,
  });
  jobOptions.set(id, { mode: query.mode, preview: query.preview });
  enqueueImport({
    db: context.db,
    engine: context.engine,
    id,
    kind: query.kind,
    format,
    crs: query.crs,
    encoding,
    file: file.path,
    principal,
    today: chinaToday(),
    batchRows: context.config.importBatchRows,
    mode: query.mode,
    preview: query.preview,
    afterBatch: context.afterImportBatch,
  });
  const job = await findJob(context.db, id, undefined);
  response
    .status(202)
    .location(`/api/imports/${id}`)
    .json({ job: jobView(job!, context.engine) });
}

/** Every bad row as CSV (row, field, reason), read from the database a page at a time. */
async function sendReport(context: AppContext, jobId: number, response: Response): Promise<void> {
  response
    .set('Content-Type', 'text/csv; charset=utf-8')
    .set('Content-Disposition', `attachment; filename="import-${jobId}-report.csv"`)
    .set('Cache-Control', 'no-store');
  let page = await jobErrors(context.db, jobId, REPORT_PAGE);
  const line = (error: { row: number; field: string; reason: string }) => [error.row, error.field, error.reason, reasonZh(error.reason)];
  response.write(toCsv({ sheet: 'report', columns: ['row', 'field', 'reason', '原因'], rows: page.map(line) }));
  while (page.length === REPORT_PAGE) {
    const last = page[page.length - 1]!;
    page = await jobErrors(context.db, jobId, REPORT_PAGE, { row: last.row, seq: last.seq });
    if (page.length === 0) break;
    // toCsv writes a header line (and a byte-order mark) first: the page's first row stands in for it.
    const [first, ...rest] = page.map(line);
    response.write(toCsv({ sheet: 'report', columns: first!.map(String), rows: rest }).slice(1));
  }
  response.end();
}

export const importsRoutes: FeatureRoutes = (context) => [
  route({
    method: 'post',
    path: '/imports',
    access: IMPORTERS,
    cost: 'bulk',
    // The file streams to disk as it arrives: express.json must leave the body unread.
    readsOwnBody: true,
    summary: `Upload a file to import (CSV in UTF-8 or GBK, XLSX, GeoJSON; at most ${IMPORT_MAX_BYTES / 1024 / 1024} MB): answers 202 with the job`,
    schemas: { query: importQuery },
    handler: (input, request, response) => acceptUpload(context, input, request, response),
  }),
  route({
    method: 'get',
    path: '/imports',
    access: IMPORTERS,
    summary: 'The most recent import jobs (a collector sees their own)',
    schemas: { query: jobListQuery },
    handler: async ({ query: { limit }, principal }, _request, response) => {
      const jobs = await recentJobs(context.db, limit, onlyOwnJobs(principal));
      response.json({ jobs: jobs.map((job) => jobView(job, context.engine)) });
    },
  }),
  route({
    method: 'get',
    path: '/imports/templates/:file',
    access: IMPORTERS,
    summary: 'An empty import template for a kind (buildings.csv, units.xlsx …): the header row names every column in Chinese and English',
    schemas: { params: templateParams },
    handler: async ({ params: { file } }, _request, response) => {
      const [kind, format] = file.split('.');
      const fields = fieldsOf(kind ?? '');
      if (!fields || !TEMPLATE_FORMATS.includes(format as 'csv')) throw notFound('Import template', file);
      await sendTemplate(response, kind!, format as 'csv' | 'xlsx', fields);
    },
  }),
  route({
    method: 'get',
    path: '/imports/:id',
    access: IMPORTERS,
    summary: "An import job's status, progress and first bad rows",
    schemas: { params: jobParams },
    handler: async ({ params, principal }, _request, response) => {
      const job = await visibleJob(context, params.id, principal);
      const errors = await jobErrors(context.db, job.id, ERRORS_SHOWN);
      response.json({
        job: jobView(job, context.engine),
        errors: errors.map(({ row, field, reason }) => ({ row, field, ...bilingualReason(reason) })),
        preview: previews.get(job.id) ?? null,
      });
    },
  }),
  route({
    method: 'get',
    path: '/imports/:id/report.csv',
    access: IMPORTERS,
    summary: 'Every bad row of an import job as CSV: row, field, reason (English) and 原因 (Chinese)',
    schemas: { params: jobParams },
    handler: async ({ params, principal }, _request, response) => {
      const job = await visibleJob(context, params.id, principal);
      await sendReport(context, job.id, response);
    },
  }),
];
