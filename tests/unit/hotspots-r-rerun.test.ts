import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The Gi* reference (tests/fixtures/hotspots/reference.json) is R's output, not hand-edited: R
 * reruns tests/fixtures/hotspots/reference.R to a temporary file and it must give the committed
 * codes, counts, neighbour lists and z-scores. Skipped, with the reason printed, where Rscript or
 * spdep is missing; REQUIRE_R=1 (CI) makes that a failure.
 */
interface Reference {
  codes: string[];
  counts: number[];
  neighbours: Record<string, string[]>;
  z: Record<string, number>;
  neighbourhood: string;
}

function whyRCannotRun(): string | undefined {
  const probe = spawnSync('Rscript', ['-e', 'suppressPackageStartupMessages({library(spdep); library(sf); library(jsonlite)})'], { encoding: 'utf8' });
  if (probe.error) return `Rscript is not installed (${probe.error.message})`;
  if (probe.status !== 0) return `R lacks spdep, sf or jsonlite: ${probe.stderr.trim().split('\n').at(-1)}`;
  return undefined;
}

const reason = whyRCannotRun();
if (reason && process.env.REQUIRE_R === '1') throw new Error(`REQUIRE_R=1 but ${reason}`);
if (reason) console.warn(`[hotspots-r-rerun] skipped: ${reason} (Debian: apt-get install r-cran-spdep r-cran-jsonlite)`);

const folder = mkdtempSync(join(tmpdir(), 'renwu-r-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe.skipIf(reason !== undefined)('the committed R reference reproduces', () => {
  it('reference.R, rerun, gives the committed reference.json', () => {
    const out = join(folder, 'reference.json');
    execFileSync('Rscript', ['tests/fixtures/hotspots/reference.R', out], { stdio: 'pipe', timeout: 120_000 });
    const rerun = JSON.parse(readFileSync(out, 'utf8')) as Reference;
    const committed = JSON.parse(readFileSync('tests/fixtures/hotspots/reference.json', 'utf8')) as Reference;
    expect(rerun.codes).toEqual(committed.codes);
    expect(rerun.counts).toEqual(committed.counts);
    expect(rerun.neighbourhood).toBe(committed.neighbourhood);
    expect(rerun.neighbours).toEqual(committed.neighbours);
    for (const code of committed.codes) expect(Math.abs(rerun.z[code]! - committed.z[code]!), code).toBeLessThan(1e-12);
  }, 130_000);
});
