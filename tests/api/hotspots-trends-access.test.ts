import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYTICS, insertAnalyticsCity } from '../helpers/analytics-fixture.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertUser } from '../helpers/fixture-city.ts';

/**
 * Emerging hot spots and "what changed" on the analytics fixture city (West, East, North grids):
 * the leader's small-cell suppression (k = 5), jurisdiction, and validation. The maths is checked
 * on a larger city in hotspots-trends.test.ts.
 */
let t: TestApp;
let planner: LoggedIn;
let leader: LoggedIn;
let northLeader: LoggedIn;
const GRIDS = [FIXTURE.gridWest, FIXTURE.gridEast, ANALYTICS.northGrid];

beforeAll(async () => {
  t = await startTestApp();
  await insertAnalyticsCity(t.handle.db);
  await insertUser(t.handle.db, 'planner', 'planner');
  await insertUser(t.handle.db, 'leader', 'leader');
  await insertUser(t.handle.db, 'north-leader', 'leader', [ANALYTICS.northCommunity]);
  planner = await t.logIn('planner');
  leader = await t.logIn('leader');
  northLeader = await t.logIn('north-leader');
});
afterAll(async () => t?.close());

/** Floating residents per grid on `day`, counted here from residencies. */
async function floatingOn(day: string): Promise<Map<string, number>> {
  const result = await sql<{ grid: string; n: number }>`
    SELECT left(r.unit_code, 14) AS grid, count(*)::int AS n
    FROM residencies AS r JOIN persons AS p ON p.id = r.person_id
    WHERE p.category = 'floating' AND r.moved_in <= ${day}::date AND (r.moved_out IS NULL OR r.moved_out > ${day}::date)
    GROUP BY 1`.execute(t.handle.db);
  return new Map(result.rows.map((row) => [row.grid, row.n]));
}

const NUMBERS = ['category', 'trend', 'latest', 'hotMonths', 'coldMonths', 'current', 'previous', 'change', 'changePct', 'p', 'q'];

