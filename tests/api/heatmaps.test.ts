import { sql } from 'kysely';
import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { ANALYTICS, gridArea, insertAnalyticsCity } from '../helpers/analytics-fixture.ts';
import { FIXTURE, insertUser } from '../helpers/fixture-city.ts';
import { setPrivacyKByHand, writeUnitsOf } from '../helpers/hand-edits.ts';

/**
 * Heatmaps on the analytics fixture city. Every expected number is counted by hand from the
 * PEOPLE and CASES tables in tests/helpers/analytics-fixture.ts; the comments name who counts.
 */
let t: TestApp;
let planner: LoggedIn;
let leader: LoggedIn;

interface Cell {
  code: string;
  name?: string;
  areaKm2: number;
  value?: number | null;
  suppressed?: boolean;
  figures?: Record<string, number>;
  bounds?: number[];
}

beforeAll(async () => {
  t = await startTestApp();
  await insertAnalyticsCity(t.handle.db);
  for (const role of ['leader', 'planner', 'admin', 'auditor'] as const) await insertUser(t.handle.db, role, role);
  await insertUser(t.handle.db, 'police', 'police', [FIXTURE.district]);
  await insertUser(t.handle.db, 'collector', 'collector', [FIXTURE.gridWest]);
  planner = await t.logIn('planner');
  leader = await t.logIn('leader');
});
afterAll(async () => t?.close());

async function cells(agent: LoggedIn, url: string): Promise<Map<string, Cell>> {
  const response = await agent.get(url).expect(200);
  return new Map((response.body.cells as Cell[]).map((cell) => [cell.code, cell]));
}

describe('floating_density on asOf 2025-06-01', () => {
  it('counts floating residents per grid and divides by the grid area', async () => {
    const response = await planner.get('/api/heatmaps/floating_density?level=grid&asOf=2025-06-01').expect(200);
    expect(response.body).toMatchObject({
      metric: 'floating_density',
      level: 'grid',
      unit: '人/km²',
      time: { asOf: '2025-06-01' },
      computedFrom: 'grid_population_daily',
    });
    const byCode = new Map((response.body.cells as Cell[]).map((cell) => [cell.code, cell]));
    // West: W1, W3, W4, W5, W6 (W2 moves out that very day, E5 left on 04-30).
    const westArea = await gridArea(t.handle.db, FIXTURE.gridWest);
    expect(byCode.get(FIXTURE.gridWest)?.figures).toEqual({ floating: 5 });
    expect(byCode.get(FIXTURE.gridWest)?.value).toBeCloseTo(5 / westArea, 2);
    expect(byCode.get(FIXTURE.gridWest)?.name).toBe('西网格');
    // East: E5 (moved in 04-30); E4 comes on 06-15. North: N1.
    expect(byCode.get(FIXTURE.gridEast)?.figures).toEqual({ floating: 1 });
    expect(byCode.get(ANALYTICS.northGrid)?.figures).toEqual({ floating: 1 });
    expect(byCode.size).toBe(3);
  });

  it('sums counts and areas for communities and the street', async () => {
    const communities = await cells(planner, '/api/heatmaps/floating_density?level=community&asOf=2025-06-01');
    const westAndEast = (await gridArea(t.handle.db, FIXTURE.gridWest)) + (await gridArea(t.handle.db, FIXTURE.gridEast));
    expect(communities.get(FIXTURE.community)?.figures).toEqual({ floating: 6 });
    expect(communities.get(FIXTURE.community)?.value).toBeCloseTo(6 / westAndEast, 2);
    expect(communities.get(ANALYTICS.northCommunity)?.figures).toEqual({ floating: 1 });
    const streets = await cells(planner, '/api/heatmaps/floating_density?level=street&asOf=2025-06-01');
    expect([...streets.keys()]).toEqual([FIXTURE.street]);
    expect(streets.get(FIXTURE.street)?.figures).toEqual({ floating: 7 });
  });

  it('does not count a person before the move-in day, and counts them on it', async () => {
    // 2025-01-09: W6 and E5 (then still in West); W1 moves in on 01-10.
    const before = await cells(planner, '/api/heatmaps/floating_density?asOf=2025-01-09');
    expect(before.get(FIXTURE.gridWest)?.figures).toEqual({ floating: 2 });
    const on = await cells(planner, '/api/heatmaps/floating_density?asOf=2025-01-10');
    expect(on.get(FIXTURE.gridWest)?.figures).toEqual({ floating: 3 });
  });

  it('counts a mover in the old grid up to the day before the move and in the new grid from it', async () => {
    const dayBefore = await cells(planner, '/api/heatmaps/floating_density?asOf=2025-04-29');
    const moveDay = await cells(planner, '/api/heatmaps/floating_density?asOf=2025-04-30');
    // 04-29, West: W1, W2, W3, W6, E5; East: nobody floating.
    expect(dayBefore.get(FIXTURE.gridWest)?.figures).toEqual({ floating: 5 });
    expect(dayBefore.get(FIXTURE.gridEast)?.figures).toEqual({ floating: 0 });
    expect(moveDay.get(FIXTURE.gridWest)?.figures).toEqual({ floating: 4 });
    expect(moveDay.get(FIXTURE.gridEast)?.figures).toEqual({ floating: 1 });
  });

  it('answers a day before the kept window from the summed changes, with the same rules', async () => {
    const response = await planner.get('/api/heatmaps/population?asOf=2023-12-31&category=registered').expect(200);
    expect(response.body.computedFrom).toBe('grid_population_changes');
    const byCode = new Map((response.body.cells as Cell[]).map((cell) => [cell.code, cell]));
    // E1 and E2 since 2020; E3 from 2024-02-01.
    expect(byCode.get(FIXTURE.gridEast)?.value).toBe(2);
    expect(byCode.get(FIXTURE.gridWest)?.value).toBe(0);
  });

  it('defaults asOf to today and refuses a future day', async () => {
    const today = (await sql<{ today: string }>`SELECT city_today() AS today`.execute(t.handle.db)).rows[0]!.today;
    const response = await planner.get('/api/heatmaps/floating_density').expect(200);
    expect(response.body.time).toEqual({ asOf: today });
    const future = await planner.get('/api/heatmaps/floating_density?asOf=2999-01-01').expect(400);
    expect(future.body.error.details.fields[0].field).toBe('asOf');
  });
});

