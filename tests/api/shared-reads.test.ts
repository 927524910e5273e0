import {
  sql,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedIn, TestApp } from '../helpers/app.ts';
import { QueryRecorder } from '../helpers/hot-paths.ts';
import { signedIn, startRegistrationApp } from '../helpers/registration-fixture.ts';

/**
 * A dashboard asks several things at once with one session (issue 18: at 8 whole-city heatmaps in
 * flight, each request's own session and data-version reads were a third of the database's work
 * per request). Requests asking at the same time share those reads (server/db/shared-read.ts), and
 * still see what was written before they asked.
 */
/** A database under load: while on, every answer comes 40 ms late (here the requests would otherwise arrive one after another's reads). */
class SlowAnswers implements KyselyPlugin {
  on = false;
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    return node;
  }
  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.on) await new Promise((resolve) => setTimeout(resolve, 40));
    return result;
  }
}

const recorder = new QueryRecorder();
const slow = new SlowAnswers();
const MAP = '/api/heatmaps/floating_density?level=street&shape=values';
let t: TestApp;
let leader: LoggedIn;

beforeAll(async () => {
  t = await startRegistrationApp({ plugins: [recorder, slow] });
  leader = await signedIn(t, 'leader');
  await leader.get(MAP).expect(200);
});
afterAll(async () => t?.close());

const sessionReads = (statements: { sql: string }[]) => statements.filter((statement) => /from "sessions"/.test(statement.sql)).length;
const versionReads = (statements: { sql: string }[]) => statements.filter((statement) => statement.sql.includes('analytics_snapshot_key() AS version')).length;

describe('reads shared by requests asked at once', () => {
  it('reads the session and the data version fewer times than requests were asked', async () => {
    slow.on = true;
    const statements = await recorder
      .record(() => Promise.all(Array.from({ length: 8 }, () => leader.get(MAP).expect(200))))
      .finally(() => {
        slow.on = false;
      });
    expect(sessionReads(statements)).toBeGreaterThan(0);
    expect(sessionReads(statements)).toBeLessThan(8);
    expect(versionReads(statements)).toBeGreaterThan(0);
    expect(versionReads(statements)).toBeLessThan(8);
  });

  it('refuses every request asked after the session ended, however many ask at once', async () => {
    const police = await t.logIn('police');
    await police.get('/api/auth/me').expect(200);
    await sql`UPDATE users SET disabled = true WHERE username = 'police'`.execute(t.handle.db);
    slow.on = true;
    const statuses = await Promise.all(Array.from({ length: 8 }, async () => (await police.get('/api/auth/me')).status)).finally(() => {
      slow.on = false;
    });
    expect(statuses).toEqual(Array(8).fill(401));
  });
});
