import type { Response } from 'express';
import { sendAttachment, toCsv, toXlsx, type PlanTable } from '../http/attachments.ts';
import type { FieldSpec } from './columns.ts';

/**
 * Import templates (issue 16.9): an empty sheet whose header row names every column of a kind in
 * Chinese and English, "*房屋编码(unit_code)". The import reads it back as it is: the star and the
 * bracketed English are not part of a header's name (normalizeHeader in columns.ts), so a filled-in
 * template imports, and an empty one is a valid import of no rows.
 */

/** The English name of a field: its English alias in columns.ts when it has one (unit_code), else its name in snake_case. */
function englishOf(field: FieldSpec): string {
  return field.headers.find((header) => /^[a-z][a-z_]*$/.test(header)) ?? field.name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** A template's header: Chinese (the first alias), English in brackets, a star on a required column. */
export const templateHeader = (field: FieldSpec) => `${field.required ? '*' : ''}${field.headers[0] ?? field.name}(${englishOf(field)})`;

export async function sendTemplate(response: Response, kind: string, format: 'csv' | 'xlsx', fields: readonly FieldSpec[]): Promise<void> {
  const table: PlanTable = { sheet: kind, columns: fields.map(templateHeader), rows: [] };
  if (format === 'csv') sendAttachment(response, `${kind}-template.csv`, 'text/csv; charset=utf-8', toCsv(table));
  else sendAttachment(response, `${kind}-template.xlsx`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', await toXlsx([table]));
}
