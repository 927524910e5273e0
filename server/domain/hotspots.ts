/**
 * Hot-spot analysis (issue 21): the Getis-Ord Gi* statistic per cell, its two-sided p-value from
 * the normal distribution, the Benjamini–Hochberg false discovery rate, and the hot/cold classes
 * at 90/95/99% confidence. Pure: no I/O, shared with the web.
 *
 * Neighbourhood: queen contiguity of the cell polygons (two cells are neighbours when their
 * boundaries share at least one point, an edge or a corner), with each cell counted as its own
 * neighbour (the "star" statistic), binary weights w_ij = 1 for j in N(i) ∪ {i}, else 0.
 *
 * Gi* (Getis & Ord 1992; Ord & Getis 1995), over the n cells of the study area:
 *
 *            Σ_j w_ij x_j − X̄ W_i
 *   Gi* = ─────────────────────────────────────     X̄ = Σ_j x_j / n
 *          S · sqrt( (n S1_i − W_i²) / (n − 1) )     S = sqrt( Σ_j x_j² / n − X̄² )
 *
 * with W_i = Σ_j w_ij and S1_i = Σ_j w_ij² (both |N(i)| + 1 with binary weights). Gi* is itself
 * a z-score. This is spdep's localG(x, nb2listw(include.self(nb), style = "B")) and ArcGIS's
 * Hot Spot Analysis with contiguity (edges corners) and self-potential; the test compares it
 * with R's output (tests/fixtures/hotspots/reference.R).
 */

/** Neighbour lists: neighbours[i] holds the indices of the cells touching cell i (not i itself). */
export type Neighbours = readonly (readonly number[])[];

/**
 * Gi* z-score of every cell; NaN where it is undefined (all values equal, or a cell whose
 * neighbourhood is the whole study area, so that the variance is zero).
 */
export function getisOrdGiStar(values: readonly number[], neighbours: Neighbours): number[] {
  if (neighbours.length !== values.length) throw new Error(`getisOrdGiStar: ${values.length} values but ${neighbours.length} neighbour lists`);
  return Array.from(giStarScores(values, neighbours));
}

/** The Gi* arithmetic, on any array of values: plain arrays for hotspots(), typed ones for emerging hot spots. */
function giStarScores(values: ArrayLike<number>, neighbours: Neighbours): Float64Array {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  // The population variance, computed around the mean for accuracy (Σx²/n − X̄² cancels badly).
  let squaredDeviations = 0;
  for (let i = 0; i < n; i++) squaredDeviations += (values[i]! - mean) * (values[i]! - mean);
  const s = Math.sqrt(squaredDeviations / n);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const around = neighbours[i]!;
    let local = values[i]!;
    for (const j of around) local += values[j]!;
    const weights = around.length + 1;
    const spread = s * Math.sqrt((n * weights - weights * weights) / (n - 1));
    z[i] = spread > 0 ? (local - mean * weights) / spread : Number.NaN;
  }
  return z;
}

