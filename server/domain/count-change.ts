/**
 * What changed (issue 21): two counts of one cell compared, then and now, with the conditional
 * test of two Poisson counts. Pure: no I/O.
 *
 * If the counts are Poisson with rates λ₁ (now, over exposure t₁) and λ₀ (then, over t₀), then
 * given their total n = x₁ + x₀, x₁ is Binomial(n, t₁/(t₁ + t₀)) when λ₁ = λ₀ (Przyborowski and
 * Wilenski 1940): the exact binomial test of x₁ out of n is the test of "no change in rate".
 * Two-sided as R's binom.test: the probability of every outcome no likelier than the one seen.
 */

/** Below this total (x₁ + x₀) no test is made: no split of 5 counts reaches p < 0.05 (min 2·0.5⁵ = 0.0625). */
export const MIN_TESTABLE_TOTAL = 6;

// Lanczos approximation (g = 7, 9 terms): ln Γ(x) to about 1e-15 relative for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const shifted = x - 1;
  let series = LANCZOS[0]!;
  for (let k = 1; k < LANCZOS.length; k++) series += LANCZOS[k]! / (shifted + k);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(series);
}

/** The relative tolerance R's binom.test allows when it compares the outcomes' probabilities. */
const RELATIVE_ERROR = 1 + 1e-7;

/**
 * Two-sided exact binomial p-value of x successes in n trials with success probability p0
 * (0 < p0 < 1): Σ P(X = i) over every i with P(X = i) <= P(X = x). The terms are walked out from
 * the mode, whose probability is computed through ln Γ; a walk stops once its terms no longer add.
 */
export function binomialTwoSidedP(x: number, n: number, p0: number): number {
  if (!Number.isInteger(x) || !Number.isInteger(n) || x < 0 || x > n) throw new Error(`binomialTwoSidedP: bad counts x ${x}, n ${n}`);
  if (!(p0 > 0 && p0 < 1)) throw new Error(`binomialTwoSidedP: p0 ${p0} must lie strictly between 0 and 1`);
  const logPmf = (i: number) => logGamma(n + 1) - logGamma(i + 1) - logGamma(n - i + 1) + i * Math.log(p0) + (n - i) * Math.log1p(-p0);
  const threshold = Math.exp(logPmf(x)) * RELATIVE_ERROR;
  const mode = Math.min(n, Math.floor((n + 1) * p0));
  const odds = p0 / (1 - p0);
  const atMode = Math.exp(logPmf(mode));
  let total = atMode <= threshold ? atMode : 0;
  // Downwards: P(i − 1) = P(i) · i / ((n − i + 1) · odds).
  let term = atMode;
  for (let i = mode; i > 0; i--) {
    term *= i / ((n - i + 1) * odds);
    if (term <= threshold) {
      if (term < total * 1e-17 || term === 0) break;
      total += term;
    }
  }
  // Upwards: P(i + 1) = P(i) · (n − i) · odds / (i + 1).
  term = atMode;
  for (let i = mode; i < n; i++) {
    term *= ((n - i) * odds) / (i + 1);
    if (term <= threshold) {
      if (term < total * 1e-17 || term === 0) break;
      total += term;
    }
  }
  return Math.min(1, total);
}

export type Direction = 'up' | 'down' | 'same';

export interface CountChange {
  change: number;
  /** Change in percent of the earlier count, to 0.01; null when the earlier count is 0. */
  changePct: number | null;
  /** The conditional test's two-sided p-value; null when current + previous < MIN_TESTABLE_TOTAL. */
  p: number | null;
  direction: Direction;
}

/**
 * The change from `previous` (over exposure `previousExposure`, e.g. days) to `current` (over
 * `currentExposure`) and its test. Counts of stocks on two days (people present) take exposures 1 and 1.
 */
export function compareCounts(current: number, previous: number, currentExposure = 1, previousExposure = 1): CountChange {
  const change = current - previous;
  const total = current + previous;
  return {
    change,
    changePct: previous > 0 ? Math.round((10000 * change) / previous) / 100 : null,
    p: total >= MIN_TESTABLE_TOTAL ? binomialTwoSidedP(current, total, currentExposure / (currentExposure + previousExposure)) : null,
    direction: change > 0 ? 'up' : change < 0 ? 'down' : 'same',
  };
}

// ---------------------------------------------------------------- dates

const isLastDayOfMonth = (year: number, month: number, day: number) => day === new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * The same day `months` months away ('YYYY-MM-DD'): a month's last day goes to the other month's
 * last day (2026-11-30 → 2026-10-31), and a day the other month lacks to its last (03-30 → 02-28).
 */
export function shiftMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  const shiftedDay = isLastDayOfMonth(year, month, day) ? lastDay : Math.min(day, lastDay);
  return `${target.toISOString().slice(0, 8)}${String(shiftedDay).padStart(2, '0')}`;
}

/** True when `date` is the last day of its month. */
export function isMonthEnd(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return isLastDayOfMonth(year, month, day);
}
