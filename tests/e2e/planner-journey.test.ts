import fs from 'node:fs';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason } from '../helpers/browser.ts';
import { parseCsv, readXlsx } from './support/files.ts';
import { mapReady, startJourney, type Journey } from './support/journey.ts';
import { waitForColouredMap } from './support/pixels.ts';

/**
 * The planner's day: the collector shortage map, a what-if ratio that frees a collector, the
 * proposed moves drawn as arrows and listed, and the plan exported as CSV and Excel.
 */
const unavailable = browserUnavailableReason();

async function download(page: Page, testId: string): Promise<{ name: string; content: Buffer }> {
  const [file] = (await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testId}]`)])) as [Download, void];
  const saved = await file.path();
  return { name: file.suggestedFilename(), content: fs.readFileSync(saved) };
}

interface ApiMove {
  step: number;
  from: { code: string };
  to: { code: string };
}

describe.skipIf(unavailable)('planner journey (headless Chromium, real server)', () => {
  let journey: Journey;
  let moves: ApiMove[];

  beforeAll(async () => {
    journey = await startJourney('planner');
  });
  afterAll(async () => journey?.close());

  it('logs in to the shortage map with its legend and the staffing table', async () => {
    const { page } = journey;
    await journey.logIn('planner');
    expect(new URL(page.url()).pathname).toBe('/allocation');
    await mapReady(page);
    await page.waitForSelector('[data-testid=shortage-legend]');
    await page.waitForSelector('[data-testid=allocation-table] tbody tr');
    await expect(page.locator('[data-testid=shortage-legend]').textContent()).resolves.toContain('缺');
    // Short grids are orange on the diverging scale: the map is drawn, not blank.
    const sample = await waitForColouredMap(page, 0.03);
    expect(sample.coloured).toBeGreaterThan(0);
    await journey.shot('1-shortage');
  });

  it('sorts the table by gap both ways', async () => {
    const { page } = journey;
    const gaps = () => page.$$eval('[data-testid=allocation-table] td[data-gap]', (cells) => cells.map((cell) => Number(cell.getAttribute('data-gap'))));
    const ascending = await gaps();
    expect(ascending).toEqual(ascending.toSorted((a, b) => a - b));
    await page.click('[data-testid=sort-gap]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('sort') === '-gap');
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('[data-testid=allocation-table] td[data-gap]')].map((cell) => Number(cell.getAttribute('data-gap')));
      return cells.length > 0 && cells.every((gap, index) => index === 0 || cells[index - 1]! >= gap);
    });
    await journey.shot('2-sorted');
  });

  it('tries a what-if ratio and gets a proposal of moves, drawn and listed', async () => {
    const { page } = journey;
    await page.fill('#what-if-floating', '1500');
    await page.fill('#what-if-rental', '200');
    await page.click('form.what-if button[type=submit]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('floating') === '1500');
    const proposal = await page.evaluate(async () => (await fetch('/api/collectors/rebalance?floatingPerCollector=1500&rentalHousesPerCollector=200')).json());
    moves = proposal.moves;
    expect(moves.length).toBeGreaterThan(0);
    await page.waitForFunction((count) => document.querySelectorAll('[data-testid=proposal] ol li').length === count, moves.length);
    await journey.shot('3-proposal');
  });

  it('downloads the plan as CSV: one row per proposed move', async () => {
    const { name, content } = await download(journey.page, 'export-csv');
    expect(name).toMatch(/\.csv$/);
    const rows = parseCsv(content.toString('utf8'));
    const [header, ...body] = rows.filter((row) => row.some((cell) => cell !== ''));
    expect(header).toContain('步骤');
    expect(body).toHaveLength(moves.length);
    const fromColumn = header!.indexOf('调出网格编码');
    const toColumn = header!.indexOf('调入网格编码');
    expect(body.map((row) => [row[fromColumn], row[toColumn]])).toEqual(moves.map((move) => [move.from.code, move.to.code]));
  });

  it('downloads the plan as Excel: moves, grids and the ratios used', async () => {
    const { name, content } = await download(journey.page, 'export-xlsx');
    expect(name).toMatch(/\.xlsx$/);
    const workbook = readXlsx(content);
    expect(workbook.sheetNames).toEqual(expect.arrayContaining(['调配方案', '网格配置', '配备参数']));
    const [, ...moveRows] = workbook.sheets.get('调配方案')!;
    expect(moveRows).toHaveLength(moves.length);
    expect(moveRows.map((row) => row[1])).toEqual(moves.map((move) => move.from.code));
    const settings = workbook.sheets.get('配备参数')!.map((row) => row.join('='));
    expect(settings.some((line) => line.endsWith('=1500'))).toBe(true);
  });

  it('asked nothing of any other origin and threw no page errors', () => {
    expect(journey.foreignRequests).toEqual([]);
    expect(journey.pageErrors).toEqual([]);
  });
});
