import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER, sourceFiles } from '../helpers/source-imports.ts';

// Issue 17 item 2: queries live in repositories (`<feature>/repository.ts` or `<feature>/repository/*.ts`),
// so that a newcomer follows a request to its SQL in a known file. A query site is a line that starts
// a Kysely query, writes SQL text (the sql tag) or executes a statement; opening a transaction
// (`db.transaction().execute(…)`) is a service's business and does not count.

const QUERY_SITE = /\b(?:selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql(?:<[^`]*?>)?`|\.execute\(/;
const BUILDS_SQL = /\b(?:selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql(?:<[^`]*?>)?`/;
const OPENS_TRANSACTION = /\.transaction\(\)[^;]*\.execute\(/;

const isRepository = (file: string) => /(?:^|\/)repository(?:\.ts$|\/)/.test(file);

/**
 * How many lines of `text` are query sites. A method chain the formatter broke over lines
 * (`db.transaction()⏎ .setIsolationLevel(…)⏎ .execute(…)`) is read as one line.
 */
function querySites(text: string): number {
  const lines = text.replace(/\n\s*\./g, '.').split('\n');
  return lines.filter((line) => QUERY_SITE.test(line) && (BUILDS_SQL.test(line) || !OPENS_TRANSACTION.test(line))).length;
}

/**
 * Files outside repositories that deliberately keep SQL, each with the most query sites it may hold
 * (lower it when you move one out; never raise it for a new query: put that in a repository) and why.
 */
const KEEPS_SQL: Record<string, readonly [ceiling: number, reason: string]> = {
  'ogc/collections.ts': [
    17,
    'column expressions of each OGC collection (table, id, geometry, properties, envelope test) beside its description; no statement: ogc/repository.ts composes and runs them',
  ],
  'ogc/cql2.ts': [14, 'the CQL2 → SQL translator: returns parameterised conditions that ogc/repository.ts runs'],
  'person-data/visibility.ts': [1, 'the jurisdiction condition (an EXISTS fragment) that audited person reads add to their where'],
  'db/code-prefix.ts': [7, 'generic SQL fragment builder (code prefix ranges), shared by every repository'],
  'db/feature-sql.ts': [
    11,
    "generic SQL fragment builders shared by several repositories (envelope, grid statistics joins and counts, as jsonb properties or as columns, the window's last day and the people since, unit counts of a building)",
  ],
  'db/capabilities.ts': [6, 'the database plumbing: what the engine can do (PostGIS version, ST_AsMVT, a table present)'],
  'db/data-version.ts': [
    9,
    "the database plumbing: the readers of the analytics data version (with its snapshot), of the shapes' version and of the log of changed days (sql/0032), and the notes of the writers of tables without triggers (sql/0043)",
  ],
  'db/counted-writes.ts': [
    3,
    'the database plumbing: the facts and recounts that writers of tables without statistics triggers call (sql/0046), shared by services, imports and fixtures',
  ],
  'db/connection.ts': [1, 'the database plumbing: opens (and so warms) every connection of the pool as the server starts'],
  'db/migrator.ts': [1, 'the database plumbing: runs the migration files'],
  'db/citus.ts': [4, 'the database plumbing: what Citus distributes (catalogue reads, create_distributed_table)'],
  'db/roles.ts': [10, "the database plumbing: the application role's grants"],
  'demo/seed.ts': [3, 'the demo seed: a command-line tool over an empty database, not a request path'],
  'demo/city/index.ts': [3, "the synthetic city generator's loader (a tool, not a request path)"],
  'demo/city/store.ts': [19, "the synthetic city generator's bulk writes (a tool, not a request path)"],
  'demo/city/validate.ts': [10, "the synthetic city generator's consistency checks (a tool, not a request path)"],
  'demo/city/compounds.ts': [5, "the synthetic city generator's compounds (a tool, not a request path)"],
};

/** Query sites per server file outside repositories, as paths under server/. */
function querySitesOutsideRepositories(): Map<string, number> {
  const found = new Map<string, number>();
  for (const file of sourceFiles(SERVER)) {
    const relative = path.relative(SERVER, file).split(path.sep).join('/');
    if (isRepository(relative)) continue;
    const sites = querySites(fs.readFileSync(file, 'utf8'));
    if (sites > 0) found.set(relative, sites);
  }
  return found;
}

describe('queries live in repositories', () => {
  it('counts statements and SQL text, not transactions', () => {
    const service = [
      'return db.transaction().execute(async (trx) => {',
      "  const row = await trx.selectFrom('units').selectAll().executeTakeFirst();",
      "  await sql`UPDATE units SET use = 'shop'`.execute(trx);",
      "  const rows = await query.orderBy('id').execute();",
      '  const result = await sql<{ n: number }>`',
      '    SELECT count(*) AS n FROM units`.execute(trx);',
      '});',
    ].join('\n');
    expect(querySites(service)).toBe(5);
    expect(isRepository('users/repository.ts')).toBe(true);
    expect(isRepository('rentals/repository/schedule.ts')).toBe(true);
    expect(isRepository('users/service.ts')).toBe(false);
  });

  it('has no query site outside a repository but in the files that deliberately keep SQL, and no more there than before', () => {
    const over = [...querySitesOutsideRepositories()]
      .filter(([file, sites]) => sites > (KEEPS_SQL[file]?.[0] ?? 0))
      .map(([file, sites]) => `${file}: ${sites} query sites (allowed ${KEEPS_SQL[file]?.[0] ?? 0})`);
    expect(over).toEqual([]);
  });

  it('lists no file, and no ceiling, above what is there', () => {
    const found = querySitesOutsideRepositories();
    const stale = Object.entries(KEEPS_SQL)
      .filter(([file, [ceiling]]) => (found.get(file) ?? 0) < ceiling)
      .map(([file, [ceiling]]) => `${file}: allowed ${ceiling}, has ${found.get(file) ?? 0}`);
    expect(stale).toEqual([]);
  });
});
