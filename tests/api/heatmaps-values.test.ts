import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYTICS, insertAnalyticsCity } from '../helpers/analytics-fixture.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertUser } from '../helpers/fixture-city.ts';

/**
 * The compact heatmap answer (issue 18): the cell order travels once per data version
 * (GET /api/heatmaps/cells), a heatmap answer (shape=values) carries values only, in that order.
 * Joined back code by code, it must say exactly what the full answer says, for every caller.
 */
let t: TestApp;
let planner: LoggedIn;
let leader: LoggedIn;
let collector: LoggedIn;

beforeAll(async () => {
  t = await startTestApp();
  await insertAnalyticsCity(t.handle.db);
  await insertUser(t.handle.db, 'planner', 'planner');
  await insertUser(t.handle.db, 'leader', 'leader', [ANALYTICS.northCommunity]);
  await insertUser(t.handle.db, 'collector', 'collector', [FIXTURE.gridWest]);
  planner = await t.logIn('planner');
  leader = await t.logIn('leader');
  collector = await t.logIn('collector');
});
afterAll(async () => t?.close());

interface FullCell {
  code: string;
  value?: number | null;
  suppressed?: true;
}
interface Compact {
  order: string;
  level: string;
  values: (number | null)[];
  suppressed: number[];
  breaks: unknown;
  privacy: unknown;
  dataVersion: string;
}

/** The compact answer joined to the cell order, as the full answer's cells would read. */
function joined(cells: { order: string; codes: string[] }, compact: Compact): FullCell[] {
  expect(compact.order).toBe(cells.order);
  expect(compact.values).toHaveLength(cells.codes.length);
  const suppressed = new Set(compact.suppressed);
  return cells.codes.map((code, index) => (suppressed.has(index) ? { code, suppressed: true } : { code, value: compact.values[index] ?? null }));
}

const fullShape = (cells: FullCell[]) =>
  cells.map((cell) => (cell.suppressed ? { code: cell.code, suppressed: true } : { code: cell.code, value: cell.value ?? null }));

async function bothShapes(caller: LoggedIn, metric: string, level: string, query = '') {
  const full = (await caller.get(`/api/heatmaps/${metric}?level=${level}${query}`).expect(200)).body;
  const compact = (await caller.get(`/api/heatmaps/${metric}?level=${level}${query}&shape=values`).expect(200)).body as Compact;
  const cells = (await caller.get(`/api/heatmaps/cells?level=${level}`).expect(200)).body;
  return { full, compact, cells };
}

describe('compact heatmap answers', () => {
  it.each([
    ['floating_density', 'grid', '&asOf=2025-06-01'],
    ['population', 'community', '&asOf=2025-06-01'],
    ['cases', 'street', '&from=2025-06-01&to=2025-06-30'],
    ['rental_units', 'district', ''],
    ['floating_density', 'grid', '&asOf=2025-06-01&breaksFrom=2025-01-01'],
  ])('carries the values of the full answer, code by code: %s by %s', async (metric, level, query) => {
    const { full, compact, cells } = await bothShapes(planner, metric, level, query);
    expect(cells.level).toBe(level);
    expect(cells.codes).toEqual(full.cells.map((cell: FullCell) => cell.code));
    expect(joined(cells, compact)).toEqual(fullShape(full.cells));
    const { cells: _fullCells, ...fullHead } = full;
    const { values: _values, suppressed: _suppressed, order: _order, dataVersion: _dataVersion, ...compactHead } = compact as Compact & Record<string, unknown>;
    expect(compactHead).toEqual(fullHead);
    expect(compact).not.toHaveProperty('cells');
  });

  it("withholds the same cells from a leader, and only the caller's cells, in the same order", async () => {
    const { full, compact, cells } = await bothShapes(leader, 'floating_density', 'grid', '&asOf=2025-06-01');
    expect(full.privacy.applied).toBe(true);
    expect(compact.suppressed.length).toBe(full.privacy.suppressedCells);
    expect(compact.suppressed.length).toBeGreaterThan(0);
    expect(joined(cells, compact)).toEqual(fullShape(full.cells));
    expect(cells.codes.every((code: string) => code.startsWith(ANALYTICS.northCommunity))).toBe(true);
    const everyone = (await planner.get('/api/heatmaps/cells?level=grid').expect(200)).body;
    expect(everyone.codes.length).toBeGreaterThan(cells.codes.length);
    expect(everyone.order).not.toBe(cells.order);
  });

  it('gives a collector only their grid', async () => {
    const { full, compact, cells } = await bothShapes(collector, 'cases', 'grid', '&from=2025-06-01&to=2025-06-30');
    expect(cells.codes).toEqual([FIXTURE.gridWest]);
    expect(joined(cells, compact)).toEqual(fullShape(full.cells));
  });

  it('answers 304 to a known ETag, for the cell order and for the values', async () => {
    for (const url of ['/api/heatmaps/cells?level=community', '/api/heatmaps/floating_density?level=grid&asOf=2025-06-01&shape=values']) {
      const first = await planner.get(url).expect(200);
      expect(first.headers.etag).toBeTruthy();
      await planner.get(url).set('If-None-Match', first.headers.etag!).expect(304);
    }
    const cells = await planner.get('/api/heatmaps/cells?level=community').expect(200);
    const values = await planner.get('/api/heatmaps/floating_density?level=grid&asOf=2025-06-01&shape=values').expect(200);
    expect(cells.headers.etag).not.toBe(values.headers.etag);
  });

  it('refuses what has no stable cell order, naming the field', async () => {
    const hex = await planner.get('/api/heatmaps/floating_density?level=hex&bbox=114.0,22.6,114.01,22.61&shape=values').expect(400);
    expect(hex.body.error.details.fields[0].field).toBe('shape');
    const bbox = await planner.get('/api/heatmaps/floating_density?level=grid&bbox=114.0,22.6,114.3,22.8&shape=values').expect(400);
    expect(bbox.body.error.details.fields[0].field).toBe('shape');
    const shape = await planner.get('/api/heatmaps/floating_density?level=grid&shape=csv').expect(400);
    expect(JSON.stringify(shape.body)).toContain('shape');
    const level = await planner.get('/api/heatmaps/cells?level=hex').expect(400);
    expect(JSON.stringify(level.body)).toContain('level');
  });
});
