import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benjaminiHochberg, emergingCategory, mannKendall, type HotspotClass } from '../../server/domain/hotspots.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { insertUser } from '../helpers/fixture-city.ts';
import { HOTSPOT_DISTRICT, HOTSPOT_FEATURES, insertCases, loadHotspotGrids } from '../helpers/hotspot-grids.ts';

/**
 * Emerging hot spots and "what changed" (issue 21) on the 48 real-shaped grids of the R
 * reference (tests/helpers/hotspot-grids.ts), with cases in each month of 2025 laid out so that
 * the hot spots move: the fixture's counts shifted by seven grids until September, then the
 * fixture's own, every fifth grid rising month by month, and four grids jumping by 25 in December.
 *
 * Expectations are recomputed here, not read from the service: the emerging categories from
 * GET /api/hotspots of each month (its z-scores and classes) through the domain's Mann-Kendall and
 * ArcGIS rules; the changes from counts of the cases table and an exact binomial test written below.
 */
let t: TestApp;
let planner: LoggedIn;

const CODES = HOTSPOT_FEATURES.map((feature) => feature.properties.code);
const COUNTS = HOTSPOT_FEATURES.map((feature) => feature.properties.count);
const MONTHS = Array.from({ length: 12 }, (_, index) => `2025-${String(index + 1).padStart(2, '0')}`);
const monthEnd = (month: string) => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).toISOString().slice(0, 10);
const countIn = (grid: number, month: number) =>
  (month >= 8 ? COUNTS[grid]! : COUNTS[(grid + 7) % COUNTS.length]!) + (grid % 5 === 0 ? month : 0) + (month === 11 && grid % 12 === 3 ? 25 : 0);

interface EmergingCell {
  code: string;
  category: string;
  trend: { tau: number; z: number; p: number } | null;
  latest: { z: number; p: number; class: number } | null;
  hotMonths: number;
  coldMonths: number;
}
interface HotspotCell {
  code: string;
  z: number | null;
  class: HotspotClass;
}

beforeAll(async () => {
  t = await startTestApp();
  await loadHotspotGrids(t.handle.db);
  for (const [month, name] of MONTHS.entries())
    await insertCases(
      t.handle.db,
      `${name}-10`,
      CODES,
      CODES.map((_, grid) => countIn(grid, month)),
    );
  await insertUser(t.handle.db, 'planner', 'planner', [HOTSPOT_DISTRICT]);
  planner = await t.logIn('planner');
});
afterAll(async () => t?.close());

describe('GET /api/hotspots/emerging', () => {
  it('lists the months used, the method, and a legend of every category in ArcGIS order, hot and cold', async () => {
    const response = await planner.get('/api/hotspots/emerging?metric=cases&to=2025-12-31&months=12').expect(200);
    expect(response.body).toMatchObject({
      metric: 'cases',
      level: 'grid',
      within: null,
      months: MONTHS.map(monthEnd),
      method: { trend: expect.stringMatching(/^Mann-Kendall on the Gi\* z-scores, two-sided/), reference: 'ArcGIS Emerging Hot Spot Analysis' },
      privacy: { k: 5, applied: false, suppressedCells: 0 },
    });
    const legend = response.body.categories as {
      category: string;
      hot: boolean;
      cells: number;
      label: string;
      labelZh: string;
      definition: string;
      definitionZh: string;
    }[];
    const kinds = ['new', 'consecutive', 'intensifying', 'persistent', 'diminishing', 'sporadic', 'oscillating', 'historical'];
    expect(legend.map((entry) => entry.category)).toEqual([...kinds.map((kind) => `${kind}_hot`), ...kinds.map((kind) => `${kind}_cold`), 'no_pattern']);
    expect(legend.filter((entry) => entry.hot).length).toBe(8);
    for (const entry of legend) expect(entry.label && entry.labelZh && entry.definition && entry.definitionZh).toBeTruthy();
    expect(legend.find((entry) => entry.category === 'persistent_cold')!.definition).toMatch(/cold/);
    expect(legend.reduce((sum, entry) => sum + entry.cells, 0)).toBe(CODES.length);
  });

  it('gives each grid the category, trend and counts that the monthly GET /api/hotspots maps imply', async () => {
    const response = await planner.get('/api/hotspots/emerging?metric=cases&to=2025-12-31&months=12').expect(200);
    const monthly: Map<string, HotspotCell>[] = [];
    for (const month of MONTHS) {
      const map = await planner.get(`/api/hotspots?metric=cases&from=${month}-01&to=${monthEnd(month)}`).expect(200);
      monthly.push(new Map((map.body.cells as HotspotCell[]).map((cell) => [cell.code, cell])));
    }
    const cells = response.body.cells as EmergingCell[];
    expect(cells.map((cell) => cell.code).sort()).toEqual([...CODES].sort());
    for (const cell of cells) {
      const series = monthly.map((month) => month.get(cell.code)!);
      const classes = series.map((month) => month.class);
      const trend = mannKendall(series.map((month) => month.z ?? 0));
      const pattern = emergingCategory(classes, trend);
      expect(cell.category, cell.code).toBe(pattern.kind === 'none' ? 'no_pattern' : `${pattern.category}_${pattern.kind}`);
      expect(cell.hotMonths, cell.code).toBe(classes.filter((level) => level > 0).length);
      expect(cell.coldMonths, cell.code).toBe(classes.filter((level) => level < 0).length);
      expect(cell.trend!.z, cell.code).toBeCloseTo(trend.z, 9);
      expect(cell.trend!.tau, cell.code).toBeCloseTo(trend.tau, 9);
      expect(cell.latest!.z, cell.code).toBeCloseTo(series.at(-1)!.z!, 9);
      expect(cell.latest!.class, cell.code).toBe(series.at(-1)!.class);
    }
    // The layout makes the analysis say something: several patterns, hot and cold.
    const found = new Set(cells.map((cell) => cell.category));
    expect(found.size).toBeGreaterThanOrEqual(3);
    expect([...found].some((category) => category.endsWith('_hot'))).toBe(true);
  });

  it('defaults to 36 months ending at the latest month end, and bounds the study area by within', async () => {
    const response = await planner.get('/api/hotspots/emerging?metric=cases').expect(200);
    const months = response.body.months as string[];
    expect(months).toHaveLength(36);
    const today = (await sql<{ today: string }>`SELECT city_today()::text AS today`.execute(t.handle.db)).rows[0]!.today;
    const [year, month, day] = today.split('-').map(Number) as [number, number, number];
    const isMonthEnd = new Date(Date.UTC(year, month - 1, day + 1)).getUTCDate() === 1;
    expect(months.at(-1)).toBe(isMonthEnd ? today : new Date(Date.UTC(year, month - 1, 0)).toISOString().slice(0, 10));
    expect(months.every((day, index) => index === 0 || day > months[index - 1]!)).toBe(true);
    const community = CODES[0]!.slice(0, 12);
    const within = await planner.get(`/api/hotspots/emerging?metric=cases&to=2025-12-31&months=12&within=${community}`).expect(200);
    expect((within.body.cells as EmergingCell[]).map((cell) => cell.code).sort()).toEqual(CODES.filter((code) => code.startsWith(community)).sort());
  });
});

