import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/connection.ts';
import { openTestDatabase } from '../helpers/database.ts';

/**
 * Issue #20, docs/citus.md step 1 (sql/0039): once a table is managed by Citus its triggers run on
 * its shards, whose transition tables have the shard's row type, so no function may take or return
 * a table's rows. The population statistics' functions take columns as types of their own; what
 * is left is the audit chain's pair, which stays on the coordinator by design (docs/audit.md).
 */
let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle?.close();
});

/** Each function whose arguments or result are a table's row type (or an array of it), with the tables. */
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

describe('functions and the tables’ row types', () => {
  it('leave the population statistics free of them: only the audit chain’s pair takes an audit_log row', async () => {
    expect(await functionsTypedByTables()).toEqual(['audit_row_digest(text,audit_log)', 'audit_row_message(text,audit_log)']);
  });
});