// ---------------------------------------------------------------- the normal distribution

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * erfc(x) for x >= 0 to about 1e-15 relative: below 2 by the all-positive series
 * erf(x) = 2/√π e^(−x²) Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), above by the continued fraction
 * erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) (Lentz's method).
 */
function erfcNonNegative(x: number): number {
  if (x < 2) {
    let term = x;
    let total = x;
    for (let k = 1; k < 200 && term > total * 1e-17; k++) {
      term *= (2 * x * x) / (2 * k + 1);
      total += term;
    }
    return 1 - (2 / SQRT_PI) * Math.exp(-x * x) * total;
  }
  // Evaluated from the tail back to the head: 60 levels are ample for x >= 2.
  let fraction = x;
  for (let k = 60; k >= 1; k--) fraction = x + k / 2 / fraction;
  return Math.exp(-x * x) / SQRT_PI / fraction;
}

/** Two-sided p-value of a standard normal z-score: P(|Z| >= |z|); NaN stays NaN. */
export function twoSidedP(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  return erfcNonNegative(Math.abs(z) / Math.SQRT2);
}

// ---------------------------------------------------------------- multiple testing

/**
 * Benjamini–Hochberg adjusted p-values (q-values): q_(k) = min over j >= k of p_(j) · m / j,
 * capped at 1, over the m defined p-values (NaN stays NaN and is not counted). A cell is
 * significant at level α with the false discovery rate held at α when q <= α (ArcGIS's FDR option).
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const order = pValues.map((_, index) => index).filter((index) => !Number.isNaN(pValues[index]!));
  order.sort((a, b) => pValues[a]! - pValues[b]!);
  const m = order.length;
  const q = pValues.map(() => Number.NaN);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const index = order[rank - 1]!;
    running = Math.min(running, (pValues[index]! * m) / rank);
    q[index] = running;
  }
  return q;
}

// ---------------------------------------------------------------- classes

/** −3 … 3: cold or hot spot at 99% (±3), 95% (±2), 90% (±1) confidence; 0 not significant. */
export type HotspotClass = -3 | -2 | -1 | 0 | 1 | 2 | 3;

export const CONFIDENCE_LEVELS = [
  { level: 3, confidence: 99, alpha: 0.01 },
  { level: 2, confidence: 95, alpha: 0.05 },
  { level: 1, confidence: 90, alpha: 0.1 },
] as const;

/** The class of a cell from its z-score and the p-value it is judged by (raw or FDR-adjusted). */
export function hotspotClass(z: number, p: number): HotspotClass {
  if (Number.isNaN(z) || Number.isNaN(p) || z === 0) return 0;
  const found = CONFIDENCE_LEVELS.find((entry) => p <= entry.alpha);
  if (!found) return 0;
  return (Math.sign(z) * found.level) as HotspotClass;
}

export interface HotspotResult {
  z: number;
  p: number;
  /** Benjamini–Hochberg adjusted p-value. */
  q: number;
  /** Judged by q when the false discovery rate is controlled, else by p. */
  class: HotspotClass;
}

/** Gi*, p, q and class of every cell, in the order of `values`. */
export function hotspots(values: readonly number[], neighbours: Neighbours, options: { fdr: boolean } = { fdr: true }): HotspotResult[] {
  if (neighbours.length !== values.length) throw new Error(`hotspots: ${values.length} values but ${neighbours.length} neighbour lists`);
  // The typed-array step (the arithmetic of getisOrdGiStar, twoSidedP and benjaminiHochberg): one
  // native sort instead of a comparator sort, a few ms rather than tens over 20,000 cells.
  const { z, p, q, classes } = stepScores(Float64Array.from(values), neighbours, options.fdr);
  const results: HotspotResult[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) results[i] = { z: z[i]!, p: p[i]!, q: q[i]!, class: classes[i]! as HotspotClass };
  return results;
}

// ---------------------------------------------------------------- emerging hot spots

export interface TrendTest {
  /** Mann-Kendall S: Σ over pairs k < j of sign(x_j − x_k). */
  s: number;
  /** Var(S) with the correction for tied groups. */
  variance: number;
  /** (S − 1)/√Var for S > 0, (S + 1)/√Var for S < 0, 0 for S = 0 (continuity correction). */
  z: number;
  /** Two-sided, from the normal distribution. */
  p: number;
  /**
   * Kendall's tau-b of the series against time: S / √(n₀ (n₀ − n₁)), n₀ = n(n−1)/2, n₁ = Σ_t t(t−1)/2
   * (time has no ties); 0 where undefined (fewer than two distinct values). What R's Kendall::MannKendall reports.
   */
  tau: number;
}

/**
 * The Mann-Kendall trend test (Mann 1945; Kendall 1975), as the Emerging Hot Spot Analysis
 * applies it to the Gi* z-scores of one cell over the time steps:
 * Var(S) = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18, t the sizes of groups of equal values.
 */
export function mannKendall(series: readonly number[]): TrendTest {
  const n = series.length;
  let s = 0;
  for (let k = 0; k < n - 1; k++) {
    const earlier = series[k]!;
    for (let j = k + 1; j < n; j++) {
      const later = series[j]!;
      if (later > earlier) s++;
      else if (later < earlier) s--;
    }
  }
  // Groups of equal values: runs in a sorted copy (cheaper than a Map, run 20,000 times per request).
  const sorted = Float64Array.from(series).sort();
  let ties = 0;
  let tiedPairs = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && sorted[end] === sorted[start]) end++;
    const t = end - start;
    ties += t * (t - 1) * (2 * t + 5);
    tiedPairs += (t * (t - 1)) / 2;
    start = end;
  }
  const variance = (n * (n - 1) * (2 * n + 5) - ties) / 18;
  const z = variance > 0 && s !== 0 ? (s - Math.sign(s)) / Math.sqrt(variance) : 0;
  const pairs = (n * (n - 1)) / 2;
  const tau = pairs > tiedPairs ? s / Math.sqrt(pairs * (pairs - tiedPairs)) : 0;
  return { s, variance, z, p: twoSidedP(z), tau };
}

export const EMERGING_CATEGORIES = ['new', 'consecutive', 'intensifying', 'persistent', 'diminishing', 'sporadic', 'oscillating', 'historical'] as const;
export type EmergingCategory = (typeof EMERGING_CATEGORIES)[number];

/** A cell's pattern over the time steps: a category of hot or cold spot, or none. */
export type EmergingPattern = { kind: 'hot' | 'cold'; category: EmergingCategory } | { kind: 'none'; category: null };

/** ArcGIS's share of steps that makes a spot intensifying, persistent, diminishing or historical. */
export const MOSTLY = 0.9;
/** Significance of the Mann-Kendall trend (ArcGIS: "statistically significant" increase or decrease). */
export const TREND_ALPHA = 0.05;

/**
 * The Emerging Hot Spot Analysis categories of ArcGIS ("How Emerging Hot Spot Analysis works"),
 * for hot spots; cold spots mirror them (a significant decrease intensifies a cold spot).
 * `classes` are the cell's Gi* classes per step, oldest first (non-zero = significant at 90%
 * or more, after the FDR correction); `trend` the Mann-Kendall test of its Gi* z-scores.
 * - intensifying / persistent / diminishing: hot in at least 90% of the steps, the final one
 *   included; the trend rises significantly / shows nothing significant / falls significantly.
 * - historical: hot in at least 90% of the steps, but not in the final one.
 * - Hot in the final step and in fewer than 90% of them:
 *   oscillating: cold in some earlier step; new: hot in the final step only;
 *   consecutive: one uninterrupted run of at least two hot steps up to the final one, never hot before;
 *   sporadic: on-again off-again hot, never cold.
 */