/** Two-sided exact binomial p-value, written plainly (R's binom.test rule: outcomes no likelier than the one seen). */
function binomialP(x: number, n: number, p0: number): number {
  const pmf: number[] = [];
  let term = (1 - p0) ** n;
  for (let i = 0; i <= n; i++) {
    pmf.push(term);
    term = (term * (n - i) * p0) / ((i + 1) * (1 - p0));
  }
  const seen = pmf[x]! * (1 + 1e-7);
  return Math.min(
    1,
    pmf.filter((probability) => probability <= seen).reduce((sum, probability) => sum + probability, 0),
  );
}

describe('GET /api/hotspots/changes (cases)', () => {
  interface Row {
    code: string;
    current: number;
    previous: number;
    change: number;
    changePct: number | null;
    p: number | null;
    q: number | null;
    significant: boolean;
    direction: string;
  }

  async function casesBetween(from: string, to: string): Promise<Map<string, number>> {
    const result = await sql<{ grid_code: string; n: number }>`
      SELECT grid_code, count(*)::int AS n FROM cases
      WHERE (occurred_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN ${from}::date AND ${to}::date GROUP BY grid_code`.execute(t.handle.db);
    return new Map(result.rows.map((row) => [row.grid_code, row.n]));
  }

  it('ranks grids by the change in cases from November to December 2025, tested as counted here', async () => {
    const response = await planner.get('/api/hotspots/changes?metric=cases&asOf=2025-12-31&against=last_month&limit=200').expect(200);
    expect(response.body).toMatchObject({
      metric: 'cases',
      level: 'grid',
      asOf: '2025-12-31',
      baseDate: '2025-11-30',
      against: 'last_month',
      method: { fdr: true, windows: { current: { from: '2025-12-01', to: '2025-12-31' }, base: { from: '2025-11-01', to: '2025-11-30' } } },
      privacy: { applied: false, suppressedCells: 0 },
    });
    expect(response.body.method.test).toMatch(/binomial/);
    const now = await casesBetween('2025-12-01', '2025-12-31');
    const then = await casesBetween('2025-11-01', '2025-11-30');
    const expected = CODES.map((code) => {
      const current = now.get(code) ?? 0;
      const previous = then.get(code) ?? 0;
      return { code, current, previous, change: current - previous, p: current + previous >= 6 ? binomialP(current, current + previous, 31 / 61) : null };
    });
    const q = benjaminiHochberg(expected.map((row) => row.p ?? Number.NaN));
    const rows = response.body.rows as Row[];
    expect(rows).toHaveLength(CODES.length);
    const byCode = new Map(rows.map((row) => [row.code, row]));
    expected.forEach((row, index) => {
      const got = byCode.get(row.code)!;
      expect(got).toMatchObject({
        current: row.current,
        previous: row.previous,
        change: row.change,
        direction: row.change > 0 ? 'up' : row.change < 0 ? 'down' : 'same',
      });
      if (row.p === null) expect(got.p).toBeNull();
      else expect(got.p! / row.p).toBeCloseTo(1, 9);
      if (row.p !== null) expect(got.q! / q[index]!).toBeCloseTo(1, 9);
      expect(got.significant).toBe(row.p !== null && q[index]! <= 0.05);
    });
    // |change| descending; ties by p (untested last), then code.
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      expect(Math.abs(a.change)).toBeGreaterThanOrEqual(Math.abs(b.change));
      if (Math.abs(a.change) === Math.abs(b.change)) expect((a.p ?? 2) < (b.p ?? 2) || ((a.p ?? 2) === (b.p ?? 2) && a.code < b.code)).toBe(true);
    }
    expect(rows.some((row) => row.significant)).toBe(true);
  });

  it('compares with the same month last year and keeps to the limit', async () => {
    const response = await planner.get('/api/hotspots/changes?metric=cases&asOf=2025-12-31&against=last_year&limit=5').expect(200);
    expect(response.body).toMatchObject({ baseDate: '2024-12-31', totalCells: CODES.length });
    expect(response.body.rows).toHaveLength(5);
    // Nothing happened in 2024: every change is the December count itself.
    for (const row of response.body.rows as Row[]) expect(row).toMatchObject({ previous: 0, change: row.current, changePct: null });
  });
});
