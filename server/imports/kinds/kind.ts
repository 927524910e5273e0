import type { Kysely, RawBuilder } from 'kysely';
import type { z } from 'zod';
import { writeCounted, type CountedTable } from '../../db/counted-writes.ts';
import type { DB } from '../../db/schema.ts';
import type { AuditTargetType } from '../../domain/audit-vocabulary.ts';
import type { CoordinateSystem } from '../../domain/coordinates.ts';
import type { Cell } from '../cells.ts';
import type { FieldSpec } from '../columns.ts';
import type { ImportKind, ImportMode } from '../../domain/word-lists.ts';
import { inputTable, updateMatchedRows, type InputColumns, type NumberedRow, type OnFileRecord, type SqlType } from '../repository/batches.ts';

/** What is wrong with one field of one row; `field` is the field name until the report maps it to the file's header. */
export interface FieldProblem {
  field: string;
  reason: string;
}
export interface RowProblem extends FieldProblem {
  row: number;
}

export interface ParseContext {
  crs: CoordinateSystem;
  /** China's today, 'YYYY-MM-DD': nothing may happen after it. */
  today: string;
  /** A GeoJSON feature's geometry; undefined for CSV and XLSX rows. */
  geometry?: unknown;
}

export type Parsed<Row> = { row: Row; problems?: undefined } | { row?: undefined; problems: FieldProblem[] };

/**
 * One kind of import (buildings, units, people, cases): its columns, its per-row rules (pure,
 * from server/domain), the checks only the database can answer, and its batch insert.
 */
export interface ImportKindSpec<Row> {
  kind: ImportKind;
  fields: readonly FieldSpec[];
  parse(fields: Readonly<Record<string, Cell>>, context: ParseContext): Parsed<Row>;
  /** The code that places the row in the city, for a collector's grids; undefined when only its point can tell. */
  scope(row: Row): { field: string; code: string } | undefined;
  /** What makes a row the same thing as another: a second row with the same key is a duplicate. */
  key(row: Row): { field: string; value: string };
  /**
   * Missing references, rows already on file (in mode 'add') and (when `grids` is given) points
   * outside those grids. In mode 'upsert' a row on file is not a problem: it will be updated.
   */
  check(db: Kysely<DB>, rows: NumberedRow<Row>[], grids: readonly string[] | undefined, mode: ImportMode): Promise<RowProblem[]>;
  /** Inserts valid rows; runs inside the import's one transaction. Returns the rows written per table. */
  insert(trx: Kysely<DB>, rows: Row[]): Promise<Record<string, number>>;
  /** How rows already on file are updated (mode 'upsert'); a kind without it is imported in mode 'add' only. */
  updates?: ImportUpdates<Row>;
}

/** One field an import may update: compared with the value on file, written when it differs. */
export interface UpdatableField<Row> {
  /** The kind's field name (as in `fields`): the file's column for it is named in the preview. */
  name: string;
  /** The table's column, its SQL type and the row's value for it (undefined = the row does not say). */
  column: string;
  type: SqlType;
  valueOf(row: Row): unknown;
  /** The SQL that sets the column from `input.<name>` when it is not a plain copy (a point from "lon,lat"). */
  set?: RawBuilder<unknown>;
  /** A person's fact (name, phone): masked in the preview for roles that may not see it. */
  personal?: 'name' | 'phone';
  /** Present in a row when its value is set, rather than when the file has its column (a point from lon/lat or a geometry). */
  presentWhenSet?: boolean;
  /** The fields of the file it is read from, when not its own (a point from lon and lat): the preview names their columns. */
  readFrom?: readonly string[];
  /** Compared and previewed, but written by `afterUpdate`, not as a column of the table (a person's unit: a new stay). */
  writtenAfter?: boolean;
}

/**
 * Mode 'upsert' for a kind (issue 16.9): the fields a file may change, how the records on file are
 * read, and where they are written. The match key (a code, an ID number) is never changed.
 */
export interface ImportUpdates<Row> {
  table: string;
  keyColumn: string;
  /** The audit row's target_type for an updated record. */
  targetType: AuditTargetType;
  fields: readonly UpdatableField<Row>[];
  /** The records on file among `keys`, by key, with every field of `fields` as a row would state it. */
  onFile(db: Kysely<DB>, keys: readonly string[]): Promise<Map<string, OnFileRecord>>;
  /** What else an update of these rows writes (a person's new stay): inside the import's transaction. */
  afterUpdate?(trx: Kysely<DB>, rows: Row[]): Promise<Record<string, number>>;
  /** A table whose writers recount the grid statistics (it carries no trigger, sql/0046–0047): its updates go through writeCounted. */
  counted?: CountedTable;
  /** The counted table's keys of the records matched by these keys, where they are not the same (persons by id, matched by ID number). */
  countedKeys?(trx: Kysely<DB>, keys: readonly string[]): Promise<readonly (string | number)[]>;
}

