import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason } from '../helpers/browser.ts';
import { defined } from '../helpers/defined.ts';
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
      drawnLevels: [...new Set(drawn.map((feature) => feature.properties.level as string | undefined))],
    };
  });

describe.skipIf(unavailable)('leader heatmap: values only, MapLibre fill by feature state (headless Chromium)', () => {
  let journey: Journey;
  const requested: string[] = [];
  /** Every request of the visit, for what it must not fetch. */
  const visited: string[] = [];
  /** Tile requests (MapLibre's worker makes them: they are not in the page's resource timing). */
  const tileRequests: Request[] = [];
  let workerScript: Request | undefined;
  let mapConfig: Request | undefined;

  beforeAll(async () => {
    journey = await startJourney('leader-values');
    // When the map has loaded and placed its first view (MapView's data-ready), on the page's own clock.
    await journey.page.addInitScript(() => {
      new MutationObserver(() => {
        const ready = document.querySelector('[data-testid=map-frame][data-ready=true]');
        const page = window as unknown as { mapReadyAt?: number };
        if (ready && page.mapReadyAt === undefined) page.mapReadyAt = performance.now();
      }).observe(document, { subtree: true, attributes: true, childList: true, attributeFilter: ['data-ready'] });
    });
    journey.page.on('request', (request) => {
      visited.push(request.url());
      if (new URL(request.url()).pathname.startsWith('/tiles/')) tileRequests.push(request);
      if (/maplibre-gl-worker[^/]*\.m?js$/.test(new URL(request.url()).pathname)) workerScript = request;
      if (new URL(request.url()).pathname === '/api/map-config') mapConfig = request;
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
    // Each map asked once: the first view's zoom moving from the fitted value to the URL's rounded
    // one as the map started sent the same request again, which the server computed twice.
    const urls = asked.map(String);
    expect(urls).toEqual([...new Set(urls)]);
  });

  it('paints from vector tiles: no GeoJSON of the grids, communities or streets is fetched', async () => {
    const { page } = journey;
    const areaLevels = visited.map((address) => new URL(address)).filter((address) => address.pathname === '/api/areas');
    expect(areaLevels.length).toBeGreaterThan(0);
    // The district's outline (small) places the first view; the finer levels' boundaries are tiles.
    expect(areaLevels.map((address) => address.searchParams.get('level'))).toEqual(['district']);
    expect(visited.some((address) => new URL(address).pathname.startsWith('/tiles/areas/'))).toBe(true);
    expect(visited.some((address) => new URL(address).pathname.startsWith('/tiles/grids/'))).toBe(true);
    const source = await fillSource(page);
    expect(source).toMatchObject({ type: 'vector', sourceLayer: 'grids', drawnLayers: ['grids'] });
    expect(source?.tiles[0]).toMatch(/\/tiles\/grids\/\{z\}\/\{x\}\/\{y\}\.mvt$/);
  });

  it("asks for the first view's tiles while the map starts, not once it has loaded", async () => {
    // The visit above named no camera: the view fitted to the district is placed on the map as soon
    // as it exists (issue 18), not at `load` (before which the map sits at zoom 0, where no tiles are).
    // Both on the wall clock: the request's start as Chromium timed it, the page's ready mark from its time origin.
    const mapReadyAt = await journey.page.evaluate(() => performance.timeOrigin + ((window as unknown as { mapReadyAt?: number }).mapReadyAt ?? NaN));
    const asked = tileRequests.map((request) => request.timing().startTime).filter((startTime) => startTime > 0);
    expect(asked.length).toBeGreaterThan(0);
    expect(Math.min(...asked)).toBeLessThan(mapReadyAt);
  });

  it("asks for MapLibre's worker script as the page loads, not after /api/map-config has answered", async () => {
    // Every tile is fetched by a worker: started with the map, it waited for the map's basemap config (issue 18).
    const worker = defined(workerScript, "MapLibre's worker script request");
    const config = defined(mapConfig, 'the /api/map-config request');
    expect(worker.timing().startTime).toBeLessThan(config.timing().startTime + config.timing().responseEnd);
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

  it('shows communities, then streets, at city zoom, where grids would be specks, and grids again zoomed in', async () => {
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

    // Wider still, communities (~600 m) would be specks too: their streets are drawn.
    const streets = valuesOf('street');
    await jumpTo(9);
    await streets;
    await page.getByText(/现按街道显示|shown by Street/).waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await fillSource(page))?.drawnLevels, { timeout: 30_000 }).toEqual(['street']);

    const grids = valuesOf('grid');
    await jumpTo(13);
    await grids;
    await expect.poll(async () => (await fillSource(page))?.sourceLayer, { timeout: 30_000 }).toBe('grids');
    await expect(page.getByText(/放大后显示网格|Zoom in to see grids/).count()).resolves.toBe(0);
  });

  it("draws the community boundaries from the area tiles and names a cell's community and the breadcrumb's areas", async () => {
    const { page } = journey;
    const drawnBoundaries = () =>
      page.evaluate(() => {
        const map = (document.querySelector('.maplibregl-map') as (Element & { maplibreMap?: import('maplibre-gl').Map }) | null)?.maplibreMap;
        const drawn = map?.queryRenderedFeatures({ layers: ['community-line'] }) ?? [];
        return {
          count: drawn.length,
          sources: [...new Set(drawn.map((feature) => feature.source))],
          levels: [...new Set(drawn.map((feature) => feature.properties.level))],
        };
      });
    await expect.poll(async () => (await drawnBoundaries()).count, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await drawnBoundaries()).toMatchObject({ sources: ['area-tiles'], levels: ['community'] });

    const names = (await page.evaluate(async () => {
      const ofLevel = async (level: string) => (await (await fetch(`/api/heatmaps/cells?level=${level}`)).json()) as { codes: string[]; names: string[] };
      const [district, street, community, grid] = await Promise.all(['district', 'street', 'community', 'grid'].map(ofLevel));
      return Object.fromEntries([district!, street!, community!, grid!].flatMap(({ codes, names }) => codes.map((code, index) => [code, names[index]])));
    })) as Record<string, string>;
    // A grid's tooltip names its community (the grid's code begins with the community's 12 digits).
    const tooltip = await hoverMapMiddle(page);
    await expect(tooltip.locator('.parent').textContent()).resolves.toMatch(/\S/);
    const parent = await tooltip.locator('.parent').textContent();
    const hoveredName = await tooltip.locator('strong').textContent();
    const grid = Object.entries(names).find(([code, name]) => code.length === 14 && name === hoveredName);
    expect(grid).toBeDefined();
    expect(parent).toBe(names[grid![0].slice(0, 12)]);

    // The breadcrumb names the district, street, community and grid a ranking row leads to.
    await page.locator('[data-testid=cell-ranking] button').first().click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('area')?.length === 14);
    const chosen = new URL(page.url()).searchParams.get('area')!;
    const expected = [6, 9, 12, 14].map((length) => names[chosen.slice(0, length)]);
    await expect.poll(() => page.locator('nav.crumbs li > :first-child').allTextContents(), { timeout: 15_000 }).toEqual(expected);
    await journey.shot('4-breadcrumb');
  });

  it('asks for the heatmap values of the first view while the map starts, not once it has loaded', async () => {
    const { page } = journey;
    // A link to city zoom: the first view draws communities, and that is the first thing asked for.
    const center = await page.evaluate(() =>
      (document.querySelector('.maplibregl-map') as (Element & { maplibreMap?: import('maplibre-gl').Map }) | null)?.maplibreMap?.getCenter().toArray(),
    );
    const order: string[] = [];
    // The KPI cards and the changes list are asked only once the map's values are in (they held them back).
    const sequence: string[] = [];
    const record = (request: import('playwright-core').Request) => {
      if (request.url().includes('shape=values')) order.push(new URL(request.url()).searchParams.get('level') ?? '');
      if (/\/api\/(kpis|hotspots\/changes)\?/.test(request.url())) sequence.push('secondary asked');
    };
    const finished = (request: import('playwright-core').Request) => {
      if (request.url().includes('shape=values')) sequence.push('values in');
    };
    page.on('request', record);
    page.on('requestfinished', finished);
    const kpisAnswered = page.waitForResponse((response) => response.url().includes('/api/kpis?'), { timeout: 60_000 });
    await page.goto(`${journey.server.url}/overview?z=10.00&c=${center!.map((value) => value.toFixed(5)).join(',')}`);
    await mapReady(page);
    await page.waitForSelector('[data-testid=heatmap-legend]');
    await kpisAnswered;
    page.off('request', record);
    page.off('requestfinished', finished);
    expect(order).toEqual(['community']);
    expect(sequence[0]).toBe('values in');
    expect(sequence.filter((event) => event === 'secondary asked')).toHaveLength(2);
    const timing = await page.evaluate(() => ({
      mapReadyAt: (window as unknown as { mapReadyAt?: number }).mapReadyAt,
      valuesAskedAt: performance.getEntriesByType('resource').find((entry) => entry.name.includes('shape=values'))?.startTime,
    }));
    expect(timing.mapReadyAt).toBeGreaterThan(0);
    expect(timing.valuesAskedAt).toBeLessThan(timing.mapReadyAt!);
  });

  it('lists the first 100 areas of a large heatmap, and all of them when asked', async () => {
    const { page } = journey;
    // A city larger than the demo's 8 grids: the grid list and values answers carry 150 more cells (codes no tile holds).
    const added = Array.from({ length: 150 }, (_, index) => `4403079990${String(index).padStart(4, '0')}`);
    const isGridAnswer = (address: URL) =>
      address.pathname.startsWith('/api/heatmaps/') &&
      address.searchParams.get('level') === 'grid' &&
      (address.pathname === '/api/heatmaps/cells' || address.searchParams.get('shape') === 'values');
    await page.route(isGridAnswer, async (route) => {
      const { 'if-none-match': _asked, ...headers } = route.request().headers();
      const response = await route.fetch({ headers });
      const body = await response.json();
      if (new URL(route.request().url()).pathname === '/api/heatmaps/cells') {
        body.codes.push(...added);
        body.names.push(...added.map((_, index) => `外加网格${index}`));
      } else {
        body.values.push(...added.map((_, index) => index));
      }
      await route.fulfill({ response, json: body });
    });
    const center = new URL(page.url()).searchParams.get('c');
    await page.goto(`${journey.server.url}/overview?z=13.00&c=${center}`);
    await page.waitForSelector('[data-testid=heatmap-legend]');
    const rows = page.locator('[data-testid=cell-ranking] tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(100);
    const showAll = page.locator('[data-testid=ranking-show-all]');
    await expect(showAll.textContent()).resolves.toContain('158');
    await showAll.click();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(158);
    await expect(showAll.count()).resolves.toBe(0);
    await page.unroute(isGridAnswer);
  });

  it('ran clean', () => {
    expectCleanRun(journey);
  });
});
