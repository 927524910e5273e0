import { z } from 'zod';
import { CSV, instant, XLSX } from '../domain/contract-shapes.ts';
import type { RouteResponses } from '../http/route-registry.ts';

/** An import job as the importer sees it (ImportJobView in view.ts). */
export const importJob = z.looseObject({
  id: z.number().int(),
  kind: z.string().meta({ examples: ['buildings'] }),
  format: z.string().meta({ examples: ['csv'] }),
  crs: z.string(),
  encoding: z.string().nullable(),
  fileName: z.string().nullable(),
  fileBytes: z.number().int(),
  status: z.string().meta({ examples: ['queued'] }),
  rowsProcessed: z.number().int(),
  rowsTotal: z.number().int().nullable(),
  rowsImported: z.number().int(),
  errorCount: z.number().int(),
  message: z.string().nullable(),
  progress: z.number().nullable(),
  createdBy: z.string(),
  createdAt: instant,
  finishedAt: instant.nullable(),
  reportUrl: z.string(),
  mode: z.string(),
  preview: z.boolean(),
});
export const importDetail = z.object({
  job: importJob,
  errors: z.array(z.object({ row: z.number().int(), field: z.string().nullable(), reason: z.string(), message: z.string(), messageZh: z.string() })),
  preview: z.unknown().meta({ description: 'What a preview import would change (null for other jobs)' }),
});

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
