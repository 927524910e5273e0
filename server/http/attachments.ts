import type { Response } from 'express';
import writeXlsxFile from 'write-excel-file/node';
import { chinaToday } from '../domain/calendar.ts';

/**
 * Files the API hands out: tables as one CSV file or one sheet each in an XLSX workbook, sent as an
 * attachment. Shared by the collector plan, exports, import templates and tile archives.
 */
export type Cell = string | number | boolean | null;

export interface PlanTable {
  sheet: string;
  columns: string[];
  rows: Cell[][];
}

// A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell !== 'string') return String(cell);
  const safe = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** RFC 4180 CSV with a UTF-8 byte-order mark, without which Excel reads Chinese as mojibake. */
export function toCsv(table: PlanTable): string {
  const lines = [table.columns, ...table.rows].map((row) => row.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function toXlsx(tables: PlanTable[]): Promise<Buffer> {
  return writeXlsxFile(
    tables.map((table) => ({
      sheet: table.sheet,
      stickyRowsCount: 1,
      columns: table.columns.map((column) => ({ width: Math.max(10, column.length * 2 + 2) })),
      data: [table.columns.map((column) => ({ value: column, fontWeight: 'bold' as const })), ...table.rows],
    })),
  ).toBuffer();
}

export function sendAttachment(response: Response, fileName: string, contentType: string, body: string | Buffer): void {
  response.set('Content-Type', contentType).set('Content-Disposition', `attachment; filename="${fileName}"`).set('Cache-Control', 'no-store').send(body);
}

/** e.g. 'grids-440307001-2025-06-30-gcj02': what, where, when, and the coordinate system when not WGS84. */
export function fileStem(what: string, scopeLabel: string, crs?: string): string {
  return [what, scopeLabel, chinaToday(), ...(crs && crs !== 'wgs84' ? [crs] : [])].join('-');
}