describe('population, registration and permit rates', () => {
  it('counts people by category', async () => {
    const url = (category: string) => `/api/heatmaps/population?asOf=2025-06-01&category=${category}`;
    // West on 06-01: floating 5, lodging W7, overseas W8 (leaves 10-01); East: E1, E2, E3 registered + E5.
    expect((await cells(planner, url('all'))).get(FIXTURE.gridWest)?.value).toBe(7);
    expect((await cells(planner, url('lodging'))).get(FIXTURE.gridWest)?.value).toBe(1);
    expect((await cells(planner, url('overseas'))).get(FIXTURE.gridWest)?.value).toBe(1);
    expect((await cells(planner, url('registered'))).get(FIXTURE.gridEast)?.value).toBe(3);
    expect((await cells(planner, url('all'))).get(FIXTURE.gridEast)?.value).toBe(4);
  });

  it('registration rate: registered on or before asOf ÷ floating found', async () => {
    // 06-01, West: W1, W3, W4, W6 registered; W5 registers only on 07-01 → 4 of 5.
    const june = await cells(planner, '/api/heatmaps/registration_rate?asOf=2025-06-01');
    expect(june.get(FIXTURE.gridWest)).toMatchObject({ value: 80, figures: { registered: 4, found: 5 } });
    // 07-01, W5 is registered: 5 of 5.
    const july = await cells(planner, '/api/heatmaps/registration_rate?asOf=2025-07-01');
    expect(july.get(FIXTURE.gridWest)).toMatchObject({ value: 100, figures: { registered: 5, found: 5 } });
  });

  it('permit rate: valid through the expiry day, not from the revocation day, renewals overlap', async () => {
    // 06-01, West: W1 (2025-03-01…2026-02-28), W3 (revoked only on 09-01), W6 (2024-09-01…2025-08-31) → 3 of 5.
    const june = await cells(planner, '/api/heatmaps/permit_rate?asOf=2025-06-01');
    expect(june.get(FIXTURE.gridWest)).toMatchObject({ value: 60, figures: { holding: 3, eligible: 5 } });
    // 08-31: still W1, W3, W6 (its old permit's last day).
    const lastDay = await cells(planner, '/api/heatmaps/permit_rate?asOf=2025-08-31');
    expect(lastDay.get(FIXTURE.gridWest)?.figures).toEqual({ holding: 3, eligible: 5 });
    // 09-01: W3 revoked that day; W6 covered by the renewal from 08-15 → W1, W6.
    const september = await cells(planner, '/api/heatmaps/permit_rate?asOf=2025-09-01');
    expect(september.get(FIXTURE.gridWest)).toMatchObject({ value: 40, figures: { holding: 2, eligible: 5 } });
    // East on 06-01: E5 holds none → 0 of 1.
    expect(june.get(FIXTURE.gridEast)).toMatchObject({ value: 0, figures: { holding: 0, eligible: 1 } });
  });

  it('a rate over nobody is null, not zero', async () => {
    // North on 2024-12-31: N1 arrives only on 2025-01-01, so nobody is found.
    const response = await cells(planner, '/api/heatmaps/registration_rate?asOf=2024-12-31');
    expect(response.get(ANALYTICS.northGrid)).toMatchObject({ value: null, figures: { registered: 0, found: 0 } });
  });
});

