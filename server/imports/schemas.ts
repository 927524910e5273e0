import { z } from 'zod';
import { COORDINATE_SYSTEMS } from '../domain/coordinates.ts';
import { textNumber } from '../http/validate.ts';
import { idParams } from '../person-data/schemas.ts';
import { IMPORT_FORMATS, IMPORT_KINDS, IMPORT_MODES } from '../domain/word-lists.ts';

/** The import is described in the query string: the body is the file. */
export const importQuery = z.strictObject({
  kind: z
    .enum(IMPORT_KINDS)
    .describe('What the rows are: buildings, units, people (with their residence), cases or compounds (小区/院落 with their buildings)'),
  crs: z.enum(COORDINATE_SYSTEMS).describe("The coordinate system of the file's points; they are converted to WGS84"),
  format: z.enum(IMPORT_FORMATS).optional().describe("csv, xlsx or geojson; by default taken from the file name's extension"),
  filename: z.string().max(200).optional().describe('The file name, when the body is the raw file'),
  mode: z
    .enum(IMPORT_MODES)
    .default('add')
    .describe('add (a row whose code or ID number is on file is a bad row) or upsert (such a row updates the record on file)'),
  preview: z
    .enum(['true', 'false'])
    .default('false')
    .transform((text) => text === 'true')
    .describe('true: check every row and say per row what would be added, changed or left unchanged, changing nothing'),
});
export type ImportQuery = z.infer<typeof importQuery>;

export const jobParams = idParams;

export const jobListQuery = z.strictObject({
  limit: textNumber(z.number().int().min(1).max(200).default(50).describe('How many of the most recent jobs')),
});

/** The format a file name's extension says, if any. */
export function formatFromName(fileName: string | undefined): (typeof IMPORT_FORMATS)[number] | undefined {
  const extension = fileName?.toLowerCase().split('.').pop();
  if (extension === 'csv' || extension === 'txt') return 'csv';
  if (extension === 'xlsx') return 'xlsx';
  if (extension === 'geojson' || extension === 'json') return 'geojson';
  return undefined;
}

export const TEMPLATE_FORMATS = ['csv', 'xlsx'] as const;
export const templateParams = z.strictObject({
  file: z.string().max(40).describe('The kind and the format: buildings.csv, units.xlsx …'),
});