describe('emerging hot spots: privacy and jurisdiction', () => {
  const URL = '/api/hotspots/emerging?metric=floating_density&to=2025-12-31&months=12';

  it('leaves out, for leaders, every cell about fewer than 5 people in any month, with no numbers', async () => {
    const monthEnds = Array.from({ length: 12 }, (_, index) => new Date(Date.UTC(2025, index + 1, 0)).toISOString().slice(0, 10));
    const counts = await Promise.all(monthEnds.map(floatingOn));
    const small: string[] = GRIDS.filter((grid) => counts.some((month) => (month.get(grid) ?? 0) < 5));
    expect(small.length).toBeGreaterThan(0);
    const led = await leader.get(URL).expect(200);
    expect(led.body.privacy).toMatchObject({ k: 5, applied: true, suppressedCells: small.length });
    for (const cell of led.body.cells as Record<string, unknown>[]) {
      if (!small.includes(cell.code as string)) continue;
      expect(cell).toEqual({ code: cell.code, name: expect.any(String), suppressed: true });
      for (const key of NUMBERS) expect(cell).not.toHaveProperty(key);
    }
    const planned = await planner.get(URL).expect(200);
    expect(planned.body.privacy).toMatchObject({ applied: false, suppressedCells: 0 });
    expect((planned.body.cells as { category?: string }[]).every((cell) => typeof cell.category === 'string')).toBe(true);
  });

  it('bounds the cells by jurisdiction; a within outside is 404', async () => {
    const north = await northLeader.get('/api/hotspots/emerging?metric=cases&to=2025-12-31&months=12').expect(200);
    expect((north.body.cells as { code: string }[]).map((cell) => cell.code)).toEqual([ANALYTICS.northGrid]);
    await northLeader.get(`/api/hotspots/emerging?metric=cases&within=${FIXTURE.community}`).expect(404);
    const communities = await planner.get('/api/hotspots/emerging?metric=cases&level=community&to=2025-12-31&months=12').expect(200);
    expect((communities.body.cells as { code: string }[]).map((cell) => cell.code)).toEqual([FIXTURE.community, ANALYTICS.northCommunity]);
  });

  it.each([
    ['', 'metric'],
    ['metric=population', 'metric'],
    ['metric=cases&level=street', 'level'],
    ['metric=cases&months=11', 'months'],
    ['metric=cases&months=37', 'months'],
    ['metric=cases&months=twelve', 'months'],
    ['metric=cases&to=2025-12-30', 'to'],
    ['metric=cases&to=2999-12-31', 'to'],
    ['metric=cases&to=2025-02-30', 'to'],
    ['metric=cases&fdr=maybe', 'fdr'],
    ['metric=cases&within=4403', 'within'],
    [`metric=cases&level=community&within=${FIXTURE.gridWest}`, 'within'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    const response = await planner.get(`/api/hotspots/emerging?${query}`).expect(400);
    expect(response.body.error.details.fields.map((issue: { field: string }) => issue.field)).toContain(field);
  });
});

describe('what changed: floating people, privacy and jurisdiction', () => {
  it('compares the floating people present on the two days, as counted from residencies', async () => {
    const response = await planner.get('/api/hotspots/changes?metric=floating&asOf=2025-06-01&against=last_month').expect(200);
    expect(response.body).toMatchObject({
      asOf: '2025-06-01',
      baseDate: '2025-05-01',
      method: { windows: { current: { asOf: '2025-06-01' }, base: { asOf: '2025-05-01' } } },
    });
    const now = await floatingOn('2025-06-01');
    const then = await floatingOn('2025-05-01');
    const rows = response.body.rows as { code: string; current: number; previous: number; change: number; p: number | null }[];
    expect(rows.map((row) => row.code).sort()).toEqual([...GRIDS].sort());
    for (const row of rows) {
      const [current, previous] = [now.get(row.code) ?? 0, then.get(row.code) ?? 0];
      expect(row).toMatchObject({ current, previous, change: current - previous });
      // Fewer than 6 in all: too few to test.
      if (current + previous < 6) expect(row.p).toBeNull();
    }
  });

  it('leaves out, for leaders, cells under 5 people on either day, and says how many', async () => {
    const now = await floatingOn('2025-06-01');
    const then = await floatingOn('2025-05-01');
    const shown = GRIDS.filter((grid) => (now.get(grid) ?? 0) >= 5 && (then.get(grid) ?? 0) >= 5);
    const led = await leader.get('/api/hotspots/changes?metric=floating&asOf=2025-06-01&against=last_month').expect(200);
    expect(led.body.privacy).toMatchObject({ k: 5, applied: true, suppressedCells: GRIDS.length - shown.length });
    expect((led.body.rows as { code: string }[]).map((row) => row.code).sort()).toEqual(shown.sort());
  });

  it('bounds the rows by jurisdiction; a within outside is 404', async () => {
    const north = await northLeader.get('/api/hotspots/changes?metric=cases&asOf=2025-06-30').expect(200);
    expect((north.body.rows as { code: string }[]).map((row) => row.code)).toEqual([ANALYTICS.northGrid]);
    await northLeader.get(`/api/hotspots/changes?metric=cases&within=${FIXTURE.gridWest}`).expect(404);
  });

  it.each([
    ['', 'metric'],
    ['metric=floating_density', 'metric'],
    ['metric=cases&level=hex', 'level'],
    ['metric=cases&against=yesterday', 'against'],
    ['metric=cases&limit=0', 'limit'],
    ['metric=cases&limit=201', 'limit'],
    ['metric=cases&asOf=2999-01-01', 'asOf'],
    ['metric=cases&asOf=2025-13-01', 'asOf'],
    ['metric=cases&within=44', 'within'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    const response = await planner.get(`/api/hotspots/changes?${query}`).expect(400);
    expect(response.body.error.details.fields.map((issue: { field: string }) => issue.field)).toContain(field);
  });
});
