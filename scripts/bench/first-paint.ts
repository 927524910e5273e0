/**
 * Time to first painted heatmap: a leader, already logged in, opens the overview in headless
 * Chromium with an empty cache; the clock runs from navigation until a screenshot shows the middle
 * of the map mostly in heatmap colour (read as the leader journey test reads it). When the
 * heatmap's data arrived is recorded beside it: the difference is drawing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { WEB_DIST } from '../../server/app.ts';
import { browserUnavailableReason, ensureCurrentDashboard, launchBrowser } from '../../tests/helpers/browser.ts';
import { sampleMapMiddle } from '../../tests/e2e/support/pixels.ts';
import { percentiles, type ApiSession } from './client.ts';
import { latencyFigure, skippedFigure, type Figure } from './figures.ts';

const LABEL = 'first painted heatmap in headless Chromium (cold cache)';
/** Share of the map's middle that must be coloured: the district fills the first view. */
const PAINTED_SHARE = 0.25;
const TIMEOUT_MS = 90_000;

export async function measureFirstPaint(leader: ApiSession, runs: number, rebuildDashboard: boolean, targetMs: number): Promise<Figure> {
  const unavailable = browserUnavailableReason() ?? (await dashboardUnavailable(rebuildDashboard));
  if (unavailable) return skippedFigure('firstPaint', LABEL, 'ms', unavailable);
  const browser = await launchBrowser();
  try {
    const timings: number[] = [];
    const shares: number[] = [];
    const dataReady: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      const [name, value] = leader.cookie.split(';')[0]!.split('=') as [string, string];
      await context.addCookies([{ name, value, url: leader.baseUrl }]);
      const page = await context.newPage();
      // A busy page answers a screenshot only when it has drawn its next frame: wait as long as it takes.
      page.setDefaultTimeout(TIMEOUT_MS);
      const { ms, share, heatmapLoadedMs } = await timeToPaint(page, `${leader.baseUrl}/overview`).catch((error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message.split('\n')[0] : String(error)} (run ${run + 1}, page at ${page.url()})`);
      });
      timings.push(ms);
      shares.push(share);
      dataReady.push(heatmapLoadedMs);
      await context.close();
    }
    return latencyFigure('firstPaint', LABEL, percentiles(timings), targetMs, {
      runs: timings.map(Math.round),
      heatmapResponseLoadedMs: dataReady.map(Math.round),
      colouredShare: shares,
      threshold: PAINTED_SHARE,
      sampling: 'screenshots of the map middle, back to back; a screenshot waits for the next frame the page draws',
      rendering: 'headless Chromium, SwiftShader (software WebGL) on the same cores as server and database',
    });
  } finally {
    await browser.close();
  }
}

async function timeToPaint(page: Page, url: string): Promise<{ ms: number; share: number; heatmapLoadedMs: number }> {
  const started = performance.now();
  let heatmapLoadedMs = NaN;
  page.on('requestfinished', (request) => {
    if (Number.isNaN(heatmapLoadedMs) && request.url().includes('/api/heatmaps/')) heatmapLoadedMs = performance.now() - started;
  });
  await page.goto(url);
  await page.waitForSelector('[data-testid=map-frame]', { timeout: TIMEOUT_MS });
  for (;;) {
    const sample = await sampleMapMiddle(page);
    const share = sample.coloured / sample.total;
    const ms = performance.now() - started;
    if (share >= PAINTED_SHARE) return { ms, share: Math.round(share * 100) / 100, heatmapLoadedMs };
    if (ms > TIMEOUT_MS) throw new Error(`the heatmap was not painted within ${TIMEOUT_MS / 1000} s (coloured share ${share.toFixed(2)})`);
  }
}

/** The built dashboard the server serves; a bench can rebuild a stale one (a smoke test cannot wait for that). */
async function dashboardUnavailable(rebuild: boolean): Promise<string | undefined> {
  if (rebuild) {
    await ensureCurrentDashboard();
    return undefined;
  }
  return fs.existsSync(path.join(WEB_DIST, 'index.html')) ? undefined : `no built dashboard in ${WEB_DIST} (npm run build)`;
}
