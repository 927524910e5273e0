import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserUnavailableReason, CHROMIUM_PATH, launchBrowser } from '../helpers/browser.ts';

/**
 * The browser the journeys and the bench's first paint run in (tests/helpers/browser.ts): headless
 * Chromium preloads its omnibox popup (a WebUI page, 2.4 s of CPU for every new window on these
 * two cores) while the page under test loads, unless told not to (issue 18); and turning that off
 * must keep the features Playwright itself turns off (a second --disable-features replaces the first).
 */
const unavailable = browserUnavailableReason();

/** Runs `use` in one page of a new context of `browser`, then closes the browser (each test launches its own). */
async function inOnePage<T>(browser: Browser, use: (page: Page) => Promise<T>): Promise<T> {
  try {
    const page = await (await browser.newContext()).newPage();
    return await use(page);
  } finally {
    await browser.close();
  }
}

/** The features the browser was started without, from its own chrome://version page. */
async function disabledFeatures(browser: Browser): Promise<string[]> {
  return inOnePage(browser, async (page) => {
    await page.goto('chrome://version');
    const commandLine = (await page.locator('#command_line').textContent()) ?? '';
    return [...commandLine.matchAll(/--disable-features=(\S+)/g)].flatMap((match) => match[1]!.split(','));
  });
}

describe.skipIf(unavailable !== undefined)('the test browser', () => {
  it('opens no omnibox popup page beside the page under test', async () => {
    const browser = await launchBrowser();
    const targets = await inOnePage(browser, async (page) => {
      await page.goto('data:text/html,<p>renwu</p>');
      // The preload starts once the window is idle: give it the time it took in the trace.
      await page.waitForTimeout(1_500);
      const cdp = await browser.newBrowserCDPSession();
      const { targetInfos } = await cdp.send('Target.getTargets');
      return targetInfos.map((target) => `${target.type} ${target.url}`);
    });
    expect(targets.filter((target) => target.includes('omnibox'))).toEqual([]);
    expect(targets).toContain('page data:text/html,<p>renwu</p>');
  });

  it("keeps every feature Playwright's own launch turns off", async () => {
    const playwrights = await disabledFeatures(await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--headless', '--no-sandbox'] }));
    expect(playwrights.length).toBeGreaterThan(3);
    const ours = await disabledFeatures(await launchBrowser());
    expect(ours).toEqual(expect.arrayContaining([...playwrights, 'PreloadTopChromeWebUI']));
  });
});
