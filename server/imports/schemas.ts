import { z } from 'zod';
import { COORDINATE_SYSTEMS } from '../domain/coordinates.ts';
import { textNumber } from '../http/validate.ts';
import { idParams } from '../registrations/schemas.ts';
import { IMPORT_FORMATS, IMPORT_KINDS } from './tables.ts';

/** The import is described in the query string: the body is the file. */
export const importQuery = z.strictObject({
  kind: z.enum(IMPORT_KINDS).describe('What the rows are: buildings, units, people (with their residence) or cases'),
  crs: z.enum(COORDINATE_SYSTEMS).describe("The coordinate system of the file's points; they are converted to WGS84"),
  format: z.enum(IMPORT_FORMATS).optional().describe("csv, xlsx or geojson; by default taken from the file name's extension"),
  filename: z.string().max(200).optional().describe('The file name, when the body is the raw file'),
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
