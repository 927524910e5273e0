import { describe, expect, it } from 'vitest';
import { binomialTwoSidedP, compareCounts, isMonthEnd, logGamma, MIN_TESTABLE_TOTAL, shiftMonths } from '../../server/domain/count-change.ts';

describe('exact two-sided binomial test (the conditional test of two Poisson counts)', () => {
  // References: R 4's binom.test(x, n, p)$p.value, printed with 17 digits.
  it.each([
    [7, 10, 0.5, 0.34375000000000011],
    [0, 6, 0.5, 0.031250000000000007],
    [30, 45, 0.5, 0.035697803555194745],
    [12, 40, 31 / 61, 0.010594082365951239],
    [120, 200, 0.5, 0.0056851559967503245],
    [3, 3, 0.5, 0.25000000000000006],
    [1500, 2800, 0.5, 0.00016841162264376154],
  ])("x %s of n %s at p0 %s gives R's %s", (x, n, p0, expected) => {
    expect(binomialTwoSidedP(x, n, p0) / expected).toBeCloseTo(1, 9);
  });

  it('is 1 at the expected split and symmetric at p0 = 0.5', () => {
    expect(binomialTwoSidedP(5, 10, 0.5)).toBeCloseTo(1, 12);
    expect(binomialTwoSidedP(2, 10, 0.5)).toBeCloseTo(binomialTwoSidedP(8, 10, 0.5), 14);
  });

  it('refuses impossible counts and probabilities', () => {
    expect(() => binomialTwoSidedP(4, 3, 0.5)).toThrow(/bad counts/);
    expect(() => binomialTwoSidedP(1, 3, 1)).toThrow(/strictly between/);
  });

  it('ln Γ matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
  });
});

describe('compareCounts', () => {
  it('gives the change, its percent, direction and p (equal exposures)', () => {
    expect(compareCounts(30, 15)).toEqual({ change: 15, changePct: 100, direction: 'up', p: binomialTwoSidedP(30, 45, 0.5) });
    expect(compareCounts(2, 3)).toMatchObject({ change: -1, changePct: -33.33, direction: 'down' });
    expect(compareCounts(4, 4)).toMatchObject({ change: 0, changePct: 0, direction: 'same', p: expect.closeTo(1, 12) });
  });

  it('tests against the exposure ratio when the windows differ in length', () => {
    expect(compareCounts(12, 28, 31, 30).p).toBeCloseTo(binomialTwoSidedP(12, 40, 31 / 61), 14);
  });

  it('makes no test below the minimum total, and no percent over an earlier zero', () => {
    expect(MIN_TESTABLE_TOTAL).toBe(6);
    expect(compareCounts(5, 0)).toEqual({ change: 5, changePct: null, direction: 'up', p: null });
    expect(compareCounts(6, 0).p).toBeCloseTo(0.03125, 14);
  });
});

describe('shiftMonths', () => {
  it.each([
    ['2026-11-30', -1, '2026-10-31'],
    ['2026-11-15', -1, '2026-10-15'],
    ['2026-03-30', -1, '2026-02-28'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2026-02-28', -1, '2026-01-31'],
    ['2024-02-29', -12, '2023-02-28'],
    ['2023-02-28', 12, '2024-02-29'],
    ['2026-01-15', -1, '2025-12-15'],
    ['2026-12-04', -12, '2025-12-04'],
  ])('%s shifted %s months is %s', (date, months, expected) => {
    expect(shiftMonths(date, months)).toBe(expected);
  });

  it('knows month ends', () => {
    expect(['2024-02-29', '2026-04-30', '2026-12-31'].every(isMonthEnd)).toBe(true);
    expect(['2026-02-27', '2026-04-29', '2026-12-30'].some(isMonthEnd)).toBe(false);
  });
});
