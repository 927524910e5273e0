/**
 * Legend class breaks for choropleth maps, computed once on the server so that every client
 * draws the same legend. Pure: shared by the server and the web app.
 *
 * Both functions return class boundaries [b0, b1, …, bn], n classes, b0 the smallest and bn
 * the largest value: the first class holds b0 <= v <= b1, class i > 0 holds b(i) < v <= b(i+1).
 * Boundaries increase strictly except that b1 may equal b0 (a first class of just the smallest
 * value, e.g. the zeros). Ties that would leave a class empty merge it away, so fewer distinct
 * values than classes give fewer classes; a single distinct value v gives [v, v]; none give [].
 */
export const DEFAULT_CLASS_COUNT = 5;

export interface ClassBreaks {
  quantile: number[];
  jenks: number[];
}

export function classBreaks(values: ArrayLike<number>, classes = DEFAULT_CLASS_COUNT): ClassBreaks {
  const sorted = sortedCopy(values);
  return { quantile: quantileBreaksOfSorted(sorted, classes), jenks: jenksBreaksOfSorted(sorted, classes) };
}

/** Boundaries at the quantiles i/classes, interpolated linearly between ranks (Excel PERCENTILE.INC, numpy default). */
export function quantileBreaks(values: readonly number[], classes = DEFAULT_CLASS_COUNT): number[] {
  return quantileBreaksOfSorted(sortedCopy(values), classes);
}

/**
 * Jenks natural breaks: the split into contiguous classes with the least total within-class
 * sum of squared deviations (Fisher's exact optimum, i.e. optimal 1-D k-means), over at most
 * JENKS_MAX_VALUES values. Boundaries are each class's largest value.
 */
export function jenksBreaks(values: readonly number[], classes = DEFAULT_CLASS_COUNT): number[] {
  return jenksBreaksOfSorted(sortedCopy(values), classes);
}

function sortedCopy(values: ArrayLike<number>): Float64Array {
  // A typed array sorts numerically, and fast; one given as such is copied as a block (a whole-city map's 20,000 values).
  const copy = values instanceof Float64Array ? values.slice() : Float64Array.from(values);
  for (let index = 0; index < copy.length; index += 1) {
    if (!Number.isFinite(copy[index])) throw new Error(`class breaks need finite numbers, got ${copy[index]}`);
  }
  return copy.sort();
}

function assertClassCount(classes: number): void {
  if (!Number.isInteger(classes) || classes < 1) throw new Error(`classes must be a positive integer, got ${classes}`);
}

/** Drops boundaries that would bound an empty class (see the rule at the top). */
function withoutEmptyClasses(bounds: number[]): number[] {
  const kept = bounds.slice(0, 2);
  for (const bound of bounds.slice(2)) if (bound > kept[kept.length - 1]!) kept.push(bound);
  return kept.length === 1 ? [kept[0]!, kept[0]!] : kept;
}

function quantileBreaksOfSorted(sorted: Float64Array, classes: number): number[] {
  assertClassCount(classes);
  if (sorted.length === 0) return [];
  const bounds: number[] = [];
  for (let step = 0; step <= classes; step += 1) {
    // Position (n-1)·step/classes as a whole rank plus remainder/classes, kept in integers so
    // that whole positions and simple fractions come out exact.
    const scaled = (sorted.length - 1) * step;
    const lower = Math.floor(scaled / classes);
    const remainder = scaled - lower * classes;
    const upper = Math.min(lower + 1, sorted.length - 1);
    bounds.push(sorted[lower]! + (remainder * (sorted[upper]! - sorted[lower]!)) / classes);
  }
  return withoutEmptyClasses(bounds);
}

function countDistinct(sorted: Float64Array): number {
  let distinct = sorted.length > 0 ? 1 : 0;
  for (let index = 1; index < sorted.length; index += 1) if (sorted[index] !== sorted[index - 1]) distinct += 1;
  return distinct;
}

