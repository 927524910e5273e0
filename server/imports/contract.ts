import { z } from 'zod';
import { CSV, instant, type RouteResponses, XLSX } from '../domain/contract-shapes.ts';
import { COORDINATE_SYSTEMS } from '../domain/coordinates.ts';
import { IMPORT_FORMATS, IMPORT_KINDS, IMPORT_MODES, IMPORT_STATUSES, TEXT_ENCODINGS } from '../domain/word-lists.ts';

/** An import job as the importer sees it: the stored row, with live progress when this process runs it (view.ts jobView). */
export const importJob = z.object({
  id: z.number().int(),
  kind: z.enum(IMPORT_KINDS),
  format: z.enum(IMPORT_FORMATS),
  crs: z.enum(COORDINATE_SYSTEMS),
  encoding: z.enum(TEXT_ENCODINGS).nullable(),
  fileName: z.string().nullable(),
  fileBytes: z.number().int(),
  status: z.enum(IMPORT_STATUSES),
  rowsProcessed: z.number().int(),
  rowsTotal: z.number().int().nullable().meta({ description: 'Known once validation has read the whole file' }),
  rowsImported: z.number().int(),
  errorCount: z.number().int(),
  message: z.string().nullable(),
  progress: z.number().nullable().meta({ description: '0…1: validation is the first half, the import the second; null when unknown' }),
  createdBy: z.string(),
  createdAt: instant,
  finishedAt: instant.nullable(),
  reportUrl: z.string(),
  mode: z.enum(IMPORT_MODES).meta({ description: 'add or upsert (known for the jobs this process ran recently)' }),
  preview: z.boolean().meta({ description: 'The job only previews: it changes nothing' }),
});

export const rowOutcome = z.enum(['added', 'changed', 'unchanged']);
/** One row of a preview: its match key (a code, or a masked ID number) and what would change, field by field. */
export const previewRow = z.object({
  row: z.number().int(),
  key: z.string(),
  outcome: rowOutcome,
  changes: z.array(
    z.object({ field: z.string(), old: z.unknown(), new: z.unknown(), column: z.string().meta({ description: "The file's column for the field" }) }),
  ),
});
/** What a preview import found (previews.ts): totals per outcome and the first rows in file order. */
export const importPreview = z.object({
  totals: z.object({ added: z.number().int(), changed: z.number().int(), unchanged: z.number().int() }),
  rows: z.array(previewRow),
  truncated: z.boolean(),
});
/** A bad row: the reason in English (`message`, also `reason`) and Chinese (`messageZh`). */
export const rowError = z.object({ row: z.number().int(), field: z.string().nullable(), reason: z.string(), message: z.string(), messageZh: z.string() });
export const importDetail = z.object({
  job: importJob,
  errors: z.array(rowError),
  preview: importPreview.nullable().meta({ description: 'What a preview import would change (null for other jobs, or once this process has forgotten it)' }),
});

export type ImportJobView = z.infer<typeof importJob>;
export type ImportPreview = z.infer<typeof importPreview>;
export type PreviewRow = z.infer<typeof previewRow>;
export type RowOutcome = z.infer<typeof rowOutcome>;

export const importResponses: Record<string, RouteResponses> = {
  'post /api/imports': {
    202: { description: 'Accepted: the job runs in the background; Location names it', schema: z.object({ job: importJob }) },
    413: { description: 'file_too_large: the file is over the upload limit' },
  },
  'get /api/imports': { 200: { description: 'Recent import jobs', schema: z.object({ jobs: z.array(importJob) }) } },
  'get /api/imports/templates/:file': { 200: { description: 'A template file to fill in (CSV or XLSX)', contentType: [CSV, XLSX] } },
  'get /api/imports/:id': { 200: { description: 'The job, its first bad rows and its preview', schema: importDetail } },
  'get /api/imports/:id/report.csv': { 200: { description: 'Every bad row as CSV', contentType: CSV } },
};
