import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../../db/schema.ts';
import type { CoordinateSystem } from '../../domain/coordinates.ts';
import type { Cell } from '../cells.ts';
import type { FieldSpec } from '../columns.ts';
import type { ImportKind } from '../tables.ts';

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

export interface NumberedRow<Row> {
  row: number;
  value: Row;
}

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
  /** Missing references, rows already on file and (when `grids` is given) points outside those grids. */
  check(db: Kysely<DB>, rows: NumberedRow<Row>[], grids: readonly string[] | undefined): Promise<RowProblem[]>;
  /** Inserts valid rows; runs inside the import's one transaction. Returns the rows written per table. */
  insert(trx: Kysely<DB>, rows: Row[]): Promise<Record<string, number>>;
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

type SqlType = 'text' | 'int' | 'float8' | 'boolean' | 'date' | 'timestamptz';
export type InputColumns<Row> = Record<string, readonly [SqlType, (row: Row) => unknown]>;

/**
 * A batch of rows as one table expression, `unnest($1::text[], $2::int[], …) AS input(…)`: one
 * parameter per column whatever the batch size, so a batch is one short statement on both engines.
 */
export function inputTable<Row>(rows: readonly Row[], columns: InputColumns<Row>): RawBuilder<unknown> {
  const entries = Object.entries(columns);
  const arrays = entries.map(([, [type, valueOf]]) => sql`${rows.map((row) => valueOf(row) ?? null)}::${sql.raw(type)}[]`);
  return sql`unnest(${sql.join(arrays)}) AS input(${sql.join(entries.map(([name]) => sql.id(name)))})`;
}

/** Rows of `problems` whose SQL condition held, as one problem each. */
export function problemsWhere<Flags extends { row_number: number }>(flagged: Flags[], rules: [keyof Flags, string, string][]): RowProblem[] {
  return flagged.flatMap((flags) =>
    rules.filter(([flag]) => flags[flag] === true).map(([, field, reason]) => ({ row: flags.row_number, field, reason })),
  );
}

/** The same, for rows of a file with their row numbers as column row_number (the checks report by row). */
export function numberedInputTable<Row>(rows: readonly NumberedRow<Row>[], columns: InputColumns<Row>): RawBuilder<unknown> {
  const lifted: InputColumns<NumberedRow<Row>> = { row_number: ['int', (row) => row.row] };
  for (const [name, [type, valueOf]] of Object.entries(columns)) lifted[name] = [type, (row) => valueOf(row.value)];
  return inputTable(rows, lifted);
}

/** Rows a statement wrote, as both engines report it. */
export const rowsWritten = (result: { numAffectedRows?: bigint }) => Number(result.numAffectedRows ?? 0);
