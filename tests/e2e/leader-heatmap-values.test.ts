import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason } from '../helpers/browser.ts';
import { classIndex } from '../../web/src/lib/map/scales.ts';
import { expectCleanRun, hoverMapMiddle, mapReady, startJourney, type Journey } from './support/journey.ts';
import { waitForColouredMap } from './support/pixels.ts';

/**
 * Issue 18, the web half: the leader's heatmap is MapLibre's own fill layer on the grid
 * boundaries, coloured by feature state from a values-only answer. Moving the time slider costs
 * a `shape=values` request and feature-state updates: no full `cells` answer, no new polygons.
 */
const unavailable = browserUnavailableReason();

interface ValuesAnswer {
  order: string;
  values: (number | null)[];
  suppressed: number[];
  breaks: { jenks: number[] };
}
interface CellOrder {
  order: string;
  codes: string[];
}

/** The heatmap requests for a metric the page made (the cell list and a tooltip's one-cell figures apart). */
const metricRequests = (urls: string[]) =>
  urls
    .map((address) => new URL(address))
    .filter((address) => /^\/api\/heatmaps\/(?!cells$)[a-z_]+$/.test(address.pathname) && !address.searchParams.has('bbox'));

/** What the live map holds for one grid: its feature state, and whether the heatmap layer drew it. */
const drawnGrid = (page: Page, code: string) =>
  page.evaluate((wanted) => {
    const map = (document.querySelector('.maplibregl-map') as (Element & { maplibreMap?: import('maplibre-gl').Map }) | null)?.maplibreMap;
    if (!map?.getLayer('heatmap-fill')) return undefined;
    const rendered = map.queryRenderedFeatures({ layers: ['heatmap-fill'] }).filter((feature) => feature.properties.code === wanted);
    const colours = map.getPaintProperty('heatmap-fill', 'fill-color') as unknown[];
    const layer = map.getLayer('heatmap-fill')!;
    const state = map.getFeatureState({ source: layer.source, sourceLayer: layer.sourceLayer, id: wanted });
    return { state, rendered: rendered.length, colours };
  }, code);

/** The colour the fill expression (['match', class, -1, grey, 0, c0, 1, c1, …, none]) gives a class. */
function colourOfClass(expression: unknown[], cls: number): string | undefined {
  for (let index = 2; index + 1 < expression.length; index += 2) {
    if (expression[index] === cls) return String(expression[index + 1]);
  }
  return undefined;
}

