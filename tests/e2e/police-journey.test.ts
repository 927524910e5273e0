import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, chinaToday } from '../../server/domain/calendar.ts';
import { browserUnavailableReason } from '../helpers/browser.ts';
import { apiAs } from './support/api.ts';
import { expectPanelsApart } from './support/calm.ts';
import { expectCleanRun, mapReady, startJourney, type Journey } from './support/journey.ts';
import { expectChangesOfApi, expectLegendCountsOfApi, expectTooltipOfApi } from './support/hotspots.ts';

/**
 * The police officer's day: state why they look, find a person by ID number, open the building
 * they live in floor by floor, open their unit and see who lives there — and every look at a
 * person is in the audit log with that purpose.
 */
const unavailable = browserUnavailableReason();
const PURPOSE = '日常核查';

interface Resident {
  personId: number;
  idNumber: string;
  name: string;
  unitCode: string;
}

describe.skipIf(unavailable)('police journey (headless Chromium, real server)', () => {
  let journey: Journey;
  let resident: Resident;
  /** The compound opened from the list of those in view. */
  let compoundCode: string;

  beforeAll(async () => {
    journey = await startJourney('police');
    // The monthly rental scoring an administrator runs, so the map shows tiers.
    const admin = await apiAs(journey.server.url, 'admin');
    const month = chinaToday().slice(0, 7); // the city's month, not UTC's (they differ after 16:00 UTC on a month's last day)
    await admin('POST', '/api/rentals/scores/run', { from: month, to: month });
    // Someone living in a rented unit that has neighbours on its floor.
    const found = await sql<Resident>`
      SELECT p.id AS "personId", p.id_number AS "idNumber", p.name, r.unit_code AS "unitCode"
      FROM residencies r JOIN persons p ON p.id = r.person_id JOIN units u ON u.code = r.unit_code
      WHERE r.moved_out IS NULL AND u.use = 'rented' AND p.id_type = 'id_card'
      ORDER BY r.unit_code, p.id LIMIT 1`.execute(journey.server.handle.db);
    resident = found.rows[0]!;
    expect(resident).toBeDefined();
  });
  afterAll(async () => journey?.close());

  it('logs in to the police map: case heat (or, for a view too large, a hint in Chinese), tiers and their legends', async () => {
    const { page } = journey;
    await journey.logIn('police');
    expect(new URL(page.url()).pathname).toBe('/police');
    await mapReady(page);
    await page.waitForSelector('[data-testid=tier-legend]');
    await expect(page.locator('[data-testid=tier-legend]').textContent()).resolves.toMatch(/◆.*▲.*●.*★/s);
    // Issue 16: a view larger than the server counts case heat for says "zoom in" in the user's
    // language, never the server's refusal (shot() fails on any error banner, the end on any console error).
    await page.waitForSelector('[data-testid=case-legend], .status-empty:has-text("放大后显示案件热力")');
    await journey.shot('1-map');
    for (let zoomIns = 0; zoomIns < 3 && !(await page.locator('[data-testid=case-legend]').isVisible()); zoomIns += 1) {
      await page.click('.maplibregl-ctrl-zoom-in');
      await page.waitForTimeout(800);
    }
    await page.waitForSelector('[data-testid=case-legend]');
    // Issue 16.5: the default case view is a year up to today, never a near-empty month, and the legend says which.
    const today = chinaToday();
    const from = addDays(today, -364);
    await expect(page.locator('[data-testid=case-legend]').textContent()).resolves.toContain(`统计期 ${from} 至 ${today}`);
    const district = await page.evaluate(async (query) => (await fetch(`/api/heatmaps/cases?${query}`)).json(), `level=district&from=${from}&to=${today}`);
    expect((district.cells as { value?: number }[]).reduce((sum, cell) => sum + (cell.value ?? 0), 0)).toBeGreaterThan(0);
    await journey.shot('1b-case-heat');
  });

  it('draws the compounds (小区/院落) as outlines with their own map key entry', async () => {
    const { page } = journey;
    await mapReady(page);
    const compounds = await page.evaluate(async () => (await (await fetch('/api/compounds.geojson')).json()).features.length as number);
    expect(compounds).toBeGreaterThan(0);
    await expect(page.locator('[data-key=compound-outline]').textContent()).resolves.toContain('小区/院落范围');
    const drawn = await page.evaluate(() => {
      const container = document.querySelector('.maplibregl-map') as (Element & { maplibreMap?: import('maplibre-gl').Map }) | null;
      return container?.maplibreMap?.getLayer('compound-line') !== undefined;
    });
    expect(drawn).toBe(true);
  });

  it('opens a compound in view from the list: its totals are those of GET /api/compounds; Close and Back work', async () => {
    const { page } = journey;
    const first = page.locator('[data-testid=compound-list] button[data-compound]').first();
    await first.waitFor();
    compoundCode = (await first.getAttribute('data-compound'))!;
    await first.click();
    await page.waitForFunction((code) => new URL(location.href).searchParams.get('compound') === code, compoundCode);
    await page.waitForSelector('[data-testid=compound-totals]');
    const shown = await page
      .locator('[data-testid=compound-totals] [data-total]')
      .evaluateAll((items) => Object.fromEntries(items.map((item) => [(item as HTMLElement).dataset.total!, (item as HTMLElement).dataset.value!])));
    const listed = await page.evaluate(
      async (code) => ((await (await fetch('/api/compounds')).json()).compounds as Array<Record<string, unknown>>).find((compound) => compound.code === code),
      compoundCode,
    );
    expect(listed).toBeDefined();
    for (const key of ['buildings', 'units', 'occupiedUnits', 'letUnits', 'rentalHouses', 'residents', 'occupancyRate']) {
      expect(shown[key], key).toBe(String(listed![key] ?? ''));
    }
    expect(Number(shown.buildings)).toBeGreaterThan(0);
    await expect(page.locator('[data-testid=compound-drawer] h2').textContent()).resolves.toBe(listed!.name);
    // No purpose stated yet: the buildings' head counts wait for one.
    await expect(page.locator('[data-testid=compound-drawer]').textContent()).resolves.toContain('请先在左侧“查询事由”中说明事由');
    await journey.shot('1d-compound');
    // The map is narrower beside the drawer: its overlays still keep apart.
    await expectPanelsApart(page, async () => {
      await mapReady(page);
      await page.waitForTimeout(500);
    });
    await page.click('[data-testid=compound-drawer] button.close');
    await page.waitForSelector('[data-testid=compound-drawer]', { state: 'detached' });
    await page.goBack();
    await page.waitForSelector('[data-testid=compound-drawer]');
    await page.click('[data-testid=compound-drawer] button.close');
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('compound'));
  });

  it('opens only the building when a click falls on its tier marker where it meets a compound outline', async () => {
    const { page } = journey;
    // Zoomed out, tier markers cover many outline corners: MapLibre tells both layers of such a click.
    const corner = (await outlineCorners(page)).find((point) => point.tierBuilding !== undefined);
    expect(corner, 'an outline corner under a tier marker').toBeDefined();
    await page.mouse.click(corner!.x, corner!.y);
    await page.waitForFunction((code) => new URL(location.href).searchParams.get('b') === code, corner!.tierBuilding!);
    expect(new URL(page.url()).searchParams.get('compound')).toBeNull();
    await page.waitForSelector('[data-testid=building-drawer]');
    await page.goBack();
    await page.waitForSelector('[data-testid=building-drawer]', { state: 'detached' });
  });

  it('opens a compound by a click on its outline', async () => {
    const { page } = journey;
    // A corner of a drawn outline clear of buildings and their markers (zoomed in until there is one).
    let target: OutlineCorner | undefined;
    for (let zoomIns = 0; zoomIns < 3 && !target; zoomIns += 1) {
      const corners = await outlineCorners(page);
      target = corners.find((point) => point.tierBuilding === undefined);
      if (!target) await zoomInAround(page, corners[0]!);
    }
    expect(target).toBeDefined();
    await page.mouse.click(target!.x, target!.y);
    await page.waitForFunction((code) => new URL(location.href).searchParams.get('compound') === code, target!.code);
    // The click opened the compound alone: a building opened by the same click would hide its panel.
    expect(new URL(page.url()).searchParams.get('b')).toBeNull();
    await page.waitForSelector('[data-testid=compound-totals]');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('compound'));
  });

  it('keeps its panels and legends apart at 1280×720, 1440×900 and 1920×1080', async () => {
    const { page } = journey;
    await expectPanelsApart(page, async () => {
      await mapReady(page);
      await page.waitForTimeout(500);
    });
    await page.setViewportSize({ width: 1280, height: 720 });
    await mapReady(page);
    await journey.shot('1c-1280x720');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('shows every search hint whole (no placeholder cut off)', async () => {
    const { page } = journey;
    const keys = await page.locator('#search-by option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    for (const key of keys) {
      await page.selectOption('#search-by', key);
      const fit = await page.locator('#search-text').evaluate((input: HTMLInputElement) => {
        const style = getComputedStyle(input);
        const context = document.createElement('canvas').getContext('2d')!;
        context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return { text: input.placeholder, needed: context.measureText(input.placeholder).width, room };
      });
      expect(fit.needed, `placeholder "${fit.text}"`).toBeLessThanOrEqual(fit.room);
    }
    await page.selectOption('#search-by', keys[0]!);
  });

  it('asks for a purpose before searching, then finds the person by ID number', async () => {
    const { page } = journey;
    await page.fill('#search-text', resident.idNumber);
    await page.click('form[role=search] button[type=submit]');
    await expect(page.locator('#search-problem').textContent()).resolves.toContain('事由');
    await journey.shot('2a-purpose-needed', { alert: true });
    await page.selectOption('#purpose-choice', { label: PURPOSE });
    await page.click('form[role=search] button[type=submit]');
    const hit = page.locator('[data-testid=search-results] button', { hasText: resident.name });
    await hit.waitFor();
    // Police see the full ID number.
    await expect(hit.textContent()).resolves.toContain(resident.idNumber);
    await journey.shot('2-search');
    await hit.click();
  });

  it('opens the building floor by floor with the unit selected', async () => {
    const { page } = journey;
    await page.waitForFunction((unit) => new URL(location.href).searchParams.get('u') === unit, resident.unitCode);
    expect(new URL(page.url()).searchParams.get('b')).toBe(resident.unitCode.slice(0, 19));
    await page.waitForSelector('[data-testid=floor-plan]');
    const unitButtons = await page.locator('[data-testid=floor-plan] button[data-unit]').count();
    expect(unitButtons).toBeGreaterThan(1);
    await expect(page.locator(`[data-unit="${resident.unitCode}"]`).getAttribute('aria-pressed')).resolves.toBe('true');
    await journey.shot('3-floor-plan');
  });

  it('shows the unit and its occupants, the person among them', async () => {
    const { page } = journey;
    const occupants = page.locator('[data-testid=current-occupants]');
    await occupants.waitFor();
    await expect(occupants.textContent()).resolves.toContain(resident.name);
    await expect(occupants.textContent()).resolves.toContain(resident.idNumber);
    await page.locator('[data-testid=unit-occupants]').scrollIntoViewIfNeeded();
    await journey.shot('4-occupants');
  });

  it('opens the building score card', async () => {
    const { page } = journey;
    await page.click('#tab-score');
    await page.waitForSelector('[data-testid=score-card], [data-state=empty]');
    await journey.shot('5-score');
    await page.click('#tab-plan');
  });

  it('wrote the looks into the audit log with the purpose', async () => {
    const rows = await sql<{ action: string; target_type: string; target_id: string | null; purpose: string | null; details: Record<string, unknown> }>`
      SELECT action, target_type, target_id, purpose, details FROM audit_log WHERE username = 'police' ORDER BY chain_seq`.execute(journey.server.handle.db);
    // A row is about the person when it targets them, or lists them among the people it showed.
    const about = (row: (typeof rows.rows)[number]) =>
      (row.target_type === 'person' && row.target_id === String(resident.personId)) ||
      (Array.isArray(row.details.personIds) && row.details.personIds.includes(resident.personId));
    const looks = rows.rows.filter((row) => about(row) && row.purpose === PURPOSE).map((row) => `${row.action}:${String(row.details.view ?? '-')}`);
    expect(looks.some((look) => look.startsWith('search:'))).toBe(true);
    expect(looks).toContain('read:building_drilldown');
    expect(looks).toContain('read:unit_occupants');
  });

  it('opens a neighbouring unit; Back returns to the first, then closes the building', async () => {
    const { page } = journey;
    const other = page.locator(`[data-testid=floor-plan] button[data-unit]:not([data-unit="${resident.unitCode}"])`).first();
    const otherCode = await other.getAttribute('data-unit');
    await other.click();
    await page.waitForFunction((unit) => new URL(location.href).searchParams.get('u') === unit, otherCode);
    await page.waitForFunction(
      (unit) => document.querySelector('#unit-title')?.closest('[data-testid=unit-occupants]')?.textContent?.includes(unit!),
      otherCode,
    );
    await page.goBack();
    await page.waitForFunction((unit) => new URL(location.href).searchParams.get('u') === unit, resident.unitCode);
    await expect(page.locator('[data-testid=current-occupants]').textContent()).resolves.toContain(resident.name);
    await page.goBack();
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('b'));
    await page.waitForSelector('[data-testid=building-drawer]', { state: 'detached' });
  });

  it('opens a compound by its link, lists its buildings with their totals and opens one into its floor plan', async () => {
    const { page } = journey;
    // A pasted or bookmarked link: the compound lives in the URL.
    await page.evaluate((code) => {
      const next = new URL(location.href);
      next.searchParams.set('compound', code);
      history.pushState(null, '', next);
      dispatchEvent(new PopStateEvent('popstate'));
    }, compoundCode);
    const rows = page.locator('[data-testid=compound-buildings] button[data-building]');
    await rows.first().waitFor();
    const drilldown = await page.evaluate(async ({ code, purpose }) => (await fetch(`/api/compounds/${code}?purpose=${encodeURIComponent(purpose)}`)).json(), {
      code: compoundCode,
      purpose: PURPOSE,
    });
    expect(await rows.count()).toBe(drilldown.buildings.length);
    expect(drilldown.buildings.length).toBe(drilldown.totals.buildings);
    await journey.shot('6-compound-buildings');
    const buildingCode = (await rows.first().getAttribute('data-building'))!;
    await rows.first().click();
    await page.waitForFunction((code) => new URL(location.href).searchParams.get('b') === code, buildingCode);
    expect(new URL(page.url()).searchParams.get('compound')).toBe(compoundCode);
    await page.waitForSelector('[data-testid=floor-plan]');
    await journey.shot('7-compound-building');
    // Back to the compound, with the crumb above the building.
    await page.click('button.back-to-compound');
    await page.waitForSelector('[data-testid=building-drawer]', { state: 'detached' });
    await page.waitForSelector('[data-testid=compound-buildings]');
    await page.click('[data-testid=compound-drawer] button.close');
    await page.waitForSelector('[data-testid=compound-drawer]', { state: 'detached' });
  });

  it("turns the hot-spot layer on (legend counts, a cell's z and p as the API says) and opens what changed into the map", async () => {
    const { page } = journey;
    await page.goto(journey.server.url + '/police');
    await mapReady(page);
    // Case heat off, so that the pointer reaches the hot-spot cells under it.
    await page.getByRole('checkbox', { name: '案件热力（近一年）' }).uncheck();
    await page.getByRole('checkbox', { name: '热点分析' }).check();
    expect(new URL(page.url()).searchParams.get('hotspots')).toBe('on');
    const answer = await expectLegendCountsOfApi(page, 'metric=cases&level=grid');
    await expectTooltipOfApi(page, answer);
    await journey.shot('9-hotspots');
    // The hot-spot legend, the tier legend and the map key stay apart.
    await expectPanelsApart(page, async () => {
      await mapReady(page);
      await page.waitForSelector('[data-testid=hotspot-legend]');
      await page.waitForTimeout(500);
    });
    await page.click('[data-testid=changes-toggle]');
    expect(new URL(page.url()).searchParams.get('panel')).toBe('changes');
    await expectChangesOfApi(page, 'metric=floating&level=grid&against=last_month&limit=20');
    // The map moved under the still pointer: no tooltip is left naming the cell it was over before.
    await expect(page.locator('[data-testid=hotspot-tooltip]').count()).resolves.toBe(0);
    await journey.shot('10-changes');
  });

  it('asked nothing of any other origin, threw no page errors and logged no console errors', () => {
    expectCleanRun(journey);
  });
});

