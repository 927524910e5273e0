import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_UNDER_TEST } from '../helpers/database.ts';
import { runHotPaths, SNAPSHOT_DIR, snapshotFile, snapshotText, type HotPathRun } from '../helpers/hot-paths.ts';

/**
 * The SQL of the hot paths is checked in under sql/snapshots/ (issue 17 item 2, as immich checks
 * in its generated query snapshots): a change to what a hot path sends shows as a changed file in
 * review, and this test fails until the files are regenerated. UPDATE_SQL_SNAPSHOTS=1 writes them
 * instead (`npm run sql:snapshots` does so on both engines).
 */
const UPDATE = process.env.UPDATE_SQL_SNAPSHOTS === '1';
const TO_UPDATE = 'npm run sql:snapshots (with TEST_DATABASE_URL set, for the PostgreSQL files too)';
let run: HotPathRun;

beforeAll(async () => {
  run = await runHotPaths();
}, 120_000);
afterAll(async () => run?.app.close());

describe(`SQL snapshots of the hot paths (${ENGINE_UNDER_TEST})`, () => {
  it('each hot path sends what its file in sql/snapshots/ holds', () => {
    for (const hot of run.paths) {
      const file = snapshotFile(hot, ENGINE_UNDER_TEST);
      const text = snapshotText(hot);
      if (UPDATE) fs.writeFileSync(file, text);
      const checkedIn = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '(no file)';
      expect.soft(text, `${path.relative(process.cwd(), file)} differs from what ${hot.name} sends now: update it with ${TO_UPDATE}`).toBe(checkedIn);
    }
  });

  it('holds no file of a path that is gone', () => {
    const known = new Set(run.paths.flatMap((hot) => [snapshotFile(hot, 'pglite'), snapshotFile(hot, 'postgres')].map((file) => path.basename(file))));
    const stale = fs.readdirSync(SNAPSHOT_DIR).filter((name) => name.endsWith('.sql') && !known.has(name));
    expect(stale, `remove these from sql/snapshots/ (no hot path writes them any more)`).toEqual([]);
  });
});
