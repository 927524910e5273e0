import fs from 'node:fs';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason } from '../helpers/browser.ts';
import { parseCsv, readXlsx } from './support/files.ts';
import { expectCleanRun, mapReady, startJourney, type Journey } from './support/journey.ts';
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

  it('labels each legend class with the gaps it colours: every grid’s gap is named by the class of its colour', async () => {
    const { page } = journey;
    const checked = await page.evaluate(() => {
      const legend = [...document.querySelectorAll('[data-testid=shortage-legend] li')].map((item) => ({
        color: getComputedStyle(item.querySelector('.swatch')!).backgroundColor,
        label: item.textContent.trim(),
      }));
      return [...document.querySelectorAll('[data-testid=allocation-table] td[data-gap]')].map((cell) => ({
        gap: Number(cell.getAttribute('data-gap')),
        label: legend.find((entry) => entry.color === getComputedStyle(cell.querySelector('.chip')!).backgroundColor)?.label ?? 'no class of this colour',
      }));
    });
    expect(checked.length).toBeGreaterThan(0);
    for (const { gap, label } of checked) {
      if (gap === 0) {
        expect(label).toBe('持平');
        continue;
      }
      expect(label.startsWith(gap < 0 ? '缺' : '富余'), `${gap} in "${label}"`).toBe(true);
      const [low, high = low] = (label.match(/\d+/g) ?? []).map(Number);
      expect(Math.abs(gap), `${gap} in "${label}"`).toBeGreaterThanOrEqual(low!);
      expect(Math.abs(gap), `${gap} in "${label}"`).toBeLessThanOrEqual(high!);
    }
  });

  it('sorts the table by every column, both ways, saying so with aria-sort', async () => {
    const { page } = journey;
    const sortedBy = (column: string, direction: 'ascending' | 'descending') =>
      page
        .waitForFunction(
          ([key, order]) => {
            const header = document.querySelector(`[data-testid=sort-${key}]`)!.closest('th')!;
            if (header.getAttribute('aria-sort') !== order) return false;
            const index = [...header.parentElement!.children].indexOf(header);
            const values = [...document.querySelectorAll(`[data-testid=allocation-table] tbody tr td:nth-child(${index + 1})`)].map(
              (cell) => cell.getAttribute('data-value')!,
            );
            const compare = (a: string, b: string) => (key === 'code' ? a.localeCompare(b) : Number(a) - Number(b));
            return (
              values.length > 1 &&
              values.every((value, at) => at === 0 || (order === 'ascending' ? compare(values[at - 1]!, value) <= 0 : compare(values[at - 1]!, value) >= 0))
            );
          },
          [column, direction] as const,
        )
        .catch((error: Error) => {
          throw new Error(`table not sorted by ${column} ${direction}: ${error.message}`);
        });
    await sortedBy('gap', 'ascending');
    // Gap last: the table starts sorted by it, so a first click on it would reverse it.
    for (const column of ['code', 'floating', 'rentalHouses', 'need', 'fullTimeAssigned', 'gap']) {
      await page.click(`[data-testid=sort-${column}]`);
      await sortedBy(column, 'ascending');
      await page.click(`[data-testid=sort-${column}]`);
      await sortedBy(column, 'descending');
      const others = await page.$$eval(
        '[data-testid=allocation-table] th[aria-sort]',
        (headers, key) => headers.filter((header) => !header.querySelector(`[data-testid=sort-${key}]`)).map((header) => header.getAttribute('aria-sort')),
        column,
      );
      expect(new Set(others)).toEqual(new Set(['none']));
    }
    expect(new URL(page.url()).searchParams.get('sort')).toBe('-gap');
    await journey.shot('2-sorted');
  });

  it('shows how the picked grid’s community need was found and shared out to its grids', async () => {
    const { page } = journey;
    await page.locator('[data-testid=allocation-table] tbody tr button').first().click();
    const grid = new URL(page.url()).searchParams.get('area')!;
    const panel = page.locator('[data-testid=need-steps]');
    await panel.waitFor();
    const allocation = await page.evaluate(async () => (await fetch('/api/collectors/allocation?level=grid')).json());
    const community = allocation.communities.find((candidate: { code: string }) => grid.startsWith(candidate.code));
    const gridsOfCommunity = allocation.rows.filter((row: { code: string }) => row.code.startsWith(community.code));
    expect(gridsOfCommunity.reduce((sum: number, row: { need: number }) => sum + row.need, 0)).toBe(community.need);
    expect(await panel.locator('h3').textContent()).toContain(community.code);
    expect(await panel.locator('[data-testid=steps-need]').textContent()).toBe(`社区应配 ${community.need} 名专职协管员`);
    expect(await panel.locator('ol li[data-rule]').count()).toBe(community.ratios.length);
    expect(await panel.locator('tbody tr').count()).toBe(community.apportionment.shares.length);
    expect(await panel.locator(`tbody tr.selected`).getAttribute('data-code')).toBe(grid);
    await journey.shot('2b-need-steps');
  });

  it('tries a what-if ratio and gets a proposal of moves, drawn and listed', async () => {
    const { page } = journey;
    // The demo roster is close to the need (issue 15.7): rental houses decide it, so 1500 floating
    // people per collector changes nothing there, and the one short grid gets a collector from a neighbour.
    await page.fill('#what-if-floating', '1500');
    await page.fill('#what-if-rental', '50');
    await page.click('form.what-if button[type=submit]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('floating') === '1500');
    const proposal = await page.evaluate(async () => (await fetch('/api/collectors/rebalance?floatingPerCollector=1500&rentalHousesPerCollector=50')).json());
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

  it('says plainly that no move helps when a what-if ratio leaves no collector to spare', async () => {
    const { page } = journey;
    const none = await page.evaluate(async () => (await fetch('/api/collectors/rebalance?floatingPerCollector=1&rentalHousesPerCollector=1')).json());
    expect(none.moves, 'precondition: at one floating person per collector no move helps').toEqual([]);
    await page.fill('#what-if-floating', '1');
    await page.fill('#what-if-rental', '1');
    await page.click('form.what-if button[type=submit]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('floating') === '1');
    const panel = page.locator('[data-testid=proposal-none]');
    await panel.waitFor();
    const text = (await panel.textContent())!;
    expect(text).toMatch(/^没有可减少缺口的调配：/);
    expect(text).toContain(`缺员 ${none.summary.shortageBefore} 名`);
    await expect(page.locator('[data-testid=proposal]').textContent()).resolves.not.toMatch(/共 ?0 ?步/);
    await journey.shot('4-no-move-helps');
  });

  it('creates a read-only access token for QGIS on the account page, reads OGC with it, then revokes it', async () => {
    const { page } = journey;
    await page.click('nav a:has-text("我的账户")');
    await page.waitForSelector('[data-testid=account-page]');
    await expect(page.locator('[data-testid=time-zone-note]').count()).resolves.toBe(1);
    await page.fill('[data-testid=token-name]', '规划科 QGIS');
    await page.selectOption('[data-testid=token-days]', '30');
    await page.click('[data-testid=token-form] button[type=submit]');
    await page.waitForSelector('[data-testid=token-created]');
    const token = await page.inputValue('[data-testid=token-secret]');
    expect(token).toMatch(/^rw_/);
    await page.waitForSelector('[data-testid=token-table] tr[data-state=active]:has-text("规划科 QGIS")');
    await journey.shot('5-access-token');
    // What QGIS would send: the token only, no cookie.
    const withToken = () => fetch(`${journey.server.url}/ogc/collections/grids/items?limit=1`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await withToken()).status).toBe(200);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('[data-testid=token-table] tr:has-text("规划科 QGIS") button:has-text("吊销")');
    await page.waitForSelector('[data-testid=token-table] tr[data-state=revoked]:has-text("规划科 QGIS")');
    expect((await withToken()).status).toBe(401);
  });

  it('asked nothing of any other origin, threw no page errors and logged no console errors', () => {
    expectCleanRun(journey);
  });
});