interface OutlineCorner {
  x: number;
  y: number;
  /** The compound whose outline has this corner. */
  code: string;
  /** The building whose rental tier marker covers the corner, if one does. */
  tierBuilding?: string;
  lng: number;
  lat: number;
}

/**
 * Corners of the drawn compound outlines on the map canvas itself (not under a panel, not on a
 * building), once the map is at rest: a drawer just closed widens the map and a building just
 * opened pans it, and corners measured before that would be clicked where something else now lies.
 */
async function outlineCorners(page: Page): Promise<OutlineCorner[]> {
  return page.evaluate(async () => {
    const container = document.querySelector('.maplibregl-map') as (HTMLElement & { maplibreMap?: import('maplibre-gl').Map }) | null;
    const map = container!.maplibreMap!;
    map.resize();
    await new Promise((resolve) => {
      map.once('idle', resolve);
      map.triggerRepaint();
    });
    const box = container!.getBoundingClientRect();
    const corners: OutlineCorner[] = [];
    for (const feature of map.queryRenderedFeatures({ layers: ['compound-line'] })) {
      const rings =
        feature.geometry.type === 'Polygon' ? feature.geometry.coordinates : feature.geometry.type === 'LineString' ? [feature.geometry.coordinates] : [];
      for (const [lng, lat] of rings.flat() as Array<[number, number]>) {
        const point = map.project([lng, lat]);
        const [x, y] = [box.x + point.x, box.y + point.y];
        const onCanvas = document.elementFromPoint(x, y)?.classList.contains('maplibregl-canvas');
        if (!onCanvas || map.queryRenderedFeatures([point.x, point.y], { layers: ['building-fill', 'building-point'] }).length > 0) continue;
        const marker = map.queryRenderedFeatures([point.x, point.y], { layers: ['rental-tier-markers'] })[0];
        corners.push({ x, y, lng, lat, code: String(feature.properties.code), tierBuilding: marker ? String(marker.properties.code) : undefined });
      }
    }
    return corners;
  });
}

/** One zoom level closer, centred on a corner, once the map has drawn it. */
async function zoomInAround(page: Page, corner: OutlineCorner): Promise<void> {
  await page.evaluate(async ({ lng, lat }) => {
    const map = (document.querySelector('.maplibregl-map') as HTMLElement & { maplibreMap: import('maplibre-gl').Map }).maplibreMap;
    const drawn = new Promise((resolve) => map.once('idle', resolve));
    map.jumpTo({ center: [lng, lat], zoom: map.getZoom() + 1 });
    await drawn;
  }, corner);
}
