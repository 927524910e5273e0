import { describe, expect, it } from 'vitest';
import { serverImportGraph } from '../helpers/source-imports.ts';

// One feature, one folder (issue 17 item 1): a feature may call another feature's service.ts or
// read its contract.ts, never its repository or other internals, so that each feature can change
// its queries and helpers without the others noticing. Imports are read as in import-cycles.test.ts
// (relative imports, type-only ones included).

/**
 * Folders that are not features: shared plumbing every feature may import any file of.
 * domain: pure rules; http: routing, validation, errors, jurisdiction; db: connection, schema,
 * code prefixes; openapi: the document built from the contracts; demo: the demo city and seed;
 * person-data: masking, audited person reads, stays, person locks and guards (docs/conventions.md).
 * Files at the top of server/ (app.ts, routes.ts, config.ts, context.ts…) wire features together.
 */
const SHARED_FOLDERS = new Set(['domain', 'http', 'db', 'openapi', 'demo', 'person-data']);

/** What one feature may import of another: its service and its contract. */
const PUBLIC_FILES = new Set(['service.ts', 'contract.ts']);

/**
 * Files of a feature that are public beyond service/contract: who is calling (auth/session.ts) and
 * how a password is hashed and checked (auth/passwords.ts, also used by user administration).
 */
const PUBLIC_EXTRA = new Set(['auth/session.ts', 'auth/passwords.ts']);

/**
 * Known reaches into another feature's internals, each `importer -> imported`. Every entry is a
 * debt to pay off, not a permission: remove it when the import goes through a service.
 */
const ALLOWED = new Set<string>([]);

/** The feature folder a file belongs to; undefined for shared folders and top-level files. */
function featureOf(file: string): string | undefined {
  const [folder, ...rest] = file.split('/');
  return rest.length === 0 || SHARED_FOLDERS.has(folder!) ? undefined : folder;
}

/** Whether `target` is a file other features may import: service.ts or contract.ts at the top of its feature folder. */
function isPublic(target: string): boolean {
  const [, ...rest] = target.split('/');
  return PUBLIC_EXTRA.has(target) || (rest.length === 1 && PUBLIC_FILES.has(rest[0]!));
}

/** Every `importer -> imported` where a feature reaches into another feature's internals. */
function boundaryViolations(graph: Map<string, string[]>): string[] {
  const violations: string[] = [];
  for (const [file, targets] of graph) {
    const feature = featureOf(file);
    if (feature === undefined) continue;
    for (const target of targets) {
      const other = featureOf(target);
      if (other !== undefined && other !== feature && !isPublic(target)) violations.push(`${file} -> ${target}`);
    }
  }
  return violations.sort();
}

describe('feature boundaries', () => {
  it('finds a reach into another feature’s internals, and only that', () => {
    const graph = new Map([
      ['people/service.ts', ['units/service.ts', 'permits/contract.ts', 'permits/repository.ts', 'people/repository.ts', 'http/errors.ts', 'auth/session.ts']],
      ['units/routes.ts', ['person-data/guards.ts', 'buildings/repository/plans.ts', 'auth/middleware.ts']],
      ['routes.ts', ['people/routes.ts']],
      ['person-data/guards.ts', ['db/schema.ts']],
    ]);
    expect(boundaryViolations(graph)).toEqual([
      'people/service.ts -> permits/repository.ts',
      'units/routes.ts -> auth/middleware.ts',
      'units/routes.ts -> buildings/repository/plans.ts',
    ]);
  });

  it('holds in server/: features meet through services and contracts', () => {
    const unexpected = boundaryViolations(serverImportGraph()).filter((violation) => !ALLOWED.has(violation));
    expect(unexpected).toEqual([]);
  });

  it('lists no allowance that is no longer needed', () => {
    const found = new Set(boundaryViolations(serverImportGraph()));
    expect([...ALLOWED].filter((allowance) => !found.has(allowance))).toEqual([]);
  });
});
