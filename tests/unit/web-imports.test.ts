import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { relativeImports, sourceFiles } from '../helpers/source-imports.ts';

/**
 * One contract between server and web (issue 17 item 3). The web may read the server's pure
 * domain modules (server/domain/**) and its answer contracts (server/<feature>/contract.ts),
 * nothing else: no repository, no table types, no feature internals. The contracts themselves
 * import nothing but zod and domain/, so what the web reaches through them stays pure too; and
 * every contract the web reads comes in through one file, web/src/lib/api/contracts.ts, so a
 * moved server folder changes the web in one place.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const SERVER = path.join(ROOT, 'server');
const WEB = path.join(ROOT, 'web/src');
const CONTRACTS_FILE = path.join(WEB, 'lib/api/contracts.ts');

const underServer = (file: string) => file.startsWith(SERVER + path.sep);
const relative = (file: string) => path.relative(ROOT, file);

/** server/domain/** or server/<feature>/contract.ts. */
function isWebReadable(serverFile: string): boolean {
  const parts = path.relative(SERVER, serverFile).split(path.sep);
  return parts[0] === 'domain' || (parts.length === 2 && parts[1] === 'contract.ts');
}

/** "importer → imported" for every server file reached from web/src that the web may not read, following server files' own imports. */
function forbiddenReach(): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const queue = sourceFiles(WEB, ['.ts', '.svelte']);
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const target of relativeImports(file).filter(underServer)) {
      if (!isWebReadable(target)) found.push(`${relative(file)} → ${relative(target)}`);
      else if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return [...new Set(found)];
}

describe('what the web imports from the server', () => {
  it('tells a domain module or a contract from a feature internal', () => {
    expect(isWebReadable(path.join(SERVER, 'domain/calendar.ts'))).toBe(true);
    expect(isWebReadable(path.join(SERVER, 'users/contract.ts'))).toBe(true);
    expect(isWebReadable(path.join(SERVER, 'users/repository.ts'))).toBe(false);
    expect(isWebReadable(path.join(SERVER, 'heatmaps/bbox-limit.ts'))).toBe(false);
    expect(isWebReadable(path.join(SERVER, 'db/schema.ts'))).toBe(false);
    expect(isWebReadable(path.join(SERVER, 'imports/kinds/contract.ts'))).toBe(false);
  });

  it('is server/domain/** and server/*/contract.ts only, directly or through them', () => {
    expect(forbiddenReach()).toEqual([]);
  });

  it('takes every contract through web/src/lib/api/contracts.ts, type-only (no zod in the bundle)', () => {
    const elsewhere = sourceFiles(WEB, ['.ts', '.svelte'])
      .filter((file) => file !== CONTRACTS_FILE)
      .flatMap((file) =>
        relativeImports(file)
          .filter((target) => underServer(target) && target.endsWith(`${path.sep}contract.ts`))
          .map((target) => `${relative(file)} → ${relative(target)}`),
      );
    expect(elsewhere).toEqual([]);
    const valueImports = [...fs.readFileSync(CONTRACTS_FILE, 'utf8').matchAll(/^\s*import\s+(?!type\b)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map(
      (match) => match[1],
    );
    expect(valueImports).toEqual([]);
  });

  it('reaches contracts that import nothing but zod and server/domain', () => {
    const contracts = sourceFiles(SERVER, ['contract.ts']).filter((file) => path.relative(SERVER, file).split(path.sep).length === 2);
    const readByWeb = new Set(relativeImports(CONTRACTS_FILE).filter(underServer));
    const impure = [...readByWeb].flatMap((contract) => {
      const text = fs.readFileSync(contract, 'utf8');
      const packages = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^.'"][^'"]*)['"]/gm)]
        .map((match) => match[1])
        .filter((name) => name !== 'zod');
      const internals = relativeImports(contract).filter((target) => !path.relative(SERVER, target).startsWith(`domain${path.sep}`));
      return [...packages, ...internals.map(relative)].map((what) => `${relative(contract)} → ${what}`);
    });
    expect(readByWeb.size).toBeGreaterThan(5);
    expect(contracts.length).toBeGreaterThanOrEqual(readByWeb.size);
    expect(impure).toEqual([]);
  });
});
