import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench, SMOKE_SIZES, type BenchReport } from '../../scripts/bench/run.ts';
import { TEST_DATABASE_URL } from '../helpers/database.ts';

/**
 * `npm run bench` at the tiny scale: a scratch database loaded with the COPY loader, the real
 * server in its own process, every measurement taken over HTTP. Checks that every figure is
 * there and no acknowledged registration went missing, not the performance targets (those are
 * for the city-scale run, whose results are in the README).
 */
const unavailable = TEST_DATABASE_URL ? undefined : 'TEST_DATABASE_URL is not set: the bench needs a real PostgreSQL + PostGIS server';
if (unavailable) process.stdout.write(`[renwu tests] skipping the bench smoke test: ${unavailable}\n`);

const FIGURES = [
  'heatmap.city',
  'heatmap.city.cells',
  'heatmap.city.naive',
  'heatmap.city.ratio',
  'slider',
  'slider.naive',
  'slider.ratio',
  'hotspots.city',
  'hotspots.emerging',
  'hotspots.emerging.sql',
  'hotspots.changes',
  'drilldown',
  'writes',
  'writes.latency',
  'tiles',
  'health',
  'firstPaint',
];

describe.skipIf(unavailable)('the benchmark at tiny scale (real server, real PostGIS)', () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renwu-bench-'));
  let report: BenchReport;

  beforeAll(async () => {
    report = await runBench({
      serverUrl: TEST_DATABASE_URL,
      scale: 'tiny',
      sizes: SMOKE_SIZES,
      outDir,
      rebuildDashboard: false,
      log: () => {},
      progress: () => {},
    });
  }, 120_000);
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('measures every figure (only the browser one may be skipped, with a reason)', () => {
    const byKey = new Map(report.figures.map((figure) => [figure.key, figure]));
    for (const key of FIGURES) {
      const figure = byKey.get(key);
      expect(figure, key).toBeDefined();
      expect(figure!.failed, key).toBeUndefined();
      if (figure!.skipped) {
        expect(key).toBe('firstPaint');
        expect(figure!.skipped.length).toBeGreaterThan(5);
        continue;
      }
      const numbers = figure!.unit === 'ms' ? [figure!.p50, figure!.p95] : [figure!.value];
      for (const number of numbers) expect(Number.isFinite(number) && number! > 0, `${key}: ${JSON.stringify(figure)}`).toBe(true);
    }
    // Every zoom the map uses answered.
    expect(report.figures.filter((figure) => figure.key.startsWith('tiles.')).length).toBe(7);
  });

  it('finds every acknowledged registration afterwards: person, residency, audit row and grid count', () => {
    const check = report.checks.noLostWrites;
    expect(check.acknowledged).toBe(SMOKE_SIZES.writes);
    expect(check).toMatchObject({
      passed: true,
      persons: check.acknowledged,
      currentResidenciesInTheirUnits: check.acknowledged,
      auditRows: check.acknowledged,
      gridCountsRaisedBy: check.acknowledged,
    });
  });

  it('serves a heatmap equal to the naive count from the base tables', () => {
    expect(report.checks.heatmapMatchesNaive).toMatchObject({ passed: true, mismatches: 0 });
    // The timed answer is the compact one: it carries the full answer's values, grid by grid.
    expect(report.checks.heatmapMatchesNaive.compact).toMatchObject({ passed: true, mismatches: 0 });
  });

  it('saves the figures with the machine and its load as JSON', () => {
    const saved = JSON.parse(fs.readFileSync(report.file!, 'utf8')) as BenchReport;
    expect(path.basename(report.file!)).toMatch(/^\d{4}-\d{2}-\d{2}T.*-tiny\.json$/);
    expect(saved.machine.cores).toBeGreaterThan(0);
    expect(saved.machine.postgres).toMatch(/^\d+/);
    expect(saved.machine.loadAverage.before).toHaveLength(3);
    expect(saved.machine.loadAverage.after).toHaveLength(3);
    expect(saved.city.persons).toBeGreaterThan(1000);
    expect(saved.figures.map((figure) => figure.key)).toEqual(report.figures.map((figure) => figure.key));
  });
});