describe('cases, rental units and rental tiers', () => {
  it('counts cases of a period by local date, with the grid taken from the building when missing', async () => {
    // May 2025, West: C4 (05-01 00:30 local), C1 (rented unit), C2 (shop building, no grid code). C5 has no grid: nowhere.
    const response = await planner.get('/api/heatmaps/cases?from=2025-05-01&to=2025-05-31').expect(200);
    expect(response.body).toMatchObject({ unit: '起', time: { from: '2025-05-01', to: '2025-05-31' }, computedFrom: 'grid_case_daily' });
    const byCode = new Map((response.body.cells as Cell[]).map((cell) => [cell.code, cell]));
    expect(byCode.get(FIXTURE.gridWest)).toMatchObject({ value: 3, figures: { cases: 3, criminal: 1, publicOrder: 2, inRental: 1 } });
    expect(byCode.get(FIXTURE.gridEast)?.value).toBe(0);
    const lastDayOfApril = await cells(planner, '/api/heatmaps/cases?from=2025-04-30&to=2025-04-30');
    expect(lastDayOfApril.get(FIXTURE.gridWest)?.value).toBe(0);
  });

  it('filters cases by kind and category', async () => {
    // 2025, West: C1, C6 criminal theft; C2, C4 public order. East: C3 criminal burglary.
    const criminal = await cells(planner, '/api/heatmaps/cases?from=2025-01-01&to=2025-12-31&kind=criminal');
    expect(criminal.get(FIXTURE.gridWest)?.figures).toEqual({ cases: 2, criminal: 2, publicOrder: 0, inRental: 2 });
    const theft = await cells(planner, '/api/heatmaps/cases?from=2025-01-01&to=2025-12-31&category=theft&level=district');
    expect(theft.get(FIXTURE.district)?.value).toBe(2);
  });

  it('counts rented units per grid (current state)', async () => {
    const response = await planner.get('/api/heatmaps/rental_units').expect(200);
    expect(response.body.time).toEqual({ current: true });
    const byCode = new Map((response.body.cells as Cell[]).map((cell) => [cell.code, cell]));
    expect(byCode.get(FIXTURE.gridWest)).toMatchObject({ value: 6, figures: { rentedUnits: 6, registeredRentalUnits: 5, units: 7 } });
    expect(byCode.get(ANALYTICS.northGrid)).toMatchObject({ value: 2, figures: { rentedUnits: 2, registeredRentalUnits: 2, units: 2 } });
    expect(byCode.get(FIXTURE.gridEast)?.value).toBe(0);
  });

  it('follows a unit turning into a rental', async () => {
    await writeUnitsOf(t.handle.db, [FIXTURE.eastHouse], (trx) =>
      trx.updateTable('units').set({ use: 'rented' }).where('building_code', '=', FIXTURE.eastHouse).where('floor', '=', 1).execute(),
    );
    expect((await cells(planner, '/api/heatmaps/rental_units')).get(FIXTURE.gridEast)?.value).toBe(1);
    await writeUnitsOf(t.handle.db, [FIXTURE.eastHouse], (trx) =>
      trx.updateTable('units').set({ use: 'self_occupied' }).where('building_code', '=', FIXTURE.eastHouse).execute(),
    );
    expect((await cells(planner, '/api/heatmaps/rental_units')).get(FIXTURE.gridEast)?.value).toBe(0);
  });

  it('counts rental tiers of the latest scored month, or answers not_available without the scoring tables', async () => {
    const installed = (await sql<{ present: boolean }>`SELECT to_regclass('rental_scores') IS NOT NULL AS present`.execute(t.handle.db)).rows[0]!.present;
    if (!installed) {
      const response = await planner.get('/api/heatmaps/rental_tiers').expect(409);
      expect(response.body.error.code).toBe('not_available');
      return;
    }
    const scores: [string, string, string][] = [
      [FIXTURE.westHouse, '2025-05-01', 'red'],
      [FIXTURE.eastHouse, '2025-05-01', 'yellow'],
      [ANALYTICS.northHouse, '2025-05-01', 'green'],
      [FIXTURE.westHouse, '2025-06-01', 'yellow'],
      [ANALYTICS.northHouse, '2025-06-01', 'green'],
    ];
    for (const [building, month, tier] of scores) {
      await sql`INSERT INTO rental_scores (building_code, street_code, month, score, tier, clean_months, explanation, rules_version)
                VALUES (${building}, left(${building}, 9), ${month}::date, 7, ${tier}, 0, '{}'::jsonb, 1)`.execute(t.handle.db);
    }
    const { refreshTierCounts } = await import('../../server/rentals/repository.ts');
    await refreshTierCounts(t.handle.db, '2025-05-01', '2025-06-01');
    const may = await planner.get('/api/heatmaps/rental_tiers?asOf=2025-05-20').expect(200);
    expect(may.body.time).toEqual({ asOf: '2025-05-20', scoringMonth: '2025-05-01' });
    const mayCells = new Map((may.body.cells as Cell[]).map((cell) => [cell.code, cell]));
    expect(mayCells.get(FIXTURE.gridWest)).toMatchObject({ value: 1, figures: { red: 1, yellow: 0, green: 0, star: 0, scored: 1 } });
    expect(mayCells.get(FIXTURE.gridEast)?.figures).toMatchObject({ yellow: 1, scored: 1 });
    const june = await cells(planner, '/api/heatmaps/rental_tiers?asOf=2025-06-15&tier=yellow&level=community');
    expect(june.get(FIXTURE.community)).toMatchObject({ value: 1, figures: { red: 0, yellow: 1, green: 0, star: 0, scored: 1 } });
    const hex = await planner.get('/api/heatmaps/rental_tiers?asOf=2025-06-15&tier=green&level=hex&resolution=9&bbox=114.19,22.69,114.23,22.73').expect(200);
    const northHex = latLngToCell(22.715, 114.21, 9);
    expect((hex.body.cells as Cell[]).find((cell) => cell.code === northHex)?.value).toBe(1);
    const april = await planner.get('/api/heatmaps/rental_tiers?asOf=2025-04-01').expect(200);
    expect(april.body.time.scoringMonth).toBeNull();
    expect((april.body.cells as Cell[]).every((cell) => cell.value === 0)).toBe(true);
  });
});

