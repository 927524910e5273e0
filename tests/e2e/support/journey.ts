import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ARTIFACTS_DIR, launchBrowser, startRealServer, type RunningServer } from '../../helpers/browser.ts';
import { expectNoErrorBanner } from './calm.ts';

/**
 * One user's journey through the dashboard: the real server (embedded database, tiny demo
 * city), headless Chromium, a screenshot per step under test-results/screenshots/, and a
 * record of every request that tried to leave the server's origin (the dashboard must work
 * offline).
 */
export interface Journey {
  server: RunningServer;
  page: Page;
  /** Requests to anywhere but the server (must stay empty). */
  foreignRequests: string[];
  /** Errors the page threw (must stay empty). */
  pageErrors: string[];
  /** What the page logged as console errors, failed requests included (must stay empty). */
  consoleErrors: string[];
  /**
   * A screenshot of the step, after checking that no error banner is on screen; a step that
   * means to show one (a form's "fill this in") says so with `{ alert: true }`.
   */
  shot(step: string, options?: { alert?: boolean }): Promise<void>;
  /**
   * The next refusal of `path` with `status` is what the step tests (a deliberately wrong input
   * the server must turn down): Chromium logs every 4xx as a console error, so that one entry is
   * expected rather than counted. Any other, or a second, still fails the journey.
   */
  expectRefusal(path: string, status: number): void;
  /** Logs in through the form; the demo password unless another is given. */
  logIn(username: string, password?: string): Promise<void>;
  /** Logs out with the top bar's button and waits for the login form. */
  logOut(): Promise<void>;
  close(): Promise<void>;
}

export const DEMO_PASSWORD = (username: string) => `renwu-demo-${username}`;
const VIEWPORT = { width: 1440, height: 900 };

/** `settings`: environment settings for the server beyond the demo's (e.g. BASEMAP_STYLE_URL). */
export async function startJourney(name: string, settings: NodeJS.ProcessEnv = {}): Promise<Journey> {
  const server = await startRealServer(settings);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const context: BrowserContext = await browser.newContext({ viewport: VIEWPORT, locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    const foreignRequests: string[] = [];
    const pageErrors: string[] = [];
    const consoleErrors: string[] = [];
    const expectedRefusals: Array<{ path: string; status: number }> = [];
    const isExpectedRefusal = (text: string, address: string) => {
      const index = expectedRefusals.findIndex(
        ({ path: wanted, status }) => text.includes(`status of ${status} `) && new URL(address, server.url).pathname === wanted,
      );
      if (index >= 0) expectedRefusals.splice(index, 1);
      return index >= 0;
    };
    page.on('request', (request) => {
      const address = request.url();
      if (!address.startsWith(server.url) && !address.startsWith('data:') && !address.startsWith('blob:')) foreignRequests.push(address);
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Nothing is allowlisted: a 401 while logged out, a refused bbox, a missing glyph all count.
    page.on('console', (message) => {
      const address = message.location().url;
      if (message.type() === 'error' && !isExpectedRefusal(message.text(), address)) consoleErrors.push(`${message.text()} (${address})`);
    });
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const opened = browser;
    return {
      server,
      page,
      foreignRequests,
      pageErrors,
      consoleErrors,
      expectRefusal: (path, status) => expectedRefusals.push({ path, status }),
      shot: async (step, options = {}) => {
        if (!options.alert) await expectNoErrorBanner(page, `${name}-${step}`);
        await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}-${step}.png`) });
      },
      logIn: async (username, password = DEMO_PASSWORD(username)) => {
        await page.goto(server.url + '/');
        await page.fill('#login-username', username);
        await page.fill('#login-password', password);
        await page.click('button[type=submit]');
        await page.waitForSelector('nav a[aria-current=page]');
      },
      logOut: async () => {
        await page.click('.top-bar button:has-text("退出登录")');
        await page.waitForSelector('#login-username');
      },
      close: async () => {
        await opened.close();
        await server.close();
      },
    };
  } catch (error) {
    await browser?.close();
    await server.close();
    throw error;
  }
}

/** The whole journey asked nothing of other origins, threw nothing and logged no console error. */
export function expectCleanRun(journey: Journey): void {
  expect(journey.foreignRequests).toEqual([]);
  expect(journey.pageErrors).toEqual([]);
  expect(journey.consoleErrors).toEqual([]);
}

/** Waits until the map has loaded and placed its first view. */
export async function mapReady(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=map-frame][data-ready=true]', { timeout: 60_000 });
}

/**
 * Moves the pointer about the middle of the map until its tooltip shows, and returns the tooltip:
 * the map picks on pointer moves once its layers are ready, and a loaded machine may need a few.
 */
export async function hoverMapMiddle(page: Page): Promise<Locator> {
  const frame = (await page.locator('[data-testid=map-frame]').boundingBox())!;
  const tooltip = page.locator('[data-testid=map-tooltip]');
  let step = 0;
  await expect
    .poll(
      async () => {
        step += 1;
        await page.mouse.move(frame.x + frame.width / 2 + (step % 5) * 3, frame.y + frame.height / 2);
        return tooltip.isVisible();
      },
      { timeout: 30_000, interval: 500 },
    )
    .toBe(true);
  return tooltip;
}
