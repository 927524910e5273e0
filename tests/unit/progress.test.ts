import { describe, expect, it } from 'vitest';
import { announced, createProgressPrinter, type ProgressStream } from '../../server/progress.ts';

/** A stream that keeps what was written; isTTY as a log file or a terminal would say. */
function capture(isTTY: boolean): ProgressStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') };
}

describe('start-up progress', () => {
  it('prints periodic labelled lines, not bars, when the output is not a terminal', () => {
    const stream = capture(false);
    let clock = 0;
    const report = createProgressPrinter(stream, { intervalMs: 5000, now: () => clock });
    for (let grid = 1; grid <= 120; grid += 1) {
      clock += 100; // 12 s in all: a line when the step starts and one every 5 s
      report('buildings (grids)', grid, 120);
    }
    const lines = stream.text().trimEnd().split('\n');
    expect(lines.length).toBe(4);
    expect(lines[0]).toMatch(/^ {2}buildings \(grids\) +1% {2}1\/120$/);
    expect(lines[1]).toMatch(/buildings \(grids\) +43% {2}51\/120$/);
    expect(lines.at(-1)).toMatch(/buildings \(grids\) +100% {2}120\/120$/);
    expect(stream.text()).not.toMatch(/[█░\r]/);
  });

  it('prints a completion reported twice in a row once (the permits step)', () => {
    const stream = capture(false);
    const report = createProgressPrinter(stream);
    report('permits', 3000, 3000);
    report('permits', 3000, 3000);
    expect(stream.text().match(/permits/g)).toHaveLength(1);
  });

  it('draws a bar redrawn in place on a terminal, ending the line at 100%', () => {
    const stream = capture(true);
    const report = createProgressPrinter(stream);
    report('people (buildings)', 1, 2);
    report('people (buildings)', 2, 2);
    expect(stream.text()).toMatch(/^\r {2}people \(buildings\) +█+░+ +50% {2}1\/2\r {2}people \(buildings\) +█+ +100% {2}2\/2\n$/s);
  });

  it('says when opening the database begins and how long it took', async () => {
    const stream = capture(false);
    let clock = 1000;
    const answer = await announced(
      'opening and migrating the database',
      async () => {
        clock += 12_300;
        return 42;
      },
      stream,
      () => clock,
    );
    expect(answer).toBe(42);
    expect(stream.text()).toBe('  opening and migrating the database …\n  opening and migrating the database: done in 12.3 s\n');
  });
});
