import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Cell, SheetRow } from '../cells.ts';

/**
 * The first worksheet of an XLSX workbook, row by row, with exceljs's streaming reader: the
 * sheet's XML is parsed as it is unzipped, so only the shared strings (one copy of each distinct
 * text) and the current row are held. Formulas give their cached result.
 */
export async function* xlsxRows(bytes: Readable): AsyncGenerator<SheetRow> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(bytes, {
    sharedStrings: 'cache',
    // Styles tell date cells from numbers.
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  });
  for await (const worksheet of workbook) {
    for await (const row of worksheet) {
      const values = Array.isArray(row.values) ? row.values.slice(1) : [];
      yield { row: row.number, cells: Array.from(values, plainCell) };
    }
    return; // only the first sheet
  }
}

/** exceljs's rich text, hyperlink, formula and error cells as the plain value a clerk sees. */
function plainCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  const rich = value as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: unknown };
  if (Array.isArray(rich.richText)) return rich.richText.map((part) => part.text).join('');
  if ('result' in rich) return plainCell(rich.result);
  if (typeof rich.text === 'string') return rich.text;
  return null;
}