/**
 * Above this many values Jenks runs on this many of them, evenly spaced by rank (smallest and
 * largest included): the legend of a 20,000-grid city then costs milliseconds, and its breaks
 * stay within one rank step of the exact optimum. Below it the result is exact.
 */
export const JENKS_MAX_VALUES = 4096;

function evenlyRanked(sorted: Float64Array, count: number): Float64Array {
  if (sorted.length <= count) return sorted;
  return Float64Array.from({ length: count }, (_, index) => sorted[Math.round((index * (sorted.length - 1)) / (count - 1))]!);
}

function jenksBreaksOfSorted(allSorted: Float64Array, classes: number): number[] {
  assertClassCount(classes);
  if (allSorted.length === 0) return [];
  const sorted = evenlyRanked(allSorted, JENKS_MAX_VALUES);
  const classCount = Math.min(classes, countDistinct(sorted));
  const starts = optimalClassStarts(sorted, classCount);
  const uppers = starts.map((start, index) => sorted[(starts[index + 1] ?? sorted.length) - 1]!);
  return withoutEmptyClasses([sorted[0]!, ...uppers]);
}

/**
 * Index of each class's first value in the optimal split of `sorted` into `classCount` classes.
 * Dynamic programming over prefixes; the best start of the last class moves right as the prefix
 * grows, so each layer is filled by divide and conquer in O(n log n) instead of O(n²).
 */
function optimalClassStarts(sorted: Float64Array, classCount: number): number[] {
  const size = sorted.length;
  // Prefix sums of values shifted by the median keep the subtraction in the cost accurate.
  const shift = sorted[size >> 1]!;
  const sums = new Float64Array(size + 1);
  const squares = new Float64Array(size + 1);
  for (let index = 0; index < size; index += 1) {
    const value = sorted[index]! - shift;
    sums[index + 1] = sums[index]! + value;
    squares[index + 1] = squares[index]! + value * value;
  }
  // Sum of squared deviations from their mean of sorted[from..to] (inclusive).
  const cost = (from: number, to: number): number => {
    const sum = sums[to + 1]! - sums[from]!;
    const result = squares[to + 1]! - squares[from]! - (sum * sum) / (to - from + 1);
    return result > 0 ? result : 0;
  };
  let previous = new Float64Array(size);
  for (let end = 0; end < size; end += 1) previous[end] = cost(0, end);
  const lastClassStart: Int32Array[] = [new Int32Array(size)];
  for (let layer = 1; layer < classCount; layer += 1) {
    const current = new Float64Array(size);
    const startOf = new Int32Array(size);
    // Ranges still to fill: [endLow, endHigh] with the best start known to lie in [startLow, startHigh].
    const pending: number[] = [layer, size - 1, layer, size - 1];
    while (pending.length > 0) {
      const startHigh = pending.pop()!;
      const startLow = pending.pop()!;
      const endHigh = pending.pop()!;
      const endLow = pending.pop()!;
      if (endLow > endHigh) continue;
      const end = (endLow + endHigh) >> 1;
      let best = Number.POSITIVE_INFINITY;
      let bestStart = startLow;
      const lastStart = end < startHigh ? end : startHigh;
      for (let start = startLow; start <= lastStart; start += 1) {
        const total = previous[start - 1]! + cost(start, end);
        if (total < best) {
          best = total;
          bestStart = start;
        }
      }
      current[end] = best;
      startOf[end] = bestStart;
      pending.push(endLow, end - 1, startLow, bestStart, end + 1, endHigh, bestStart, startHigh);
    }
    previous = current;
    lastClassStart.push(startOf);
  }
  const starts: number[] = [];
  let end = size - 1;
  for (let layer = classCount - 1; layer >= 0; layer -= 1) {
    const start = layer === 0 ? 0 : lastClassStart[layer]![end]!;
    starts.unshift(start);
    end = start - 1;
  }
  return starts;
}