export function emergingCategory(classes: readonly HotspotClass[], trend: Pick<TrendTest, 'z' | 'p'>, alpha = TREND_ALPHA): EmergingPattern {
  const n = classes.length;
  if (n === 0) return { kind: 'none', category: null };
  const final = classes[n - 1]!;
  for (const kind of ['hot', 'cold'] as const) {
    const sign = kind === 'hot' ? 1 : -1;
    const isSpot = (value: HotspotClass) => Math.sign(value) === sign;
    const spots = classes.filter(isSpot).length;
    const mostly = spots / n >= MOSTLY;
    if (!isSpot(final)) {
      if (mostly) return { kind, category: 'historical' };
      continue;
    }
    if (mostly) {
      const significant = trend.p < alpha && trend.z !== 0;
      if (!significant) return { kind, category: 'persistent' };
      return { kind, category: Math.sign(trend.z) === sign ? 'intensifying' : 'diminishing' };
    }
    const earlier = classes.slice(0, -1);
    if (earlier.some((value) => Math.sign(value) === -sign)) return { kind, category: 'oscillating' };
    if (spots === 1) return { kind, category: 'new' };
    let runStart = n - 1;
    while (runStart > 0 && isSpot(classes[runStart - 1]!)) runStart--;
    if (runStart + spots === n) return { kind, category: 'consecutive' };
    return { kind, category: 'sporadic' };
  }
  return { kind: 'none', category: null };
}

export interface EmergingResult {
  pattern: EmergingPattern;
  trend: TrendTest;
  /** The cell's Gi* class in each step, oldest first. */
  classes: HotspotClass[];
  /** The cell's Gi* z-score in each step, oldest first (NaN where undefined). */
  zScores: number[];
  /** The cell's Gi*, p, q and class in the final step. */
  final: HotspotResult;
}

/**
 * Gi*, p, BH-adjusted q and class of every cell for one step, on typed arrays: the same arithmetic,
 * in the same order, as getisOrdGiStar, twoSidedP, benjaminiHochberg and hotspotClass (so the
 * same numbers as hotspots()), at a cost emerging hot spots can pay 36 times over 20,000 cells.
 * The q-values come from one native sort of the p-values: tied p-values share their q.
 */
export function stepScores(values: Float64Array, neighbours: Neighbours, fdr: boolean) {
  const n = values.length;
  const z = giStarScores(values, neighbours);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = twoSidedP(z[i]!);
  // Benjamini–Hochberg over the defined p-values, ascending (NaN sorts last in a typed array).
  const sorted = Float64Array.from(p).sort();
  let m = 0;
  while (m < n && !Number.isNaN(sorted[m]!)) m++;
  const qSorted = new Float64Array(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    running = Math.min(running, (sorted[rank - 1]! * m) / rank);
    qSorted[rank - 1] = running;
  }
  const q = new Float64Array(n);
  const classes = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(p[i]!)) {
      q[i] = Number.NaN;
    } else {
      // The last rank holding this p-value (binary search): where the running minimum settles for ties.
      let low = 0;
      let high = m - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (sorted[middle]! <= p[i]!) low = middle;
        else high = middle - 1;
      }
      q[i] = qSorted[low]!;
    }
    classes[i] = hotspotClass(z[i]!, fdr ? q[i]! : p[i]!);
  }
  return { z, p, q, classes };
}

/**
 * Emerging hot spots of cells over time steps: Gi* of each step (the same neighbourhood
 * throughout), then per cell the Mann-Kendall trend of its z-scores and its category.
 * `valuesByStep[t][i]` is cell i's value in step t. An undefined z (a step whose values are
 * all equal) counts as 0: no clustering.
 */
export function emergingHotspots(
  valuesByStep: readonly (readonly number[])[],
  neighbours: Neighbours,
  options: { fdr: boolean; trendAlpha?: number } = { fdr: true },
): EmergingResult[] {
  const steps = valuesByStep.map((values) => {
    if (values.length !== neighbours.length) throw new Error(`emergingHotspots: ${values.length} values but ${neighbours.length} neighbour lists`);
    return stepScores(Float64Array.from(values), neighbours, options.fdr);
  });
  return neighbours.map((_, i) => {
    const classes = steps.map((step) => step.classes[i]! as HotspotClass);
    const zScores = steps.map((step) => step.z[i]!);
    const trend = mannKendall(zScores.map((z) => (Number.isNaN(z) ? 0 : z)));
    const last = steps.at(-1)!;
    const final: HotspotResult = { z: last.z[i]!, p: last.p[i]!, q: last.q[i]!, class: classes.at(-1)! };
    return { pattern: emergingCategory(classes, trend, options.trendAlpha), trend, classes, zScores, final };
  });
}
