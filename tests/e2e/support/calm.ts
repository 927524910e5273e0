import { expect } from 'vitest';
import type { Page } from 'playwright-core';

/**
 * The checks every journey shares (issue 16): nothing on screen says "error" unless the step
 * means it to, nothing is logged as a console error, and the panels over a map never cover
 * one another at the screen sizes offices use.
 */

/** What an error banner looks like in the dashboard: StatusMessage's error kind, MapView's failures, any alert. */
const ERROR_BANNERS = '.status-error, .map-failed, .map-overlay.error, [role=alert]';

/** The texts of error banners on screen (empty when there are none). */
export async function visibleErrorBanners(page: Page): Promise<string[]> {
  const banners = page.locator(ERROR_BANNERS);
  const texts: string[] = [];
  for (const banner of await banners.all()) {
    if (await banner.isVisible()) texts.push(((await banner.textContent()) ?? '').trim());
  }
  return texts;
}

export async function expectNoErrorBanner(page: Page, step: string): Promise<void> {
  expect(await visibleErrorBanners(page), `error banner on screen at step ${step}`).toEqual([]);
}

/** The panels that float over or beside a map; any two of them must be disjoint (nested ones aside). */
const PANELS = [
  '.map-title-panel',
  '.map-legend-slot > *',
  '[data-testid=map-key]',
  '.time-slider',
  '[data-testid=kpi-cards]',
  '.side-panel',
  '.tool-sidebar',
].join(', ');

export const OFFICE_VIEWPORTS = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
] as const;

interface PanelBox {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Inside the map frame (overlays) rather than beside it. */
  overMap: boolean;
}

/** The visible panels' boxes, with which one contains which (a KPI card list inside the side panel is not an overlap). */
async function panelBoxes(page: Page): Promise<{ boxes: PanelBox[]; nested: Array<[number, number]> }> {
  return page.evaluate((selector) => {
    const elements = [...document.querySelectorAll<HTMLElement>(selector)].filter((element) => element.getClientRects().length > 0);
    const frame = document.querySelector('[data-testid=map-frame]');
    const boxes = elements.map((element) => {
      const rect = element.getBoundingClientRect();
      const name = `${element.tagName.toLowerCase()}.${[...element.classList].join('.')}${element.dataset.testid ? `[${element.dataset.testid}]` : ''}`;
      return { name, x: rect.x, y: rect.y, width: rect.width, height: rect.height, overMap: frame?.contains(element) ?? false };
    });
    const nested: Array<[number, number]> = [];
    elements.forEach((outer, i) =>
      elements.forEach((inner, j) => {
        if (i !== j && outer.contains(inner)) nested.push([i, j]);
      }),
    );
    return { boxes, nested };
  }, PANELS);
}

const overlapArea = (a: PanelBox, b: PanelBox) =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

/** Problems with the panels now: pairs that overlap, overlays that stick out of the map. */
export async function panelProblems(page: Page): Promise<string[]> {
  const { boxes, nested } = await panelBoxes(page);
  const isNested = (i: number, j: number) => nested.some(([a, b]) => (a === i && b === j) || (a === j && b === i));
  const frame = await page.locator('[data-testid=map-frame]').boundingBox();
  const problems: string[] = [];
  boxes.forEach((a, i) =>
    boxes.forEach((b, j) => {
      if (j > i && !isNested(i, j) && overlapArea(a, b) > 0) problems.push(`${a.name} overlaps ${b.name}`);
    }),
  );
  for (const box of boxes.filter((candidate) => candidate.overMap && frame)) {
    const inside =
      box.x >= frame!.x - 0.5 &&
      box.y >= frame!.y - 0.5 &&
      box.x + box.width <= frame!.x + frame!.width + 0.5 &&
      box.y + box.height <= frame!.y + frame!.height + 0.5;
    if (!inside) problems.push(`${box.name} sticks out of the map`);
  }
  return problems;
}

/**
 * At each office screen size, no two panels overlap and no overlay is cut off by the map's edge.
 * Leaves the page at the size it found it. `settle` waits for what the page draws after a resize.
 */
export async function expectPanelsApart(page: Page, settle: () => Promise<void>): Promise<void> {
  const original = page.viewportSize();
  try {
    for (const viewport of OFFICE_VIEWPORTS) {
      await page.setViewportSize(viewport);
      await settle();
      expect(await panelProblems(page), `panels at ${viewport.width}×${viewport.height}`).toEqual([]);
    }
  } finally {
    if (original) await page.setViewportSize(original);
  }
}
