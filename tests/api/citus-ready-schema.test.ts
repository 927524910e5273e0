import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/connection.ts';
import { openTestDatabase } from '../helpers/database.ts';

/**
 * Issue #20, docs/citus.md step 1: once a table is managed by Citus its triggers run on its
 * shards, whose transition tables have the shard's row type, and a trigger there cannot write
 * another table. So no function may take or return a table's rows (sql/0039), and the triggers
 * left are the inventory docs/citus.md lists, each to move into its writers: this test is that
 * list, so that one moved (or added) shows here and in the docs together.
 */
let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle?.close();
});

/** Each function whose arguments or result are a table's row type (or an array of it). */
async function functionsTypedByTables(): Promise<string[]> {
  const { rows } = await sql<{ signature: string }>`
    SELECT DISTINCT p.oid::regprocedure::text AS signature
    FROM pg_proc AS p
    CROSS JOIN LATERAL unnest(array_append(p.proargtypes::oid[], p.prorettype)) AS a (type_oid)
    JOIN pg_type AS t ON t.oid = a.type_oid OR t.typarray = a.type_oid
    JOIN pg_class AS c ON c.oid = t.typrelid AND c.relkind IN ('r', 'p')
    WHERE p.pronamespace = 'public'::regnamespace
    ORDER BY 1`.execute(handle.db);
  return rows.map((row) => row.signature);
}

/**
 * Table → the functions its triggers run: the schema's own (not constraint triggers, nor Citus'
 * catalogue and truncate triggers, whose functions are not in public).
 */
async function triggerFunctionsByTable(): Promise<Record<string, string[]>> {
  const { rows } = await sql<{ table: string; functions: string[] }>`
    SELECT t.tgrelid::regclass::text AS table, array_agg(DISTINCT p.proname::text ORDER BY p.proname::text) AS functions
    FROM pg_trigger AS t JOIN pg_proc AS p ON p.oid = t.tgfoid
    WHERE NOT t.tgisinternal AND p.pronamespace = 'public'::regnamespace
    GROUP BY 1 ORDER BY 1`.execute(handle.db);
  return Object.fromEntries(rows.map((row) => [row.table, row.functions]));
}

describe('the schema on the way to Citus (docs/citus.md step 1)', () => {
  it('has no function taking or returning a table’s rows but the audit chain’s pair (sql/0039)', async () => {
    expect(await functionsTypedByTables()).toEqual(['audit_row_digest(text,audit_log)', 'audit_row_message(text,audit_log)']);
  });

  it('has the triggers docs/citus.md lists as left, and no other', async () => {
    expect(await triggerFunctionsByTable()).toEqual({
      audit_log: ['audit_log_insert_unlinked', 'audit_log_refuse_change'],
      collector_assignments: ['collector_assignment_one_grid_if_full_time'],
    });
  });

  it('names the street in the street group’s tables so far, each NOT NULL and CHECKed against its code (sql/0050–0051, step 3)', async () => {
    const { rows } = await sql<{ table: string; not_null: boolean; checked: boolean }>`
      SELECT c.relname::text AS table, a.attnotnull AS not_null,
             EXISTS (SELECT 1 FROM pg_constraint AS k WHERE k.conrelid = c.oid AND k.contype = 'c'
                       AND pg_get_constraintdef(k.oid) LIKE '%street_code = "left"(%') AS checked
      FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
      WHERE a.attname = 'street_code' AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace
      ORDER BY 1`.execute(handle.db);
    const street = [
      'buildings',
      'collector_assignments',
      'inspections',
      'rental_schedule',
      'rental_scores',
      'rental_tier_counts',
      'rental_unit_scores',
      'residencies',
      'units',
    ];
    expect(rows).toEqual(street.map((table) => ({ table, not_null: true, checked: true })));
  });
});
