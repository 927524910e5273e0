import { describe, expect, it } from 'vitest';
import { gapColor, gapLegend } from '../../web/src/lib/map/scales.ts';

describe('the planner’s gap legend', () => {
  it('labels each class with exactly the gaps it colours: short by 3 of at most 6 is in the class 3–4', () => {
    expect(gapLegend(6).map(({ from, to }) => [from, to])).toEqual([
      [-6, -5],
      [-4, -3],
      [-2, -1],
      [0, 0],
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const shortByThree = gapLegend(6).find((bin) => bin.from <= -3 && -3 <= bin.to)!;
    expect(shortByThree.color).toBe(gapColor(-3, 6));
    expect([-shortByThree.to, -shortByThree.from]).toEqual([3, 4]);
  });

  it.each([1, 2, 3, 4, 5, 7, 10, 29])('covers every whole gap up to ±%i once, in the colour the map gives it', (maxAbs) => {
    const bins = gapLegend(maxAbs);
    expect(bins[0]!.from).toBe(-maxAbs);
    expect(bins.at(-1)!.to).toBe(maxAbs);
    bins.forEach((bin, index) => {
      if (index > 0) expect(bin.from).toBe(bins[index - 1]!.to + 1);
      for (let gap = bin.from; gap <= bin.to; gap += 1) expect(gapColor(gap, maxAbs)).toBe(bin.color);
    });
    expect(new Set(bins.map((bin) => bin.color)).size).toBe(bins.length);
  });
});
