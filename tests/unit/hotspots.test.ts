import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  emergingCategory,
  emergingHotspots,
  getisOrdGiStar,
  hotspotClass,
  hotspots,
  mannKendall,
  twoSidedP,
  type HotspotClass,
} from '../../server/domain/hotspots.ts';

/**
 * Gi* checked by hand on four cells in a row (0–1–2–3) with values 1, 2, 3, 6:
 * n = 4, X̄ = 3, S² = (4 + 1 + 0 + 9) / 4 = 3.5.
 * Ends (W = 2): denominator √3.5 · √((4·2 − 4)/3) = √(14/3); cell 0: (1+2 − 3·2) = −3; cell 3: (3+6 − 6) = 3.
 * Middles (W = 3): denominator √3.5 · √((12 − 9)/3) = √3.5; cell 1: (1+2+3 − 9) = −3; cell 2: (2+3+6 − 9) = 2.
 */
const ROW = [[1], [0, 2], [1, 3], [2]];

describe('Getis-Ord Gi*', () => {
  it('equals the hand-computed z-scores of a row of four cells', () => {
    const z = getisOrdGiStar([1, 2, 3, 6], ROW);
    const expected = [-3 / Math.sqrt(14 / 3), -3 / Math.sqrt(3.5), 2 / Math.sqrt(3.5), 3 / Math.sqrt(14 / 3)];
    z.forEach((score, i) => expect(score).toBeCloseTo(expected[i]!, 12));
  });

  it('is the same whatever the scale and offset of the values (a z-score)', () => {
    const z = getisOrdGiStar([1, 2, 3, 6], ROW);
    const scaled = getisOrdGiStar(
      [1, 2, 3, 6].map((value) => 1000 + 7 * value),
      ROW,
    );
    scaled.forEach((score, i) => expect(score).toBeCloseTo(z[i]!, 9));
  });

  it('is undefined (NaN) when every value is equal, and when a cell neighbours the whole area', () => {
    expect(getisOrdGiStar([4, 4, 4], [[1], [0, 2], [1]]).every(Number.isNaN)).toBe(true);
    const z = getisOrdGiStar([1, 2, 9], [[1], [0, 2], [1]]);
    expect(Number.isNaN(z[1]!)).toBe(true);
    expect(Number.isFinite(z[0]!)).toBe(true);
  });

  it('refuses neighbour lists that do not match the values', () => {
    expect(() => getisOrdGiStar([1, 2], [[1]])).toThrow(/2 values but 1 neighbour lists/);
  });
});

describe('two-sided p-values from the normal distribution', () => {
  // References: Python's math.erfc(z / √2).
  it.each([
    [0, 1],
    [0.5, 0.6170750774519738],
    [1.6448536269514722, 0.1],
    [1.959963984540054, 0.05],
    [1.99, 0.046590935500423675],
    [2.01, 0.044431188858863005],
    [2.5758293035489004, 0.01],
    [3.5, 0.0004652581580710501],
    [5, 5.733031437583892e-7],
    [10, 1.5239706048321186e-23],
  ])('p(|Z| >= %s) = %s, and the same for −z', (z, p) => {
    expect(twoSidedP(z) / p).toBeCloseTo(1, 12);
    expect(twoSidedP(-z)).toBe(twoSidedP(z));
  });

  it('leaves an undefined z undefined', () => {
    expect(Number.isNaN(twoSidedP(Number.NaN))).toBe(true);
  });
});

describe('Benjamini–Hochberg false discovery rate', () => {
  it('adjusts by m/rank and keeps the adjusted values monotone (hand-checked)', () => {
    // Sorted 0.01, 0.03, 0.04, 0.20 → ×4/1, ×4/2, ×4/3, ×4/4 = 0.04, 0.06, 0.0533, 0.2 → running minimum from the top.
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.2]);
    [0.04, 0.16 / 3, 0.16 / 3, 0.2].forEach((expected, i) => expect(q[i]).toBeCloseTo(expected, 12));
  });

  it('caps at 1 and skips undefined p-values (not counted in m)', () => {
    const q = benjaminiHochberg([0.9, Number.NaN, 0.6]);
    expect(q[0]).toBeCloseTo(0.9, 12);
    expect(Number.isNaN(q[1]!)).toBe(true);
    expect(q[2]).toBeCloseTo(0.9, 12);
    expect(benjaminiHochberg([0.8, 0.9, 0.95, 0.99]).every((value) => value <= 1)).toBe(true);
  });
});

