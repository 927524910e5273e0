import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/connection.ts';
import { checkIdNumber } from '../../server/domain/id-number.ts';
import { generateCity, type CitySummary } from '../../server/demo/city/index.ts';
import { openTestDatabase } from '../helpers/database.ts';

const OPTIONS = { seed: 7, scale: 'tiny', today: '2026-11-01' } as const;
const handles: DatabaseHandle[] = [];
const summaries: CitySummary[] = [];

/** Everything that identifies the generated city, reduced to comparable digests. */
async function cityFingerprint(handle: DatabaseHandle) {
  const result = await sql<Record<string, string>>`SELECT
      md5(string_agg(code || ST_AsText(geom), ',' ORDER BY code)) AS grids,
      (SELECT md5(string_agg(code || address || floors || use, ',' ORDER BY code)) FROM buildings) AS buildings,
      (SELECT md5(string_agg(code || use, ',' ORDER BY code)) FROM units) AS units,
      (SELECT md5(string_agg(id_number || name || category, ',' ORDER BY id_number)) FROM persons) AS persons,
      (SELECT md5(string_agg(unit_code || moved_in || coalesce(moved_out::text, '-'), ',' ORDER BY unit_code, moved_in)) FROM residencies) AS residencies,
      (SELECT md5(string_agg(case_no || occurred_at::text, ',' ORDER BY case_no)) FROM cases) AS cases,
      (SELECT md5(string_agg(code || name || coalesce(compound_members.codes, ''), ',' ORDER BY code)) FROM compounds
         LEFT JOIN LATERAL (SELECT string_agg(b.code, '+' ORDER BY b.code) AS codes FROM buildings b WHERE b.compound_code = compounds.code) AS compound_members ON true) AS compounds
    FROM grids`.execute(handle.db);
  return result.rows[0];
}

beforeAll(async () => {
  for (let run = 0; run < 2; run += 1) {
    const handle = await openTestDatabase();
    handles.push(handle);
    summaries.push(await generateCity(handle, OPTIONS));
  }
});
afterAll(async () => {
  for (const handle of handles) await handle.close();
});

describe('the synthetic city generator', () => {
  it('gives the same city for the same seed, scale and day', async () => {
    expect(summaries[1]).toEqual(summaries[0]);
    expect(await cityFingerprint(handles[1]!)).toEqual(await cityFingerprint(handles[0]!));
  });

  it('notes the shapes it writes (sql/0044: the grids and areas carry no trigger), so that their tiles are not kept from before', async () => {
    for (const handle of handles) {
      const { rows } = await sql<{ version: string }>`SELECT version::text AS version FROM shape_version`.execute(handle.db);
      expect(Number(rows[0]!.version)).toBeGreaterThan(0);
    }
  });

  it('refuses to generate into a database that already holds a city', async () => {
    await expect(generateCity(handles[0]!, OPTIONS)).rejects.toThrow();
  });

  it('produces valid geometry, valid IDs, all four categories and a realistic skew', async () => {
    const db = handles[0]!.db;
    const invalid = await sql<{ n: number }>`SELECT (SELECT count(*) FROM grids WHERE NOT ST_IsValid(geom))
      + (SELECT count(*) FROM buildings WHERE NOT ST_Within(point, (SELECT geom FROM grids g WHERE g.code = buildings.grid_code))) AS n`.execute(db);
    expect(invalid.rows[0]!.n).toBe(0);
    const ids = await db.selectFrom('persons').select(['id_number', 'birth_date', 'sex']).where('id_type', '=', 'id_card').execute();
    for (const person of ids) expect(checkIdNumber(person.id_number, OPTIONS.today)).toMatchObject({ ok: true, birthDate: person.birth_date, sex: person.sex });
    const categories = await sql<{ category: string }>`SELECT DISTINCT category FROM persons ORDER BY 1`.execute(db);
    expect(categories.rows.map((row) => row.category)).toEqual(['floating', 'lodging', 'overseas', 'registered']);
    // Floating people concentrate in urban villages and dormitories.
    const share = await sql<{ use: string; floating_share: number }>`
      SELECT b.use, avg((p.category = 'floating')::int)::float AS floating_share
      FROM residencies r JOIN persons p ON p.id = r.person_id JOIN units u ON u.code = r.unit_code JOIN buildings b ON b.code = u.building_code
      WHERE r.moved_out IS NULL GROUP BY b.use`.execute(db);
    const byUse = Object.fromEntries(share.rows.map((row) => [row.use, row.floating_share]));
    expect(byUse.urban_village).toBeGreaterThan(byUse.residential ?? 0);
    const late = await sql<{ n: number }>`SELECT count(*) AS n FROM residencies WHERE registered_at > moved_in + 7`.execute(db);
    expect(late.rows[0]!.n).toBeGreaterThan(0);
  });

  it('groups property-run and gated buildings into compounds of at most six in their own community', async () => {
    const result = await sql<{ compounds: number; empty: number; largest: number; elsewhere: number }>`
      SELECT count(*)::int AS compounds, count(*) FILTER (WHERE members = 0)::int AS empty, max(members)::int AS largest,
             (SELECT count(*)::int FROM buildings WHERE compound_code IS NOT NULL AND left(compound_code, 12) <> left(code, 12)) AS elsewhere
      FROM (SELECT c.code, (SELECT count(*) FROM buildings b WHERE b.compound_code = c.code) AS members FROM compounds c) AS sizes`.execute(handles[0]!.db);
    expect(result.rows[0]).toMatchObject({ empty: 0, elsewhere: 0 });
    expect(result.rows[0]!.compounds).toBeGreaterThan(0);
    expect(result.rows[0]!.largest).toBeLessThanOrEqual(6);
  });
});
