import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/connection.ts';
import { SQL_DIR } from '../../server/db/migrator.ts';
import { checkCharacter } from '../../server/domain/id-number.ts';
import { openTestDatabase } from '../helpers/database.ts';

/**
 * Issue #19 (the city's load), sql/0035: the persons' ID-number CHECK as one inlined SQL
 * expression gives the same answer as the PL/pgSQL function of sql/0001 for every input, and
 * the planner inlines it (no function call per row written).
 */
let handle: DatabaseHandle;
const db = () => handle.db;

/** sql/0001's definition, read from the migration itself and created under another name. */
function definitionOf0001(): string {
  const text = fs.readFileSync(path.join(SQL_DIR, '0001_core.sql'), 'utf8');
  const match = /CREATE OR REPLACE FUNCTION gb11643_is_valid\(id text\)[\s\S]*?END \$\$;/.exec(text);
  if (!match) throw new Error('gb11643_is_valid not found in sql/0001_core.sql');
  return match[0].replace('gb11643_is_valid(', 'gb11643_is_valid_0001(');
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** 17 digits completed with their right check character (or a given one). */
const numbered = (first17: string, check = checkCharacter(first17)) => first17 + check;

/** Every calendar day of 1870–2031, and impossible days (00, 29–32) of every month of some years. */
function birthDates(): string[] {
  const dates: string[] = [];
  for (let day = Date.UTC(1870, 0, 1); day <= Date.UTC(2031, 11, 31); day += 86_400_000)
    dates.push(new Date(day).toISOString().slice(0, 10).replaceAll('-', ''));
  for (const year of [0, 1, 1600, 1800, 1879, 1880, 1896, 1900, 1999, 2000, 2023, 2024, 2100, 2400, 9999]) {
    for (let month = 0; month <= 13; month += 1) for (const day of [0, 1, 28, 29, 30, 31, 32, 99]) dates.push(`${pad(year, 4)}${pad(month, 2)}${pad(day, 2)}`);
  }
  return dates;
}

function candidates(): string[] {
  const all: string[] = [];
  birthDates().forEach((date, index) => {
    const first17 = `440307${date}${pad(index % 1000, 3)}`;
    all.push(numbered(first17));
    // Every wrong check character for some of them, and a lower-case x.
    if (index % 97 === 0) for (const check of '0123456789Xx') all.push(numbered(first17, check));
  });
  all.push('', 'X', '11010519491231002', '1101051949123100211', '11010519491231002 ', ' 110105194912310021', '1101051949123100X1', '11010519491231002\\');
  all.push('１１０１０５１９４９１２３１００２X', '110105194912310021'.replace('1', 'a'), '11010519491231002%', `${'9'.repeat(17)}X`);
  return all;
}

beforeAll(async () => {
  handle = await openTestDatabase();
  await sql.raw(definitionOf0001()).execute(db());
}, 120_000);

afterAll(async () => {
  await handle?.close();
});

describe('the ID-number check (sql/0035)', () => {
  it('answers as the definition of sql/0001 for every birth date, check character and malformed number', async () => {
    const numbers = candidates();
    const { rows } = await sql<{ valid: number; invalid: number; different: string[] }>`
      SELECT count(*) FILTER (WHERE gb11643_is_valid(n))::int AS valid,
             count(*) FILTER (WHERE NOT gb11643_is_valid(n))::int AS invalid,
             coalesce(array_agg(n) FILTER (WHERE gb11643_is_valid(n) IS DISTINCT FROM gb11643_is_valid_0001(n)), '{}') AS different
      FROM unnest(${numbers}::text[]) AS n`.execute(db());
    expect(rows[0]!.different).toEqual([]);
    // Both answers are well represented: 1880-01-01 to 2031-12-31 valid, the rest not.
    expect(rows[0]!.valid).toBeGreaterThan(55_000);
    expect(rows[0]!.invalid).toBeGreaterThan(5_000);
    expect(rows[0]!.valid + rows[0]!.invalid).toBe(numbers.length);
  });

  it('is null for null, as the STRICT function of sql/0001 was', async () => {
    const { rows } = await sql<{ now: boolean | null; before: boolean | null }>`
      SELECT gb11643_is_valid(NULL) AS now, gb11643_is_valid_0001(NULL) AS before`.execute(db());
    expect(rows[0]).toEqual({ now: null, before: null });
  });

  it('is inlined by the planner: no function call for each number', async () => {
    const { rows } = await sql<{ 'QUERY PLAN': string }>`
      EXPLAIN (VERBOSE) SELECT gb11643_is_valid(n) FROM unnest(ARRAY['110105194912310021']) AS n`.execute(db());
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toContain('ascii(substr(');
    expect(plan).not.toContain('gb11643_is_valid(');
  });

  it('still refuses a person with a wrong ID number', async () => {
    const insert = (idNumber: string) =>
      sql`INSERT INTO persons (id_type, id_number, name, sex, birth_date, category)
          VALUES ('id_card', ${idNumber}, '测试', 'M', ${`${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`}, 'registered')`.execute(
        db(),
      );
    const right = numbered('11010519491231002');
    await expect(insert(`${right.slice(0, 17)}${right[17] === '0' ? '1' : '0'}`)).rejects.toThrow(/person_id_number_valid/);
    await expect(insert(numbered('11010518790101002'))).rejects.toThrow(/person_id_number_valid/);
    await insert(right);
  });
});
