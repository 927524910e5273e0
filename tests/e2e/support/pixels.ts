import type { Page } from 'playwright-core';
import { decodePng } from './png.ts';

/**
 * What the map draws, read from a screenshot of its middle (the panels, legend and slider sit
 * at its edges). The base map is greys on a near-white ground; a thematic layer is coloured, so
 * counting saturated pixels tells a drawn heatmap from a blank canvas.
 */
export interface PixelSample {
  total: number;
  /** Pixels whose channels differ by more than 40 (a colour, not a grey). */
  coloured: number;
  /** Coarse colour of each pixel, to compare two renderings of the same view. */
  buckets: number[];
}

const SATURATION = 40;

export async function sampleMapMiddle(page: Page): Promise<PixelSample> {
  const frame = page.locator('[data-testid=map-frame]');
  const box = await frame.boundingBox();
  if (!box) throw new Error('the map frame is not on screen');
  // The middle half of the map, away from the overlays along its edges.
  const clip = { x: box.x + box.width * 0.25, y: box.y + box.height * 0.25, width: box.width * 0.5, height: box.height * 0.45 };
  await page.mouse.move(box.x + 2, box.y + box.height - 2);
  return pixelsOf(await page.screenshot({ clip }));
}

/** Coloured pixels and coarse colours of a screenshot, counted here, off the page's main thread. */
export function pixelsOf(png: Buffer): PixelSample {
  const { rgba } = decodePng(png);
  let coloured = 0;
  const buckets: number[] = [];
  for (let index = 0; index < rgba.length; index += 4) {
    const [red, green, blue] = [rgba[index]!, rgba[index + 1]!, rgba[index + 2]!];
    if (Math.max(red, green, blue) - Math.min(red, green, blue) > SATURATION) coloured += 1;
    buckets.push(((red >> 5) << 6) | ((green >> 5) << 3) | (blue >> 5));
  }
  return { total: rgba.length / 4, coloured, buckets };
}

/** Polls until at least `share` of the map's middle is coloured; returns the last sample. */
export async function waitForColouredMap(page: Page, share: number, timeoutMs = 45_000): Promise<PixelSample> {
  const started = Date.now();
  let sample = await sampleMapMiddle(page);
  while (sample.coloured / sample.total < share && Date.now() - started < timeoutMs) {
    await page.waitForTimeout(500);
    sample = await sampleMapMiddle(page);
  }
  return sample;
}

/** Share of pixels whose coarse colour differs between two samples of the same region. */
export function changedShare(before: PixelSample, after: PixelSample): number {
  const length = Math.min(before.buckets.length, after.buckets.length);
  let changed = 0;
  for (let index = 0; index < length; index += 1) if (before.buckets[index] !== after.buckets[index]) changed += 1;
  return changed / Math.max(1, length);
}
