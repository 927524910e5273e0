import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { classBreaks } from '../../server/domain/class-breaks.ts';
import { monthWindows } from '../../server/domain/period-breaks.ts';
import { chinaToday } from '../../server/domain/calendar.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { insertAnalyticsCity } from '../helpers/analytics-fixture.ts';
import { insertUser } from '../helpers/fixture-city.ts';
import { warmKeptFigures } from '../../server/heatmaps/routes.ts';
import { monthEndStoreOf } from '../../server/heatmaps/service.ts';

/**
 * Issue 16.4: legend classes fixed over the slider's period (breaksFrom), so that 2024-12 and
 * 2025-06 are coloured on one scale; checked against the breaks of every month's own map pooled.
 */
let t: TestApp;
let planner: LoggedIn;

interface Heatmap {
  cells: { value?: number | null }[];
  breaks: { quantile: number[]; jenks: number[] };
  breaksOver: { from: string; to: string; months: number } | null;
}

/** The first day of the month 35 months before today's: the slider's 36 months. */
function sliderStart(today: string): string {
  const index = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - 1 - 35;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

beforeAll(async () => {
  t = await startTestApp();
  await insertAnalyticsCity(t.handle.db);
  await insertUser(t.handle.db, 'planner', 'planner');
  planner = await t.logIn('planner');
});
afterAll(async () => t?.close());

const heatmap = async (query: string): Promise<Heatmap> => (await planner.get(`/api/heatmaps/${query}`).expect(200)).body;
const values = (map: Heatmap) => map.cells.flatMap((cell) => (typeof cell.value === 'number' ? [cell.value] : []));

describe('breaks fixed over the period', () => {
  it("are read from month-ends the server computes as it starts (the leader home's first map)", async () => {
    const months = monthEndStoreOf(t.context.db);
    expect(months.keptDays()).toEqual([]);
    await warmKeptFigures(t.context);
    await months.settled();
    expect(months.keptDays()).toHaveLength(36);
    months.stop();
  });

  it('are computed after the kept days are extended, when the server starts on a new day', async () => {
    // As if the server had been down since yesterday: the kept days end the day before today.
    await sql`DELETE FROM grid_population_daily WHERE day = (SELECT last_day FROM grid_population_window)`.execute(t.handle.db);
    await sql`UPDATE grid_population_window SET last_day = last_day - 1`.execute(t.handle.db);
    const months = monthEndStoreOf(t.context.db);
    // Past the rest after the computation above (KEPT_FIGURES_PACE).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
    try {
      await warmKeptFigures(t.context);
      await months.settled();
      // The day's first map: had it extended the kept days (a write), the months kept would be stale.
      await heatmap('population?level=grid');
      expect(await months.holdsVersionOf(t.context.db)).toBe(true);
    } finally {
      vi.useRealTimers();
      months.stop();
    }
  });

  it("gives two months the same legend, equal to the breaks of every month's own map pooled", async () => {
    const today = chinaToday();
    const from = sliderStart(today);
    const december = await heatmap(`population?level=grid&asOf=2024-12-31&breaksFrom=${from}`);
    const june = await heatmap(`population?level=grid&asOf=2025-06-30&breaksFrom=${from}`);
    expect(december.breaks).toEqual(june.breaks);
    expect(december.breaksOver).toEqual({ from, to: today, months: 36 });
    // Independently: each month's map as of its last day, its values pooled.
    const pooled: number[] = [];
    for (const window of monthWindows(from, today)) pooled.push(...values(await heatmap(`population?level=grid&asOf=${window.to}`)));
    expect(december.breaks).toEqual(classBreaks(pooled));
  });

  it('leaves each month its own breaks when not asked, and says so', async () => {
    const december = await heatmap('population?level=grid&asOf=2024-12-31');
    const june = await heatmap('population?level=grid&asOf=2025-06-30');
    expect(december.breaksOver).toBeNull();
    // West 3 people, East 3 in December; West 7, East 4 in June: the legends differ.
    expect(december.breaks.jenks).not.toEqual(june.breaks.jenks);
    expect(december.breaks).toEqual(classBreaks(values(december)));
  });

  it('pools the cases of each calendar month', async () => {
    const today = chinaToday();
    const from = sliderStart(today);
    const fixed = await heatmap(`cases?level=grid&from=2025-05-01&to=2025-05-31&breaksFrom=${from}`);
    const pooled: number[] = [];
    for (const window of monthWindows(from, today)) pooled.push(...values(await heatmap(`cases?level=grid&from=${window.from}&to=${window.to}`)));
    expect(fixed.breaks).toEqual(classBreaks(pooled));
  });

  it('names breaksFrom when the period is too long, in the future or asked of hexagons', async () => {
    const tooLong = await planner.get('/api/heatmaps/population?level=grid&breaksFrom=2000-01-01').expect(400);
    expect(tooLong.body.error.details.fields[0].field).toBe('breaksFrom');
    const future = await planner.get('/api/heatmaps/population?level=grid&breaksFrom=2999-01-01').expect(400);
    expect(future.body.error.details.fields[0].field).toBe('breaksFrom');
    const hex = await planner.get(`/api/heatmaps/population?level=hex&bbox=114.2,22.7,114.21,22.71&breaksFrom=${sliderStart(chinaToday())}`).expect(400);
    expect(hex.body.error.details.fields[0].field).toBe('breaksFrom');
    const notADate = await planner.get('/api/heatmaps/population?level=grid&breaksFrom=2025-02-30').expect(400);
    expect(notADate.body.error.details.fields[0].field).toBe('breaksFrom');
  });
});
