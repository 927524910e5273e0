import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYTICS, insertAnalyticsCity } from '../helpers/analytics-fixture.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertUser } from '../helpers/fixture-city.ts';

/**
 * GET /api/hotspots on the analytics fixture city (three grids: West and East in one community,
 * North in the next). Gi* itself is checked against R in hotspots-reference.test.ts; here the
 * route: its validation, the jurisdiction that bounds the study area, and the leader's
 * small-cell suppression (k = 5), reused from the heatmaps.
 */
let t: TestApp;
let planner: LoggedIn;
let leader: LoggedIn;
let northLeader: LoggedIn;

interface Cell {
  code: string;
  value?: number;
  z?: number | null;
  p?: number | null;
  q?: number | null;
  class?: number;
  neighbours?: number;
  suppressed?: true;
}

beforeAll(async () => {
  t = await startTestApp();
  await insertAnalyticsCity(t.handle.db);
  await insertUser(t.handle.db, 'planner', 'planner');
  await insertUser(t.handle.db, 'leader', 'leader');
  await insertUser(t.handle.db, 'north-leader', 'leader', [ANALYTICS.northCommunity]);
  await insertUser(t.handle.db, 'admin', 'admin');
  planner = await t.logIn('planner');
  leader = await t.logIn('leader');
  northLeader = await t.logIn('north-leader');
});
afterAll(async () => t?.close());

const byCode = (cells: Cell[]) => new Map(cells.map((cell) => [cell.code, cell]));

describe('GET /api/hotspots', () => {
  it('scores every grid with Gi*, p, q and a class, and says how', async () => {
    // Cases 2025-04-01 … 2025-07-31: West C1, C2, C4, C6 = 4; East C3 = 1; North 0.
    const response = await planner.get('/api/hotspots?metric=cases&from=2025-04-01&to=2025-07-31').expect(200);
    expect(response.body).toMatchObject({
      metric: 'cases',
      level: 'grid',
      within: null,
      time: { from: '2025-04-01', to: '2025-07-31' },
      method: { statistic: 'Getis-Ord Gi* (z-score)', fdr: true },
      privacy: { applied: false, suppressedCells: 0 },
    });
    expect(response.body.method.neighbourhood).toMatch(/queen contiguity/);
    const cells = byCode(response.body.cells);
    expect([...cells.keys()].sort()).toEqual([FIXTURE.gridWest, FIXTURE.gridEast, ANALYTICS.northGrid].sort());
    expect([FIXTURE.gridWest, FIXTURE.gridEast, ANALYTICS.northGrid].map((code) => cells.get(code)!.value)).toEqual([4, 1, 0]);
    for (const cell of cells.values()) expect(cell).toEqual(expect.objectContaining({ class: expect.any(Number), neighbours: expect.any(Number) }));
    expect(response.body.classes.map((entry: { class: number }) => entry.class)).toEqual([3, 2, 1, 0, -1, -2, -3]);
    expect(response.body.classes.reduce((sum: number, entry: { cells: number }) => sum + entry.cells, 0)).toBe(3);
  });

  it('leaves Gi* undefined where a neighbourhood is the whole study area (hand-checked)', async () => {
    // The three grids touch one another (North lies along both West and East): W = n = 3 for
    // every cell, so n·W − W² = 0 and Gi* has no variance: z, p and q are null, class 0.
    const response = await planner.get('/api/hotspots?metric=cases&from=2025-04-01&to=2025-07-31').expect(200);
    for (const cell of response.body.cells as Cell[]) expect(cell).toMatchObject({ neighbours: 2, z: null, p: null, q: null, class: 0 });
  });

  it('bounds the study area by jurisdiction and by within; an area outside is 404', async () => {
    const north = await northLeader.get('/api/hotspots?metric=cases&from=2025-04-01&to=2025-07-31').expect(200);
    expect((north.body.cells as Cell[]).map((cell) => cell.code)).toEqual([ANALYTICS.northGrid]);
    // Alone in its study area, the North grid has no defined Gi*.
    expect(north.body.cells[0]).toMatchObject({ value: 0, z: null, class: 0, neighbours: 0 });
    await northLeader.get(`/api/hotspots?metric=cases&within=${FIXTURE.gridWest}`).expect(404);
    const west = await planner.get(`/api/hotspots?metric=cases&within=${FIXTURE.community}&from=2025-04-01&to=2025-07-31`).expect(200);
    expect((west.body.cells as Cell[]).map((cell) => cell.code).sort()).toEqual([FIXTURE.gridEast, FIXTURE.gridWest].sort());
    expect(west.body.within).toBe(FIXTURE.community);
  });

  it('leaves out of the analysis, for leaders, cells about fewer than 5 people', async () => {
    // Floating people on 2025-06-01: West 5 (W1, W3, W4, W5, W6), East 1 (E5), North 1 (N1).
    const led = await leader.get('/api/hotspots?metric=floating_density&asOf=2025-06-01').expect(200);
    expect(led.body.privacy).toEqual({ k: 5, applied: true, suppressedCells: 2 });
    const cells = byCode(led.body.cells);
    expect(cells.get(FIXTURE.gridEast)).toEqual({ code: FIXTURE.gridEast, name: expect.any(String), suppressed: true });
    expect(cells.get(ANALYTICS.northGrid)).toEqual({ code: ANALYTICS.northGrid, name: expect.any(String), suppressed: true });
    // West is scored alone: the suppressed cells count neither as cells nor as its neighbours.
    expect(cells.get(FIXTURE.gridWest)).toMatchObject({ neighbours: 0, z: null });
    const planned = await planner.get('/api/hotspots?metric=floating_density&asOf=2025-06-01').expect(200);
    expect(planned.body.privacy).toMatchObject({ applied: false, suppressedCells: 0 });
    expect((planned.body.cells as Cell[]).every((cell) => typeof cell.value === 'number')).toBe(true);
  });

  it('scores communities too', async () => {
    const response = await planner.get('/api/hotspots?metric=cases&level=community&from=2025-04-01&to=2025-07-31').expect(200);
    expect((response.body.cells as Cell[]).map((cell) => [cell.code, cell.value, cell.neighbours])).toEqual([
      [FIXTURE.community, 5, 1],
      [ANALYTICS.northCommunity, 0, 1],
    ]);
  });

  it.each([
    ['', 'metric'],
    ['metric=population', 'metric'],
    ['metric=cases&level=hex', 'level'],
    ['metric=cases&within=4403', 'within'],
    [`metric=cases&level=community&within=${FIXTURE.gridWest}`, 'within'],
    ['metric=floating_density&kind=criminal', 'kind'],
    ['metric=red_rentals&category=theft', 'category'],
    ['metric=cases&fdr=maybe', 'fdr'],
    ['metric=cases&from=2025-02-30', 'from'],
    ['metric=cases&from=2025-06-02&to=2025-06-01', 'from'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    const response = await planner.get(`/api/hotspots?${query}`).expect(400);
    expect(response.body.error.details.fields.map((issue: { field: string }) => issue.field)).toContain(field);
  });

  it('is for analytics readers only', async () => {
    const admin = await t.logIn('admin');
    await admin.get('/api/hotspots?metric=cases').expect(403);
  });
});
