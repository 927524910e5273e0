import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import type { KyselyPlugin } from 'kysely';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';
import type { AppContext } from '../../server/context.ts';
import { detectCapabilities } from '../../server/db/capabilities.ts';
import type { DatabaseHandle } from '../../server/db/connection.ts';
import { openTestDatabase, TEST_AUDIT_HMAC_KEY } from './database.ts';
import { FIXTURE } from './fixture-city.ts';

export interface TestApp {
  app: Express;
  handle: DatabaseHandle;
  context: AppContext;
  /** A supertest agent holding a session cookie, sending the CSRF header on writes. */
  logIn(username: string, password?: string): Promise<LoggedIn>;
  close(): Promise<void>;
}

export interface LoggedIn {
  get(url: string): request.Test;
  post(url: string, body?: object): request.Test;
  /** Any other write method (put, patch, delete) with the CSRF header. */
  send(method: 'put' | 'patch' | 'delete', url: string, body?: object): request.Test;
  csrfToken: string;
}

export interface TestAppOptions {
  /** Kysely plugins on the app's database (not on `handle.db`), e.g. tests/helpers/hot-paths.ts's query recorder. */
  plugins?: KyselyPlugin[];
  /** Awaited after each import validation batch is saved (tests/helpers/import-files.ts ImportGate holds a job with it). */
  afterImportBatch?: AppContext['afterImportBatch'];
}

export async function startTestApp(environment: NodeJS.ProcessEnv = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const handle = await openTestDatabase();
  // Tests log in far more often than people do; tests of the limits set their own.
  // Each app gets its own DATA_DIR, so audit checkpoints of one test file never meet another's database.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renwu-app-'));
  const config = readConfig({
    NODE_ENV: 'test',
    RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
    DATA_DIR: dataDir,
    AUDIT_HMAC_KEY: TEST_AUDIT_HMAC_KEY,
    // Background building of slider answers and tiles would mix its SQL with what tests record: on only where tested.
    WARM_KEPT_ANSWERS: 'off',
    ...environment,
  });
  const db = (options.plugins ?? []).reduce((withPlugins, plugin) => withPlugins.withPlugin(plugin), handle.db);
  const context: AppContext = {
    db,
    engine: handle.engine,
    capabilities: await detectCapabilities(handle.db),
    config,
    afterImportBatch: options.afterImportBatch,
  };
  const app = createApp(context);
  return {
    app,
    handle,
    context,
    async logIn(username, password = FIXTURE.password) {
      const agent = request.agent(app);
      const response = await agent.post('/api/auth/login').send({ username, password });
      if (response.status !== 200) throw new Error(`login of ${username} failed: ${response.status} ${JSON.stringify(response.body)}`);
      const csrfToken: string = response.body.csrfToken;
      return {
        csrfToken,
        get: (url) => agent.get(url),
        post: (url, body = {}) => agent.post(url).set('X-CSRF-Token', csrfToken).send(body),
        send: (method, url, body = {}) => agent[method](url).set('X-CSRF-Token', csrfToken).send(body),
      };
    },
    close: async () => {
      await handle.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