describe('hex and square cells', () => {
  const bbox = '114.19,22.69,114.23,22.73';

  it('bins buildings into H3 cells with the same counts as the grids', async () => {
    const response = await planner.get(`/api/heatmaps/floating_density?level=hex&resolution=9&asOf=2025-06-01&bbox=${bbox}`).expect(200);
    expect(response.body).toMatchObject({ level: 'hex', resolution: 9, computedFrom: 'residencies (direct count)' });
    const byCode = new Map((response.body.cells as Cell[]).map((cell) => [cell.code, cell]));
    // westHouse (114.203, 22.703) holds W1, W3, W4, W5, W6.
    const westHouseCell = byCode.get(latLngToCell(22.703, 114.203, 9));
    expect(westHouseCell?.figures).toEqual({ floating: 5 });
    expect(westHouseCell?.value).toBeCloseTo(5 / westHouseCell!.areaKm2, 0);
    const total = [...byCode.values()].reduce((sum, cell) => sum + (cell.figures?.floating ?? 0), 0);
    expect(total).toBe(7);
  });

  it('bins into ground squares of the requested size', async () => {
    const response = await planner.get(`/api/heatmaps/population?level=square&metres=1000&asOf=2025-06-01&bbox=${bbox}`).expect(200);
    const squares = response.body.cells as Cell[];
    expect(squares.every((cell) => cell.areaKm2 === 1 && cell.bounds?.length === 4)).toBe(true);
    // All 12 people of 06-01: West 7, East 4, North 1.
    expect(squares.reduce((sum, cell) => sum + (cell.value ?? 0), 0)).toBe(12);
    const westHouse = squares.find(
      (cell) => cell.bounds![0]! <= 114.203 && 114.203 < cell.bounds![2]! && cell.bounds![1]! <= 22.703 && 22.703 < cell.bounds![3]!,
    );
    expect(westHouse!.bounds![3]! - westHouse!.bounds![1]!).toBeCloseTo(1000 / 111195, 5);
  });

  it('bins case points', async () => {
    const response = await cells(planner, `/api/heatmaps/cases?level=hex&resolution=7&from=2025-01-01&to=2025-12-31&bbox=${bbox}`);
    // C1, C2, C3, C4, C6 (C5 has no grid or building).
    expect([...response.values()].reduce((sum, cell) => sum + (cell.value ?? 0), 0)).toBe(5);
  });

  it('requires a bbox, and a small one', async () => {
    const missing = await planner.get('/api/heatmaps/floating_density?level=hex').expect(400);
    expect(missing.body.error.details.fields[0].field).toBe('bbox');
    const large = await planner.get('/api/heatmaps/floating_density?level=square&bbox=113,22,115,23').expect(400);
    expect(large.body.error.details.fields[0].field).toBe('bbox');
  });
});

