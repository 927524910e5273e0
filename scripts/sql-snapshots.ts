/**
 * Regenerates the SQL snapshots of the hot paths (sql/snapshots/*.sql): runs
 * tests/api/sql-snapshots.test.ts with UPDATE_SQL_SNAPSHOTS=1 on PGlite, then on PostgreSQL when
 * TEST_DATABASE_URL is set (the tiles' PostgreSQL files come from there; without it they are left as they are).
 *
 *   npm run sql:snapshots
 *   TEST_DATABASE_URL=postgres://…/renwu_ci npm run sql:snapshots
 *
 * Review the diff (git diff sql/snapshots) like code: a changed statement of a hot path is a change
 * to what production runs, and its plan is checked by tests/api/sql-plans.test.ts against sql/snapshots/indexes.json.
 */
import { spawnSync } from 'node:child_process';

const TEST = 'tests/api/sql-snapshots.test.ts';

function vitest(step: string, environment: NodeJS.ProcessEnv): void {
  process.stderr.write(`sql-snapshots: ${step}\n`);
  const run = spawnSync('npx', ['vitest', 'run', TEST], { stdio: 'inherit', env: environment });
  if (run.status !== 0) {
    process.stderr.write(`sql-snapshots: ${step} failed (see above)\n`);
    process.exit(run.status ?? 1);
  }
}

const { TEST_DATABASE_URL, ...withoutPostgres } = process.env;
vitest('writing the PGlite snapshots', { ...withoutPostgres, UPDATE_SQL_SNAPSHOTS: '1' });
if (TEST_DATABASE_URL) {
  vitest('writing the PostgreSQL snapshots', { ...process.env, UPDATE_SQL_SNAPSHOTS: '1' });
  // The files both engines share were written twice: the PGlite run checks that they agree.
  vitest('checking the shared files on PGlite again', withoutPostgres);
} else {
  process.stderr.write('sql-snapshots: TEST_DATABASE_URL is not set: the PostgreSQL files (*.postgres.sql) were not regenerated\n');
}