describe('hot and cold classes', () => {
  it.each([
    [3.1, 0.002, 3],
    [-3.1, 0.002, -3],
    [2.2, 0.01, 3],
    [2.2, 0.03, 2],
    [-2, 0.05, -2],
    [1.7, 0.09, 1],
    [-1.7, 0.1, -1],
    [1.5, 0.13, 0],
    [Number.NaN, Number.NaN, 0],
  ])('z %s with p %s is class %s', (z, p, expected) => {
    expect(hotspotClass(z, p)).toBe(expected);
  });

  it('judges by the FDR-adjusted p-value unless told otherwise', () => {
    // Sixteen cells in a row, two strong ones at the start: cell 1 has p 0.0025 (99%), but its
    // adjusted q = 0.0025 · 16 / 2 = 0.0196 (95% only).
    const values = [30, 12, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const line = values.map((_, i) => [i - 1, i + 1].filter((j) => j >= 0 && j < values.length));
    const withFdr = hotspots(values, line);
    expect(withFdr[1]!.q).toBeCloseTo(withFdr[1]!.p * 8, 12);
    expect(withFdr.map((cell) => cell.class)).toEqual([3, 2, ...new Array(14).fill(0)]);
    expect(hotspots(values, line, { fdr: false }).map((cell) => cell.class)).toEqual([3, 3, ...new Array(14).fill(0)]);
  });
});

describe('Mann-Kendall trend test', () => {
  it('gives S, Var(S), z and p of a rising series (hand-checked)', () => {
    // Ten increasing pairs: S = 10; Var = 5·4·15/18 = 50/3; z = (10 − 1)/√(50/3) = 2.2045…; p = 0.02749 (math.erfc).
    const trend = mannKendall([1, 2, 3, 4, 5]);
    expect(trend.s).toBe(10);
    expect(trend.variance).toBeCloseTo(50 / 3, 12);
    expect(trend.z).toBeCloseTo(2.2045407685048604, 12);
    expect(trend.p).toBeCloseTo(0.027486336111510353, 12);
    expect(mannKendall([5, 4, 3, 2, 1]).z).toBeCloseTo(-2.2045407685048604, 12);
  });

  it('corrects the variance for ties', () => {
    // Pairs (1,1) 0, (1,2) +1, (1,2) +1: S = 2; Var = (3·2·11 − 2·1·9)/18 = 8/3; z = 1/√(8/3).
    const trend = mannKendall([1, 1, 2]);
    expect(trend).toMatchObject({ s: 2 });
    expect(trend.variance).toBeCloseTo(8 / 3, 12);
    expect(trend.z).toBeCloseTo(0.6123724356957945, 12);
    expect(trend.p).toBeCloseTo(0.5402913746074199, 12);
    expect(mannKendall([2, 2, 2])).toEqual({ s: 0, variance: 0, z: 0, p: 1, tau: 0 });
  });

  it('gives Kendall\'s tau-b against time (R: cor(x, seq_along(x), method = "kendall"))', () => {
    expect(mannKendall([1, 1, 2]).tau).toBeCloseTo(0.81649658092772615, 14);
    expect(mannKendall([3, 1, 4, 1, 5, 9, 2, 6]).tau).toBeCloseTo(0.40006613209931935, 14);
    expect(mannKendall([1, 2, 3, 4, 5]).tau).toBe(1);
  });
});

describe('emerging hot spot categories (ArcGIS definitions, ten steps, oldest first)', () => {
  const O = 0 as HotspotClass;
  const H = 3 as HotspotClass;
  const C = -2 as HotspotClass;
  const series = (...classes: HotspotClass[]) => classes;
  const noTrend = { z: 0.4, p: 0.69 };
  const rising = { z: 3.1, p: 0.002 };
  const falling = { z: -3.1, p: 0.002 };
  it.each([
    ['new: hot in the final step only', series(O, O, O, O, O, O, O, O, O, H), noTrend, 'hot', 'new'],
    ['consecutive: one run of hot steps up to the final one, never hot before', series(O, O, O, O, O, O, O, H, H, H), noTrend, 'hot', 'consecutive'],
    ['consecutive: a run of 8 of 10 (under 90%)', series(O, O, H, H, H, H, H, H, H, H), rising, 'hot', 'consecutive'],
    ['intensifying: hot in 90% with the final, rising significantly', series(O, H, H, H, H, H, H, H, H, H), rising, 'hot', 'intensifying'],
    ['persistent: hot throughout, no significant trend', series(H, H, H, H, H, H, H, H, H, H), noTrend, 'hot', 'persistent'],
    ['persistent: a trend with p just above 0.05 is no trend', series(H, H, H, H, H, H, H, H, H, H), { z: 1.9, p: 0.057 }, 'hot', 'persistent'],
    ['diminishing: hot throughout, falling significantly', series(H, H, H, H, H, H, H, H, H, H), falling, 'hot', 'diminishing'],
    ['sporadic: hot on and off, never cold', series(H, O, H, O, O, H, O, O, O, H), noTrend, 'hot', 'sporadic'],
    ['sporadic: two hot steps, not one run', series(O, O, O, O, O, O, O, H, O, H), noTrend, 'hot', 'sporadic'],
    ['oscillating: hot now, cold before', series(C, O, O, H, O, O, O, O, O, H), noTrend, 'hot', 'oscillating'],
    ['oscillating: a final run after a cold step', series(C, O, O, O, O, O, O, O, H, H), noTrend, 'hot', 'oscillating'],
    ['historical: hot in 90%, not in the final step', series(H, H, H, H, H, H, H, H, H, O), falling, 'hot', 'historical'],
    ['new cold spot', series(O, O, O, O, O, O, O, O, O, C), noTrend, 'cold', 'new'],
    ['consecutive cold spot', series(O, O, O, O, O, O, O, O, C, C), noTrend, 'cold', 'consecutive'],
    ['intensifying cold spot: falling significantly', series(C, C, C, C, C, C, C, C, C, C), falling, 'cold', 'intensifying'],
    ['persistent cold spot', series(C, C, C, C, C, C, C, C, C, C), noTrend, 'cold', 'persistent'],
    ['diminishing cold spot: rising significantly', series(O, C, C, C, C, C, C, C, C, C), rising, 'cold', 'diminishing'],
    ['sporadic cold spot', series(C, O, O, C, O, O, O, O, O, C), noTrend, 'cold', 'sporadic'],
    ['oscillating cold spot', series(O, H, O, O, O, O, O, O, O, C), noTrend, 'cold', 'oscillating'],
    ['historical cold spot', series(C, C, C, C, C, C, C, C, C, O), noTrend, 'cold', 'historical'],
    ['the final step decides: cold for 90%, then hot, oscillates hot', series(C, C, C, C, C, C, C, C, C, H), noTrend, 'hot', 'oscillating'],
  ])('%s', (_name, classes, trend, kind, category) => {
    expect(emergingCategory(classes, trend)).toEqual({ kind, category });
  });

  it.each([
    ['never significant', series(O, O, O, O, O, O, O, O, O, O)],
    ['hot once, long ago', series(H, O, O, O, O, O, O, O, O, O)],
    ['hot in 80%, not in the final step', series(H, H, H, H, H, H, H, H, O, O)],
  ])('no pattern: %s', (_name, classes) => {
    expect(emergingCategory(classes, noTrend)).toEqual({ kind: 'none', category: null });
  });

  it('gives, on its typed-array path, the very z, p, q and classes of hotspots(), tied p-values included', () => {
    // A symmetric line: mirrored cells tie in p, so the BH q-values of ties are exercised.
    const values = [
      [9, 1, 1, 1, 1, 1, 1, 9],
      [30, 12, 5, 1, 1, 5, 12, 30],
      [4, 4, 4, 4, 4, 4, 4, 4],
    ];
    const line = values[0]!.map((_, i) => [i - 1, i + 1].filter((j) => j >= 0 && j < 8));
    for (const fdr of [true, false]) {
      const results = emergingHotspots(values, line, { fdr });
      results.forEach((result, i) => {
        const steps = values.map((step) => hotspots(step, line, { fdr })[i]!);
        expect(result.classes).toEqual(steps.map((step) => step.class));
        expect(result.zScores).toEqual(steps.map((step) => step.z));
        expect(result.final).toEqual(steps.at(-1));
      });
    }
  });

  it("scores each step with Gi* and the trend of each cell's z-scores", () => {
    const values = [
      [1, 2, 3, 6],
      [1, 2, 4, 8],
      [6, 3, 2, 1],
    ];
    const results = emergingHotspots(values, ROW);
    results.forEach((result, i) => {
      expect(result.classes).toEqual(values.map((step) => hotspots(step, ROW)[i]!.class));
      expect(result.trend).toEqual(mannKendall(values.map((step) => getisOrdGiStar(step, ROW)[i]!)));
    });
  });
});
