import fs from 'node:fs';
import path from 'node:path';

/**
 * Reading the imports of the project's own source files, for the structure tests
 * (import-cycles, feature-boundaries, web-imports): relative imports only, type-only ones
 * included (they still couple two modules).
 */
export const SERVER = path.resolve(import.meta.dirname, '../../server');

const IMPORT = /^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]/gm;

/** Every file below `directory` whose name ends with one of `extensions`. */
export function sourceFiles(directory: string, extensions: readonly string[] = ['.ts']): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full, extensions);
    return extensions.some((extension) => entry.name.endsWith(extension)) ? [full] : [];
  });
}

/** The absolute paths a file imports relatively (as written, without resolving extensions). */
export function relativeImports(file: string): string[] {
  return [...fs.readFileSync(file, 'utf8').matchAll(IMPORT)].map((match) => path.resolve(path.dirname(file), (match[1] ?? match[2])!));
}

/** Each server file and the server files it imports, as paths under server/ with '/' separators. */
export function serverImportGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const relative = (target: string) => path.relative(SERVER, target).split(path.sep).join('/');
  for (const file of sourceFiles(SERVER)) {
    const targets = relativeImports(file)
      .filter((target) => target.startsWith(SERVER + path.sep))
      .map(relative);
    graph.set(relative(file), [...new Set(targets)]);
  }
  return graph;
}
