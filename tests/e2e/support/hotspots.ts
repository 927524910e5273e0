import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { formatChange, formatChangePct, formatP, formatZ } from '../../../web/src/lib/hotspots/hotspot-style.ts';

/**
 * Hot-spot steps shared by the leader's and the police officer's journeys (issue 21): what the
 * legend, tooltip and "what changed" list show is what the API answers the page's own session.
 */

interface ApiHotspots {
  classes: { class: number; cells: number }[];
  cells: { code: string; z?: number | null; p?: number | null; q?: number | null }[];
  privacy: { applied: boolean; suppressedCells: number };
}
interface ApiChanges {
  rows: {
    code: string;
    current: number;
    previous: number;
    change: number;
    changePct: number | null;
    p: number | null;
    q: number | null;
    significant: boolean;
  }[];
}

const fetchJson = <T>(page: Page, path: string): Promise<T> => page.evaluate(async (wanted) => (await fetch(wanted)).json(), path) as Promise<T>;

/** The legend lists the seven Gi* classes with the API's counts (and the withheld cells when any are). */
export async function expectLegendCountsOfApi(page: Page, query: string): Promise<ApiHotspots> {
  await page.waitForSelector('[data-testid=hotspot-legend][data-kind=gi]', { timeout: 60_000 });
  const answer = await fetchJson<ApiHotspots>(page, `/api/hotspots?${query}`);
  const shown = await page.$$eval('[data-testid=hotspot-legend] li[data-class]', (items) =>
    items.map((item) => [item.getAttribute('data-class'), item.querySelector('.count')?.textContent?.trim()]),
  );
  const expected = answer.classes.map((entry) => [String(entry.class), String(entry.cells)]);
  if (answer.privacy.applied) expected.push(['suppressed', String(answer.privacy.suppressedCells)]);
  expect(shown).toEqual(expected);
  // Withheld cells are hatched on the map, and so is their legend swatch (not a grey a class could have).
  if (answer.privacy.applied) {
    await expect(page.locator('[data-testid=hotspot-legend] li[data-class=suppressed] .swatch').getAttribute('data-pattern')).resolves.toBe('hatch');
  }
  return answer;
}

/** Moves the pointer over the map until the tooltip names a scored cell; its z, p and q are the API's. */
export async function expectTooltipOfApi(page: Page, answer: ApiHotspots): Promise<string> {
  const scored = new Map(answer.cells.filter((cell) => cell.z != null).map((cell) => [cell.code, cell]));
  expect(scored.size).toBeGreaterThan(0);
  const frame = (await page.locator('[data-testid=map-frame]').boundingBox())!;
  const tooltip = page.locator('[data-testid=hotspot-tooltip]');
  let step = 0;
  await expect
    .poll(
      async () => {
        // Points spread over the middle of the map; deck.gl picks once its layer is ready.
        const [dx, dy] = [((step % 5) - 2) * 0.12, ((Math.floor(step / 5) % 5) - 2) * 0.12];
        step += 1;
        await page.mouse.move(frame.x + frame.width * (0.5 + dx), frame.y + frame.height * (0.5 + dy));
        await page.waitForTimeout(150);
        if (!(await tooltip.isVisible())) return false;
        return scored.has((await tooltip.getAttribute('data-code')) ?? '');
      },
      { timeout: 30_000, interval: 300 },
    )
    .toBe(true);
  const cell = scored.get((await tooltip.getAttribute('data-code'))!)!;
  await expect(tooltip.locator('[data-testid=hotspot-z]').textContent()).resolves.toBe(formatZ(cell.z));
  await expect(tooltip.locator('[data-testid=hotspot-p]').textContent()).resolves.toBe(formatP(cell.p));
  await expect(tooltip.locator('[data-testid=hotspot-q]').textContent()).resolves.toBe(formatP(cell.q));
  return cell.code;
}

/** The list's first row is the API's first; a click moves the map onto that grid and outlines it. */
export async function expectChangesOfApi(page: Page, query: string): Promise<void> {
  const answer = await fetchJson<ApiChanges>(page, `/api/hotspots/changes?${query}`);
  expect(answer.rows.length).toBeGreaterThan(0);
  const first = answer.rows[0]!;
  const row = page.locator('[data-testid=changes-panel] tbody tr').first();
  await row.waitFor({ timeout: 60_000 });
  const number = (text: string | null) => Number((text ?? '').replace(/,/g, ''));
  await expect(row.getAttribute('data-code')).resolves.toBe(first.code);
  expect(number(await row.locator('[data-field=current]').textContent())).toBe(first.current);
  expect(number(await row.locator('[data-field=previous]').textContent())).toBe(first.previous);
  await expect(row.locator('[data-field=change]').textContent()).resolves.toBe(formatChange(first.change));
  await expect(row.locator('[data-field=changePct]').textContent()).resolves.toBe(formatChangePct(first.changePct));
  await expect(row.locator('[data-field=q]').textContent()).resolves.toBe(formatP(first.q ?? first.p));
  await expect(row.locator('[data-field=significant]').textContent()).resolves.toBe(first.significant ? '★' : '');

  const grids = await fetchJson<{ features: { properties: { code: string }; geometry: { coordinates: unknown[] } }[] }>(page, '/api/areas?level=grid');
  const grid = grids.features.find((feature) => feature.properties.code === first.code)!;
  // Two-dimensional positions, flattened: longitude, latitude, longitude, …
  const flat = grid.geometry.coordinates.flat(Infinity) as number[];
  const lons = flat.filter((_, index) => index % 2 === 0);
  const lats = flat.filter((_, index) => index % 2 === 1);
  const [west, east, south, north] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  await row.locator('button').click();
  // The camera (c=lon,lat in the URL) comes to rest on the grid, which the URL names as the spot.
  await page.waitForFunction(
    ({ code, west, east, south, north }) => {
      const params = new URL(location.href).searchParams;
      const [lon, lat] = (params.get('c') ?? '').split(',').map(Number) as [number, number];
      return params.get('spot') === code && lon >= west && lon <= east && lat >= south && lat <= north;
    },
    { code: first.code, west, east, south, north },
    { timeout: 30_000 },
  );
  await expect(row.getAttribute('class')).resolves.toContain('selected');
}