describe('legend breaks', () => {
  it('returns quantile and Jenks breaks over the returned values', async () => {
    // Population on 06-01 per grid: West 7, East 4, North 1.
    const response = await planner.get('/api/heatmaps/population?asOf=2025-06-01').expect(200);
    // Quantiles of [1, 4, 7] at 0, .2, …, 1: positions 0, .4, .8, 1.2, 1.6, 2.
    expect(response.body.breaks.quantile).toEqual([1, 2.2, 3.4, 4.6, 5.8, 7].map((value) => expect.closeTo(value, 9)));
    // Three distinct values: three classes {1}, {4}, {7}.
    expect(response.body.breaks.jenks).toEqual([1, 1, 4, 7]);
  });
});

describe('privacy and roles', () => {
  it('suppresses cells about fewer than k people for the leader, not for the planner', async () => {
    const response = await leader.get('/api/heatmaps/floating_density?asOf=2025-06-01').expect(200);
    expect(response.body.privacy).toEqual({ k: 5, applied: true, suppressedCells: 2 });
    const byCode = new Map((response.body.cells as Cell[]).map((cell) => [cell.code, cell]));
    // West has exactly 5 floating people: shown. East and North have 1: suppressed, no figures.
    expect(byCode.get(FIXTURE.gridWest)?.figures).toEqual({ floating: 5 });
    expect(byCode.get(FIXTURE.gridEast)).toEqual({ code: FIXTURE.gridEast, name: '东网格', areaKm2: expect.any(Number), suppressed: true });
    expect(byCode.get(ANALYTICS.northGrid)?.suppressed).toBe(true);
    // Breaks come from shown values only: one value v gives [v, v].
    const westValue = byCode.get(FIXTURE.gridWest)!.value;
    expect(response.body.breaks).toEqual({ quantile: [westValue, westValue], jenks: [westValue, westValue] });
    const planned = await planner.get('/api/heatmaps/floating_density?asOf=2025-06-01').expect(200);
    expect(planned.body.privacy).toEqual({ k: 5, applied: false, suppressedCells: 0 });
  });

  it('reads k from the privacy setting', async () => {
    await setPrivacyKByHand(t.handle.db, 6);
    try {
      const rates = await cells(leader, '/api/heatmaps/registration_rate?asOf=2025-06-01');
      expect(rates.get(FIXTURE.gridWest)?.suppressed).toBe(true);
      const community = await cells(leader, '/api/heatmaps/registration_rate?asOf=2025-06-01&level=community');
      expect(community.get(FIXTURE.community)).toMatchObject({ figures: { registered: 5, found: 6 } });
    } finally {
      await setPrivacyKByHand(t.handle.db, null);
    }
  });

  it('does not suppress figures that count no people', async () => {
    const response = await leader.get('/api/heatmaps/cases?from=2025-05-01&to=2025-05-31').expect(200);
    expect(response.body.privacy.applied).toBe(false);
    expect((response.body.cells as Cell[]).some((cell) => cell.suppressed)).toBe(false);
  });

  it('shows a collector only their own grids', async () => {
    const collector = await t.logIn('collector');
    const grids = await cells(collector, '/api/heatmaps/floating_density?asOf=2025-06-01');
    expect([...grids.keys()]).toEqual([FIXTURE.gridWest]);
    expect((await cells(collector, '/api/heatmaps/floating_density?level=street')).size).toBe(0);
    const hex = await cells(collector, '/api/heatmaps/population?level=hex&asOf=2025-06-01&bbox=114.19,22.69,114.23,22.73');
    expect([...hex.values()].reduce((sum, cell) => sum + (cell.value ?? 0), 0)).toBe(7);
  });

  it('lets police inside their jurisdiction read numbers, and refuses admin and auditor', async () => {
    const police = await t.logIn('police');
    expect((await cells(police, '/api/heatmaps/floating_density?asOf=2025-06-01')).size).toBe(3);
    for (const role of ['admin', 'auditor']) {
      const agent = await t.logIn(role);
      await agent.get('/api/heatmaps/floating_density').expect(403);
      await agent.get('/api/heatmaps').expect(403);
    }
  });
});

