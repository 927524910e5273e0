import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS_DIR, launchBrowser, startRealServer, type RunningServer } from '../../helpers/browser.ts';

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
  shot(step: string): Promise<void>;
  /** Logs in through the form; the demo password unless another is given. */
  logIn(username: string, password?: string): Promise<void>;
  /** Logs out with the top bar's button and waits for the login form. */
  logOut(): Promise<void>;
  close(): Promise<void>;
}

export const DEMO_PASSWORD = (username: string) => `renwu-demo-${username}`;
const VIEWPORT = { width: 1440, height: 900 };

export async function startJourney(name: string): Promise<Journey> {
  const server = await startRealServer();
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const context: BrowserContext = await browser.newContext({ viewport: VIEWPORT, locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    const foreignRequests: string[] = [];
    const pageErrors: string[] = [];
    page.on('request', (request) => {
      const address = request.url();
      if (!address.startsWith(server.url) && !address.startsWith('data:') && !address.startsWith('blob:')) foreignRequests.push(address);
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const opened = browser;
    return {
      server,
      page,
      foreignRequests,
      pageErrors,
      shot: async (step) => {
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

/** Waits until the map has loaded and placed its first view. */
export async function mapReady(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=map-frame][data-ready=true]', { timeout: 60_000 });
}