/** `#rrggbb` as the rgb() text a computed style gives. */
const rgbOf = (hex: string) => {
  const value = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255})`;
};

/** Where the heatmap's fill layer takes its cells from, and the source layer of the features it drew. */
const fillSource = (page: Page) =>
  page.evaluate(() => {
    const map = (document.querySelector('.maplibregl-map') as (Element & { maplibreMap?: import('maplibre-gl').Map }) | null)?.maplibreMap;
    const layer = map?.getLayer('heatmap-fill');
    if (!map || !layer) return undefined;
    const source = map.getSource(layer.source)?.serialize() as { type: string; tiles?: string[] };
    const drawn = map.queryRenderedFeatures({ layers: ['heatmap-fill'] });
    return {
      type: source.type,
      tiles: source.tiles ?? [],
      sourceLayer: layer.sourceLayer,
      drawnLayers: [...new Set(drawn.map((feature) => feature.sourceLayer))],
    };
  });

describe.skipIf(unavailable)('leader heatmap: values only, MapLibre fill by feature state (headless Chromium)', () => {
  let journey: Journey;
  const requested: string[] = [];
  /** Every request of the visit, for what it must not fetch. */
  const visited: string[] = [];

  beforeAll(async () => {
    journey = await startJourney('leader-values');
    journey.page.on('request', (request) => {
      visited.push(request.url());
      if (request.url().includes('/api/heatmaps')) requested.push(request.url());
    });
  });
  afterAll(async () => journey?.close());

  it('draws the first heatmap from a values answer and the grid list', async () => {
    const { page } = journey;
    await journey.logIn('leader');
    await mapReady(page);
    await page.waitForSelector('[data-testid=heatmap-legend]');
    const sample = await waitForColouredMap(page, 0.3);
    expect(sample.coloured / sample.total).toBeGreaterThan(0.3);
    const asked = metricRequests(requested);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((address) => address.searchParams.get('shape') === 'values')).toBe(true);
    expect(requested.some((address) => new URL(address).pathname === '/api/heatmaps/cells')).toBe(true);
  });

  it('paints the grids from vector tiles: no GeoJSON of the whole level is fetched', async () => {
    const { page } = journey;
    const areaLevels = visited.map((address) => new URL(address)).filter((address) => address.pathname === '/api/areas');
    expect(areaLevels.length).toBeGreaterThan(0);
    expect(areaLevels.map((address) => address.searchParams.get('level'))).not.toContain('grid');
    expect(visited.some((address) => new URL(address).pathname.startsWith('/tiles/grids/'))).toBe(true);
    const source = await fillSource(page);
    expect(source).toMatchObject({ type: 'vector', sourceLayer: 'grids', drawnLayers: ['grids'] });
    expect(source?.tiles[0]).toMatch(/\/tiles\/grids\/\{z\}\/\{x\}\/\{y\}\.mvt$/);
  });

  it('moves the slider back a month: one values request, no cells answer, a known grid coloured as its legend class', async () => {
    const { page } = journey;
    requested.length = 0;
    const answered = page.waitForResponse((response) => response.url().includes('/api/heatmaps/') && response.url().includes('shape=values'), {
      timeout: 60_000,
    });
    await page.locator('[data-testid=time-slider]').focus();
    await page.keyboard.press('ArrowLeft');
    const answer = (await (await answered).json()) as ValuesAnswer;
    await page.waitForSelector('[data-testid=heatmap-legend]');
    const asked = metricRequests(requested);
    expect(asked.map((address) => address.searchParams.get('shape'))).toEqual(['values']);
    expect(asked[0]!.searchParams.get('asOf')).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    const cells = (await page.evaluate(async () => (await fetch('/api/heatmaps/cells?level=grid')).json())) as CellOrder;
    expect(cells.order).toBe(answer.order);
    // The grid with the largest value: the darkest class, drawn in the legend's darkest colour.
    const withheld = new Set(answer.suppressed);
    const index = answer.values.reduce<number>(
      (best, value, at) => (value != null && !withheld.has(at) && (best < 0 || value > answer.values[best]!) ? at : best),
      -1,
    );
    expect(index).toBeGreaterThanOrEqual(0);
    const code = cells.codes[index]!;
    const expected = classIndex(answer.values[index]!, answer.breaks.jenks);
    await expect.poll(async () => (await drawnGrid(page, code))?.state.class, { timeout: 30_000 }).toBe(expected);
    const drawn = (await drawnGrid(page, code))!;
    expect(drawn.rendered).toBeGreaterThan(0);
    const swatches = await page.$$eval('[data-testid=heatmap-legend] li .swatch', (items) => items.map((item) => getComputedStyle(item).backgroundColor));
    expect(rgbOf(colourOfClass(drawn.colours, expected)!)).toBe(swatches[expected]);
    // Withheld grids (fewer than k people) carry the withheld class, drawn grey as the legend says.
    for (const at of answer.suppressed.slice(0, 3)) expect((await drawnGrid(page, cells.codes[at]!))?.state.class).toBe(-1);
    await journey.shot('1-previous-month');
  });

  it('hovers a grid: the tooltip names it and gives its value and figures', async () => {
    const { page } = journey;
    const tooltip = await hoverMapMiddle(page);
    await expect(tooltip.textContent()).resolves.toMatch(/\d[\d,.]* 人\/km²/);
    // The figures come from a one-cell question (bbox of the hovered grid), never the whole map's cells.
    await expect.poll(() => tooltip.locator('dl').count(), { timeout: 15_000 }).toBe(1);
    expect(metricRequests(requested).every((address) => address.searchParams.get('shape') === 'values')).toBe(true);
    await journey.shot('2-tooltip');
  });

  it('shows communities at city zoom, where grids would be specks, and grids again zoomed in', async () => {
    const { page } = journey;
    const jumpTo = (zoom: number) =>
      page.evaluate((wanted) => {
        const map = (document.querySelector('.maplibregl-map') as (Element & { maplibreMap?: import('maplibre-gl').Map }) | null)?.maplibreMap;
        map?.jumpTo({ zoom: wanted });
      }, zoom);
    const valuesOf = (level: string) =>
      page.waitForResponse((response) => response.url().includes('shape=values') && new URL(response.url()).searchParams.get('level') === level, {
        timeout: 60_000,
      });

    const communities = valuesOf('community');
    await jumpTo(10);
    await communities;
    await page.getByText(/放大后显示网格|Zoom in to see grids/).waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await fillSource(page))?.sourceLayer, { timeout: 30_000 }).toBe('areas');
    expect(new URL(page.url()).searchParams.get('level') ?? 'grid').toBe('grid');
    await page.waitForSelector('[data-testid=heatmap-legend]');
    await journey.shot('3-city-zoom-communities');

    const grids = valuesOf('grid');
    await jumpTo(13);
    await grids;
    await expect.poll(async () => (await fillSource(page))?.sourceLayer, { timeout: 30_000 }).toBe('grids');
    await expect(page.getByText(/放大后显示网格|Zoom in to see grids/).count()).resolves.toBe(0);
  });

  it('ran clean', () => {
    expectCleanRun(journey);
  });
});