describe('validation and the catalogue', () => {
  it('names the bad field', async () => {
    const cases: [string, string][] = [
      ['/api/heatmaps/crime_rate', 'metric'],
      ['/api/heatmaps/population?level=county', 'level'],
      ['/api/heatmaps/population?asOf=2025-02-30', 'asOf'],
      ['/api/heatmaps/population?category=tourist', 'category'],
      ['/api/heatmaps/cases?from=2025-06-01&to=2025-05-01', 'from'],
      ['/api/heatmaps/floating_density?level=hex&resolution=15&bbox=114.19,22.69,114.23,22.73', 'resolution'],
      ['/api/heatmaps/floating_density?bbox=1,2,3', 'bbox'],
    ];
    for (const [url, field] of cases) {
      const response = await planner.get(url).expect(400);
      expect(
        response.body.error.details.fields.map((entry: { field: string }) => entry.field),
        url,
      ).toContain(field);
    }
  });

  it('lists the metrics with units and definitions', async () => {
    const response = await planner.get('/api/heatmaps').expect(200);
    expect(response.body.metrics.map((metric: { metric: string }) => metric.metric)).toEqual([
      'floating_density',
      'population',
      'cases',
      'rental_units',
      'rental_tiers',
      'registration_rate',
      'permit_rate',
    ]);
    expect(response.body.metrics[0]).toMatchObject({ label: '流动人口密度', unit: '人/km²' });
  });
});

describe('upkeep', () => {
  it('lets the admin recompute every statistic, audited, and nobody else', async () => {
    const admin = await t.logIn('admin');
    const response = await admin.post('/api/heatmaps/refresh', { historyFrom: ANALYTICS.historyFrom }).expect(200);
    expect(response.body).toMatchObject({ refreshed: true, keptDays: { from: ANALYTICS.historyFrom } });
    const audited = await t.handle.db.selectFrom('audit_log').select(['username', 'target_type']).where('action', '=', 'refresh').execute();
    expect(audited).toEqual([{ username: 'admin', target_type: 'grid_stats' }]);
    await planner.post('/api/heatmaps/refresh', {}).expect(403);
    const invalid = await admin.post('/api/heatmaps/refresh', { historyFrom: 'last year' }).expect(400);
    expect(invalid.body.error.details.fields[0].field).toBe('historyFrom');
    // The recomputation agrees with what the triggers kept.
    expect((await cells(planner, '/api/heatmaps/floating_density?asOf=2025-06-01')).get(FIXTURE.gridWest)?.figures).toEqual({ floating: 5 });
  });
});