/**
 * The updatable fields of a kind whose columns are a plain copy of its insert columns: field name →
 * column of `insertColumns` (which gives the SQL type and the row's value).
 */
export function copiedFields<Row>(
  insertColumns: InputColumns<Row>,
  columnOf: Record<string, string>,
  personal: Record<string, 'name' | 'phone'> = {},
): UpdatableField<Row>[] {
  return Object.entries(columnOf).map(([name, column]) => {
    const [type, valueOf] = insertColumns[column]!;
    return { name, column, type, valueOf, ...(personal[name] ? { personal: personal[name] } : {}) };
  });
}

/** Values as compared: numbers by value, an empty cell as null. */
const comparable = (value: unknown) => (value === undefined || value === '' ? null : typeof value === 'number' ? Number(value.toFixed(7)) : value);

export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

/**
 * The fields of `row` that differ from the record on file, among those the row states: a column
 * the file leaves out is left as it is on file, while an empty cell in a column the file has clears it.
 */
export function changesOf<Row>(updates: ImportUpdates<Row>, row: Row, stated: ReadonlySet<string>, onFile: OnFileRecord): FieldChange[] {
  return updates.fields.flatMap((field) => {
    const value = field.valueOf(row);
    if (field.presentWhenSet ? value === undefined : !stated.has(field.name)) return [];
    const [before, after] = [comparable(onFile.values[field.name]), comparable(value)];
    return before === after ? [] : [{ field: field.name, old: before, new: after }];
  });
}

/** Writes the changed fields of rows on file, one statement per set of changed fields. */
export async function updateRows<Row>(
  trx: Kysely<DB>,
  updates: ImportUpdates<Row>,
  keyOf: (row: Row) => string,
  rows: { row: Row; fields: readonly string[] }[],
): Promise<number> {
  const groups = new Map<string, { fields: UpdatableField<Row>[]; rows: Row[] }>();
  for (const { row, fields } of rows) {
    const signature = fields.join(',');
    const group = groups.get(signature) ?? { fields: updates.fields.filter((field) => fields.includes(field.name) && !field.writtenAfter), rows: [] };
    group.rows.push(row);
    groups.set(signature, group);
  }
  const write = async () => {
    let written = 0;
    for (const { fields, rows: grouped } of groups.values()) {
      if (fields.length === 0) continue;
      const columns: InputColumns<Row> = { match_key: ['text', keyOf] };
      for (const field of fields) columns[field.name] = [field.type, field.valueOf];
      written += await updateMatchedRows(trx, updates.table, updates.keyColumn, fields, inputTable(grouped, columns));
    }
    return written;
  };
  if (!updates.counted || rows.length === 0) return write();
  const keys = rows.map(({ row }) => keyOf(row));
  return writeCounted(trx, updates.counted, updates.countedKeys ? await updates.countedKeys(trx, keys) : keys, write);
}

/**
 * A row through its kind's rules, after refusing what PostgreSQL text cannot hold: a NUL
 * character would otherwise fail the whole job in the database (SQLSTATE 22021) with no row named.
 */
export function parseRow<Row>(spec: ImportKindSpec<Row>, fields: Readonly<Record<string, Cell>>, context: ParseContext): Parsed<Row> {
  const withNul = Object.entries(fields).filter(([, cell]) => typeof cell === 'string' && cell.includes('\u0000'));
  if (withNul.length > 0) return { problems: withNul.map(([field]) => ({ field, reason: 'contains a NUL character' })) };
  return spec.parse(fields, context);
}

/** Turns zod's issues into field problems named by the first path element (the field). */
export function parseWithSchema<S extends z.ZodType>(schema: S, fields: Readonly<Record<string, Cell>>): Parsed<z.infer<S>> {
  const parsed = schema.safeParse(fields);
  if (parsed.success) return { row: parsed.data };
  return { problems: parsed.error.issues.map((issue) => ({ field: String(issue.path[0] ?? '(row)'), reason: issue.message })) };
}

/** Rows of `problems` whose SQL condition held, as one problem each. */
export function problemsWhere<Flags extends { row_number: number }>(
  flagged: Flags[],
  rules: readonly (readonly [keyof Flags, string, string])[],
): RowProblem[] {
  return flagged.flatMap((flags) => rules.filter(([flag]) => flags[flag] === true).map(([, field, reason]) => ({ row: flags.row_number, field, reason })));
}
