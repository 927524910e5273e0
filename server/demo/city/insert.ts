/**
 * Bulk insert for both engines. Through Kysely, each chunk is one statement
 * `INSERT … SELECT … FROM unnest($1::text[], $2::int[], …)`: one array parameter per column,
 * so a chunk of any size binds only a handful of parameters. On PGlite the same rows go
 * through COPY FROM '/dev/blob' instead, several times faster in the WASM engine. The
 * city-scale loader (postgres-copy.ts) sends the same COPY text to PostgreSQL FROM STDIN.
 */
import type { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

export type ArrayType = 'text' | 'int' | 'bigint' | 'bool' | 'date' | 'float8';
export type Value = string | number | boolean | null;

export interface Column<R> {
  name: string;
  type: ArrayType;
  value: (row: R) => Value;
  /** Cast applied in SQL to the text value, e.g. 'geometry' for EWKT or 'timestamptz'. */
  cast?: string;
}

export interface BulkInsert<R> {
  table: string;
  columns: Column<R>[];
  /** For explicit ids in GENERATED ALWAYS identity columns (COPY always writes them). */
  overridingSystemValue?: boolean;
  chunkSize?: number;
}

/** Where rows go: a Kysely connection (or transaction), plus the PGlite instance behind it if any. */
export interface Target {
  db: Kysely<DB>;
  pglite?: PGlite;
}

export function column<R>(name: string, type: ArrayType, value: (row: R) => Value, cast?: string): Column<R> {
  return { name, type, value, cast };
}

export async function bulkInsert<R>(target: Target, spec: BulkInsert<R>, rows: readonly R[], onChunk?: (done: number, total: number) => void): Promise<void> {
  const chunkSize = spec.chunkSize ?? (target.pglite ? 20000 : 5000);
  const text = target.pglite ? copySql(spec, "'/dev/blob'") : insertSql(spec);
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    if (target.pglite) await target.pglite.query(text, [], { blob: new Blob([copyText(spec.columns, chunk)]) });
    else
      await target.db.executeQuery(
        CompiledQuery.raw(
          text,
          spec.columns.map((item) => chunk.map(item.value)),
        ),
      );
    onChunk?.(Math.min(rows.length, start + chunkSize), rows.length);
  }
  if (rows.length === 0) onChunk?.(0, 0);
}

function insertSql<R>(spec: BulkInsert<R>): string {
  const names = spec.columns.map((item) => item.name);
  const arrays = spec.columns.map((item, index) => `$${index + 1}::${item.type}[]`);
  const select = spec.columns.map((item) => (item.cast ? `${item.name}::${item.cast}` : item.name));
  const overriding = spec.overridingSystemValue ? ' OVERRIDING SYSTEM VALUE' : '';
  return `INSERT INTO ${spec.table} (${names.join(', ')})${overriding} SELECT ${select.join(', ')} FROM unnest(${arrays.join(', ')}) AS t(${names.join(', ')})`;
}

export function copySql<R>(spec: BulkInsert<R>, source: "'/dev/blob'" | 'STDIN'): string {
  return `COPY ${spec.table} (${spec.columns.map((item) => item.name).join(', ')}) FROM ${source}`;
}

/**
 * COPY text format: tab-separated, \N for null, backslash escapes. Built by appending to one
 * string: at city scale this runs for 60 million rows, and per-row arrays cost a quarter of it.
 */
export function copyText<R>(columns: Column<R>[], rows: readonly R[]): string {
  const values = columns.map((item) => item.value);
  const last = values.length - 1;
  let text = '';
  for (const row of rows) {
    for (let index = 0; index < last; index += 1) text += copyField(values[index]!(row)) + '\t';
    text += copyField(values[last]!(row)) + '\n';
  }
  return text;
}

function copyField(value: Value): string {
  if (value === null) return '\\N';
  if (typeof value === 'string') return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, (character) => COPY_ESCAPES[character]!) : value;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
