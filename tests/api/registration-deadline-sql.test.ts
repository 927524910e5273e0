import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/connection.ts';
import { REGISTRATION_DEADLINE_DAYS } from '../../server/domain/registration-rules.ts';
import { ENGINE_UNDER_TEST, openTestDatabase } from '../helpers/database.ts';

// The late-registration rule is stored twice over in generated columns (sql/0002_registrations.sql,
// a landed migration: a generated expression cannot take a parameter, and PostgreSQL 15 cannot
// change one in place). This pins the deadline those columns use to the one TS constant.
let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => handle?.close());

/** The days after the event a generated column counts as late, read from its stored expression. */
async function deadlineInColumn(column: string): Promise<number[]> {
  const { rows } = await sql<{ expression: string }>`
    SELECT pg_get_expr(d.adbin, d.adrelid) AS expression
    FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
    WHERE d.adrelid = 'residencies'::regclass AND a.attname = ${column}`.execute(handle.db);
  expect(rows).toHaveLength(1);
  return [...rows[0]!.expression.matchAll(/ > (\d+)\b/g)].map((match) => Number(match[1]));
}

describe(`the registration deadline in SQL (${ENGINE_UNDER_TEST})`, () => {
  it('is REGISTRATION_DEADLINE_DAYS in residencies.registered_late and residencies.departure_unregistered', async () => {
    expect(await deadlineInColumn('registered_late')).toEqual([REGISTRATION_DEADLINE_DAYS]);
    expect(await deadlineInColumn('departure_unregistered')).toEqual([REGISTRATION_DEADLINE_DAYS]);
  });
});
