import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/schema.ts';

/**
 * The SQL every import kind writes its batches with (kinds/kind.ts describes a kind): a batch as
 * one table expression, the records on file for a batch's keys, and the update of those records.
 */

export interface NumberedRow<Row> {
  row: number;
  value: Row;
}

export type SqlType = 'text' | 'int' | 'float8' | 'boolean' | 'date' | 'timestamptz';
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

/** The same, for rows of a file with their row numbers as column row_number (the checks report by row). */
export function numberedInputTable<Row>(rows: readonly NumberedRow<Row>[], columns: InputColumns<Row>): RawBuilder<unknown> {
  const lifted: InputColumns<NumberedRow<Row>> = { row_number: ['int', (row) => row.row] };
  for (const [name, [type, valueOf]] of Object.entries(columns)) lifted[name] = [type, (row) => valueOf(row.value)];
  return inputTable(rows, lifted);
}

/** Rows a statement wrote, as both engines report it. */
export const rowsWritten = (result: { numAffectedRows?: bigint }) => Number(result.numAffectedRows ?? 0);

/** The record on file for a key: its id for the audit (never an ID number) and its values by field name. */
export interface OnFileRecord {
  id: string;
  values: Record<string, unknown>;
}

/**
 * Reads the records on file among `keys`: `selects` gives, per field name, the column (or an SQL
 * expression) holding its value as a row states it; `id` the audit target (the key by default).
 */
export async function readOnFile(
  db: Kysely<DB>,
  table: string,
  keyColumn: string,
  keys: readonly string[],
  selects: Record<string, string | RawBuilder<unknown>>,
  id?: RawBuilder<unknown>,
): Promise<Map<string, OnFileRecord>> {
  if (keys.length === 0) return new Map();
  const columns = Object.entries(selects).map(([name, source]) => sql`${typeof source === 'string' ? sql.ref(`target.${source}`) : source} AS ${sql.id(name)}`);
  const found = await sql<Record<string, unknown> & { match_key: string; record_id: unknown }>`
    SELECT target.${sql.id(keyColumn)} AS match_key, ${id ?? sql`target.${sql.id(keyColumn)}`} AS record_id, ${sql.join(columns)}
    FROM ${sql.table(table)} AS target WHERE target.${sql.id(keyColumn)} = ANY(${keys as string[]}::text[])`.execute(db);
  return new Map(found.rows.map(({ match_key, record_id, ...values }) => [match_key, { id: String(record_id), values }]));
}

/** A column an update sets: from `input.<name>`, or through `set` where it is not a plain copy (a point from "lon,lat"). */
export interface UpdatedColumn {
  name: string;
  column: string;
  set?: RawBuilder<unknown> | undefined;
}

/** Sets `columns` of the rows of `table` whose key matches an input row's match_key; returns the rows written. */
export async function updateMatchedRows(
  trx: Kysely<DB>,
  table: string,
  keyColumn: string,
  columns: readonly UpdatedColumn[],
  input: RawBuilder<unknown>,
): Promise<number> {
  const assignments = columns.map((field) => sql`${sql.id(field.column)} = ${field.set ?? sql`input.${sql.id(field.name)}`}`);
  const result = await sql`
      UPDATE ${sql.table(table)} AS target SET ${sql.join(assignments)}
      FROM ${input} WHERE target.${sql.id(keyColumn)} = input.match_key`.execute(trx);
  return rowsWritten(result);
}
