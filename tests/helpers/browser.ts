import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { createApp, WEB_DIST } from '../../server/app.ts';
import { startAuditSequencer } from '../../server/audit/sequencer.ts';
import { bootDatabase } from '../../server/boot.ts';
import { readConfig } from '../../server/config.ts';
import type { DatabaseHandle } from '../../server/db/connection.ts';
import { createScratchDatabase, TEST_DATABASE_URL } from './database.ts';
import { seedDemoCityIfEmpty } from '../../server/demo/seed.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can. REQUIRE_CHROMIUM=1 turns a reason into a failure. */
export function browserUnavailableReason(): string | undefined {
  if (fs.existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `${CHROMIUM_PATH} not found (apt-get install -y chromium)`;
  if (process.env.REQUIRE_CHROMIUM === '1') throw new Error(`REQUIRE_CHROMIUM=1 but ${reason}`);
  process.stdout.write(`[renwu tests] skipping browser tests: ${reason}\n`);
  return reason;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      `--disable-features=${DISABLED_FEATURES.join(',')}`,
    ],
  });
}

/**
 * Chromium's features turned off. A second --disable-features replaces Playwright's own (the last
 * one wins), so its list (playwright-core 1.65: chromiumSwitches) comes first, then ours: headless
 * Chromium preloads its omnibox popup, a WebUI page, for every new window — 2.4 s of CPU in a
 * renderer of its own while the page under test loads (seen in a trace of the bench's first
 * paint, issue 18). A headless browser shows no omnibox: that work measured nothing of ours.
 */
const DISABLED_FEATURES = [
  ...['AimEnabled', 'AvoidCorsURLLoaderRestartOnRedirect', 'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose'],
  ...['HttpsFirstBalancedModeAutoEnable', 'HttpsUpgrades', 'LensOverlay', 'MediaRouter', 'NetworkTimeServiceQuerying', 'OptimizationHints'],
  ...['PaintHolding', 'PreconnectToSearch', 'TcpPortRandomizationWin', 'ThirdPartyStoragePartitioning'],
  ...['PreloadTopChromeWebUI', 'WebUIOmniboxPopup', 'WebUIOmniboxFullPopup', 'WebUIOmniboxAimPopup'],
];

const WEB_SOURCES = path.resolve(WEB_DIST, '../../web');

/** The newest modification time of any file under `directory`. */
function newestChange(directory: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const entryPath = path.join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(entryPath) : fs.statSync(entryPath).mtimeMs);
  }
  return newest;
}

/**
 * Browser tests must test the dashboard as it is in web/, not a dist/ left from an older
 * checkout: rebuild when any source is newer than the build (start-up only builds a missing one).
 */
export async function ensureCurrentDashboard(): Promise<void> {
  const built = path.join(WEB_DIST, 'index.html');
  const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
  if (builtAt > 0 && newestChange(WEB_SOURCES) <= builtAt) return;
  process.stdout.write('[renwu tests] web/ changed since the last build: building the dashboard\n');
  const { build } = await import('vite');
  await build({ configFile: path.resolve(WEB_DIST, '../../vite.config.ts'), logLevel: 'warn' });
}

export interface RunningServer {
  url: string;
  handle: DatabaseHandle;
  close(): Promise<void>;
}

/**
 * The real server, as `npm start` runs it, on a free port: a fresh embedded database (or
 * TEST_DATABASE_URL's server) seeded with the tiny demo city, and the built dashboard;
 * `settings` adds environment settings (a basemap, say).
 */
export async function startRealServer(settings: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renwu-e2e-'));
  // With TEST_DATABASE_URL the journeys run on PostgreSQL too (a database of their own), not only on PGlite.
  const scratch = TEST_DATABASE_URL ? await createScratchDatabase() : undefined;
  const database = scratch ? { DATABASE_URL: scratch.url } : {};
  const config = readConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DEMO_SCALE: 'tiny',
    PORT: '1',
    RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
    ...database,
    ...settings,
  });
  await ensureCurrentDashboard();
  const { handle, context } = await bootDatabase(config);
  await seedDemoCityIfEmpty(context, handle);
  // As server/main.ts: the sequencer links audit rows to the chain (issue #19).
  const sequencer = startAuditSequencer(context.db, config);
  const server = createApp(context).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    handle,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sequencer.stop();
      await handle.close();
      await scratch?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const ARTIFACTS_DIR = path.resolve('test-results/screenshots');
