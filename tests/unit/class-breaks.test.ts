import { describe, expect, it } from 'vitest';
import { classBreaks, jenksBreaks, quantileBreaks } from '../../server/domain/class-breaks.ts';

describe('quantile breaks', () => {
  it('takes whole ranks when (n-1)·i/5 is whole', () => {
    // n = 11: positions 0, 2, 4, 6, 8, 10.
    expect(quantileBreaks([11, 1, 10, 2, 9, 3, 8, 4, 7, 5, 6])).toEqual([1, 3, 5, 7, 9, 11]);
  });

  it('interpolates between ranks', () => {
    // n = 4: positions 0, 0.6, 1.2, 1.8, 2.4, 3 over [0, 10, 20, 30].
    const bounds = quantileBreaks([30, 0, 20, 10]);
    [0, 6, 12, 18, 24, 30].forEach((expected, index) => expect(bounds[index]).toBeCloseTo(expected, 9));
    expect(bounds).toHaveLength(6);
  });

  it('collapses tied boundaries into fewer classes', () => {
    // n = 8: positions 0, 1.4, 2.8, 4.2, 5.6, 7 → 0, 0, 0, 0, 0.6·5 = 3, 10: the zeros keep a class of their own.
    expect(quantileBreaks([0, 0, 0, 0, 0, 0, 5, 10])).toEqual([0, 0, 3, 10]);
  });

  it('handles one value and no values', () => {
    expect(quantileBreaks([4, 4, 4])).toEqual([4, 4]);
    expect(quantileBreaks([])).toEqual([]);
  });

  it('takes the class count', () => {
    // n = 5, 2 classes: positions 0, 2, 4.
    expect(quantileBreaks([1, 2, 3, 4, 100], 2)).toEqual([1, 3, 100]);
  });
});

describe('class breaks of a typed array', () => {
  it('gives the breaks of the same values as a plain array, and leaves its input unsorted', () => {
    const values = [30, 0, 20, 10, 7.5, 7.5, 1, 99, 42];
    const typed = Float64Array.from(values);
    expect(classBreaks(typed)).toEqual(classBreaks(values));
    expect([...typed]).toEqual(values);
  });

  it('refuses values that are not finite, typed or not', () => {
    expect(() => classBreaks(Float64Array.of(1, Number.NaN, 3))).toThrow(/finite numbers, got NaN/);
    expect(() => classBreaks([1, Number.POSITIVE_INFINITY])).toThrow(/finite numbers, got Infinity/);
  });
});

describe('Jenks natural breaks', () => {
  it('finds the split with the least within-class squared deviation', () => {
    // [0, 1, 5, 6, 20] in 2 classes: {0}{1,5,6,20} 206; {0,1}{5,6,20} 141.2; {0,1,5}{6,20} 112; {0,1,5,6}{20} 26 → best.
    expect(jenksBreaks([20, 6, 5, 1, 0], 2)).toEqual([0, 6, 20]);
    // 3 classes: {0,1}{5,6}{20} costs 0.5 + 0.5 + 0 = 1, and nothing beats it.
    expect(jenksBreaks([20, 6, 5, 1, 0], 3)).toEqual([0, 1, 6, 20]);
  });

  it('separates obvious clusters into five classes', () => {
    const values = [1, 2, 3, 10, 11, 12, 20, 21, 22, 40, 41, 42, 80, 81, 82];
    expect(jenksBreaks(values)).toEqual([1, 3, 12, 22, 42, 82]);
  });

  it('uses fewer classes when there are fewer distinct values', () => {
    // Three distinct values: three classes {1}, {5}, {9}; the first class is just the smallest value.
    expect(jenksBreaks([1, 1, 1, 5, 5, 5, 9])).toEqual([1, 1, 5, 9]);
    expect(jenksBreaks([7])).toEqual([7, 7]);
    expect(jenksBreaks([])).toEqual([]);
  });

  it('matches an exhaustive search on random data', () => {
    let seed = 20261123;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let trial = 0; trial < 200; trial += 1) {
      const size = 1 + Math.floor(random() * 11);
      // Small integers give ties; wide floats give none.
      const values = Array.from({ length: size }, () => (trial % 2 === 0 ? Math.floor(random() * 8) : random() * 1000));
      const classes = 1 + Math.floor(random() * 5);
      const bounds = jenksBreaks(values, classes);
      expect(costOfBounds(values, bounds)).toBeCloseTo(bestCostByExhaustiveSearch(values, classes), 6);
    }
  });

  it('stays fast on a city of grids, sampling evenly by rank above JENKS_MAX_VALUES', () => {
    const values = Array.from({ length: 20000 }, (_, index) => ((index * 7919) % 20000) ** 1.5 / 1000);
    const started = performance.now();
    const { jenks, quantile } = classBreaks(values);
    expect(performance.now() - started).toBeLessThan(500);
    expect(jenks).toHaveLength(6);
    expect(quantile).toHaveLength(6);
    expect([jenks[0], jenks[5]]).toEqual([0, 19999 ** 1.5 / 1000]);
    // Four clusters of 3,000 values each (12,000 > JENKS_MAX_VALUES): the sample keeps them apart,
    // each break within one rank step (12000 / 4096 < 3 values) of the cluster's largest value.
    const clusters = [0, 100, 200, 300].flatMap((start) => Array.from({ length: 3000 }, (_, index) => start + index / 3000));
    const breaks = jenksBreaks(clusters, 4);
    expect(breaks[0]).toBe(0);
    expect(breaks[4]).toBe(300 + 2999 / 3000);
    [0, 100, 200].forEach((start, index) => expect(breaks[index + 1]).toBeGreaterThanOrEqual(start + 2996 / 3000));
    [0, 100, 200].forEach((start, index) => expect(breaks[index + 1]).toBeLessThan(start + 1));
  });
});

/** Total within-class squared deviation of the classes the bounds describe (b0 <= v <= b1, then b(i) < v <= b(i+1)). */
function costOfBounds(values: number[], bounds: number[]): number {
  const classes = bounds.slice(1).map((upper, index) => values.filter((value) => value <= upper && (index === 0 || value > bounds[index]!)));
  return classes.reduce((total, members) => total + squaredDeviation(members), 0);
}

function squaredDeviation(members: number[]): number {
  if (members.length === 0) return 0;
  const mean = members.reduce((sum, value) => sum + value, 0) / members.length;
  return members.reduce((sum, value) => sum + (value - mean) ** 2, 0);
}

/** Tries every way to cut the sorted values into at most `classes` contiguous runs. */
function bestCostByExhaustiveSearch(values: number[], classes: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  let best = Number.POSITIVE_INFINITY;
  const cut = (start: number, left: number, cost: number): void => {
    if (start === sorted.length) {
      best = Math.min(best, cost);
      return;
    }
    if (left === 0) return;
    for (let end = start + 1; end <= sorted.length; end += 1) cut(end, left - 1, cost + squaredDeviation(sorted.slice(start, end)));
  };
  cut(0, classes, 0);
  return best;
}
