import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** The tables the health probe counts. */
export const COUNTED_TABLES = ['buildings', 'units', 'persons'] as const;
export type CountedTable = (typeof COUNTED_TABLES)[number];

/**
 * Up to this many rows a table is counted exactly (a bounded scan, well under a millisecond per
 * thousand rows); past it the probe reports the planner's estimate instead, so that it answers
 * in milliseconds at city scale (14 million people) where an exact count takes over a second.
 */
export const EXACT_COUNT_LIMIT = 10_000;

export interface TableCount {
  rows: number;
  /** 'estimate': pg_class.reltuples, as maintained by ANALYZE and autovacuum. */
  precision: 'exact' | 'estimate';
}

/**
 * One table's row count: exact when small, otherwise the estimate (never below what was seen).
 * The estimate is read first and the bounded scan runs only when it is within the limit (the
 * scalar subquery in the CASE is evaluated only when its branch is taken), so at city scale the
 * probe reads three rows of pg_class instead of scanning 10,001 rows of each table.
 */
async function countRows(db: Kysely<DB>, table: CountedTable, exactUpTo: number): Promise<TableCount> {
  // The table name comes from COUNTED_TABLES, never from a request.
  const result = await sql<{ seen: number | null; estimate: number }>`
    SELECT e.estimate,
           CASE WHEN e.estimate > ${exactUpTo} THEN NULL
                ELSE (SELECT count(*) FROM (SELECT 1 FROM ${sql.table(table)} LIMIT ${exactUpTo + 1}) AS bounded)::int END AS seen
    FROM (SELECT greatest(reltuples, 0)::float8 AS estimate FROM pg_class WHERE oid = ${table}::regclass) AS e`.execute(db);
  const { seen, estimate } = result.rows[0]!;
  if (seen !== null && seen <= exactUpTo) return { rows: seen, precision: 'exact' };
  return { rows: Math.max(Math.round(estimate), seen ?? 0), precision: 'estimate' };
}

export async function countCityRows(db: Kysely<DB>, exactUpTo = EXACT_COUNT_LIMIT): Promise<Record<CountedTable, TableCount>> {
  const counts = await Promise.all(COUNTED_TABLES.map((table) => countRows(db, table, exactUpTo)));
  return Object.fromEntries(COUNTED_TABLES.map((table, index) => [table, counts[index]!])) as Record<CountedTable, TableCount>;
}
