import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { Cell, SheetRow } from '../cells.ts';
import type { ImportFormat, TextEncoding } from '../../domain/word-lists.ts';
import { csvRecords } from './csv.ts';
import { geoJsonFeatures } from './geojson.ts';
import { decodedText } from './text.ts';
import { xlsxInReadingOrder } from './xlsx-order.ts';
import { xlsxRows } from './xlsx.ts';

/**
 * Any import file as one stream of events: the header row of a table, then one record per row
 * or feature, keyed by the file's own column headers (or GeoJSON property names).
 */
export type SourceEvent =
  | { type: 'header'; row: number; headers: string[] }
  | { type: 'record'; row: number; values: Record<string, Cell>; geometry?: unknown };

export interface Source {
  events: AsyncIterable<SourceEvent>;
  /** Bytes of the file read so far: the progress of a pass before the row count is known. */
  bytesRead(): number;
}

export function openSource(file: string, format: ImportFormat, encoding: TextEncoding | null): Source {
  // A workbook's worksheets after its shared strings (xlsx-order.ts says why).
  const bytes = format === 'xlsx' ? Readable.from(xlsxInReadingOrder(file)) : fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  let bytesRead = 0;
  bytes.on('data', (chunk: Buffer) => {
    bytesRead += chunk.length;
  });
  const events =
    format === 'xlsx'
      ? tableEvents(xlsxRows(bytes))
      : format === 'csv'
        ? tableEvents(csvRows(decodedText(bytes, encoding ?? 'utf-8')))
        : featureEvents(decodedText(bytes, encoding ?? 'utf-8'));
  return { events: closingWhenDone(events, () => bytes.destroy()), bytesRead: () => bytesRead };
}

async function* csvRows(text: AsyncIterable<string>): AsyncGenerator<SheetRow> {
  let row = 0;
  for await (const cells of csvRecords(text)) {
    row += 1;
    yield { row, cells };
  }
}

const isBlank = (cells: Cell[]) => cells.every((cell) => cell === null || (typeof cell === 'string' && cell.trim() === ''));

/** The first non-blank row names the columns; blank rows after it are skipped (Excel leaves them). */
async function* tableEvents(rows: AsyncIterable<SheetRow>): AsyncGenerator<SourceEvent> {
  let headers: string[] | undefined;
  for await (const { row, cells } of rows) {
    if (isBlank(cells)) continue;
    if (!headers) {
      headers = cells.map((cell) => (cell === null ? '' : String(cell).trim()));
      yield { type: 'header', row, headers };
      continue;
    }
    const values: Record<string, Cell> = {};
    headers.forEach((header, column) => {
      if (header !== '' && !(header in values)) values[header] = cells[column] ?? null;
    });
    yield { type: 'record', row, values };
  }
}

async function* featureEvents(text: AsyncIterable<string>): AsyncGenerator<SourceEvent> {
  for await (const feature of geoJsonFeatures(text)) {
    const values: Record<string, Cell> = {};
    for (const [name, value] of Object.entries(feature.properties)) values[name] = asCell(value);
    yield { type: 'record', row: feature.index, values, geometry: feature.geometry };
  }
}

/** GeoJSON property values are any JSON: nested objects and arrays are kept as their JSON text. */
const asCell = (value: unknown): Cell =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);

/** Closes the file whether the events are read to the end or abandoned early. */
async function* closingWhenDone<T>(events: AsyncIterable<T>, close: () => void): AsyncGenerator<T> {
  try {
    yield* events;
  } finally {
    close();
  }
}
