import { describe, expect, it } from 'vitest';
import type { CellOrder, HeatmapValues } from '../../web/src/lib/api/types.ts';
import { heatmapOfValues } from '../../web/src/lib/analytics/compact-heatmap.ts';
import { cellClass, fillColor } from '../../web/src/lib/analytics/heatmap-fill.ts';
import { classIndex, suppressedColor } from '../../web/src/lib/map/scales.ts';

/** Issue 18: the leader's area heatmap from a values answer, coloured by a class per cell. */
const cells: CellOrder = { order: 'grid-3-abc', level: 'grid', shapesVersion: 'shapes-1', codes: ['a', 'b', 'c'], names: ['A', null, 'C'] };
const answer: HeatmapValues = {
  metric: 'floating_density',
  label: '流动人口密度',
  level: 'grid',
  unit: '人/km²',
  definition: '…',
  time: { asOf: '2026-11-30' },
  filters: {},
  computedFrom: 'grid_population_daily',
  privacy: { k: 5, applied: true, suppressedCells: 1 },
  breaks: { quantile: [0, 10, 20], jenks: [0, 10, 20] },
  breaksOver: null,
  dataVersion: 'v1',
  order: 'grid-3-abc',
  values: [10, null, 12],
  suppressed: [1],
};

describe('a values answer read back as the heatmap the legend, ranking and tooltip take', () => {
  it('pairs values[i] with codes[i] and names[i], and marks the withheld indexes', () => {
    const heatmap = heatmapOfValues(answer, cells);
    expect(heatmap.cells).toEqual([
      { code: 'a', name: 'A', areaKm2: 0, value: 10 },
      { code: 'b', name: null, areaKm2: 0, value: null, suppressed: true },
      { code: 'c', name: 'C', areaKm2: 0, value: 12 },
    ]);
    expect(heatmap.breaks).toEqual(answer.breaks);
    expect(heatmap).not.toHaveProperty('values');
    expect(heatmap).not.toHaveProperty('order');
  });

  it('refuses values that follow another cell order', () => {
    expect(() => heatmapOfValues({ ...answer, order: 'grid-3-other' }, cells)).toThrow(/cell order/);
    expect(() => heatmapOfValues(answer, { ...cells, codes: ['a', 'b'] })).toThrow(/cell order/);
  });
});

describe('the fill class of a cell', () => {
  it('is the legend class of its value (boundaries belong to the lower class), withheld or none', () => {
    const breaks = [0, 10, 20, 30];
    for (const value of [0, 5, 10, 10.5, 20, 29, 30]) expect(cellClass({ code: 'x', areaKm2: 1, value }, breaks)).toBe(classIndex(value, breaks));
    expect(cellClass({ code: 'x', areaKm2: 1, value: 10 }, breaks)).toBe(0);
    expect(cellClass({ code: 'x', areaKm2: 1, value: 11 }, breaks)).toBe(1);
    expect(cellClass({ code: 'x', areaKm2: 1, value: null, suppressed: true }, breaks)).toBe(-1);
    expect(cellClass({ code: 'x', areaKm2: 1, value: null }, breaks)).toBe(-2);
    expect(cellClass({ code: 'x', areaKm2: 1, value: 3 }, [])).toBe(-2);
  });

  it('is coloured by the legend colours, withheld grey, transparent without a value', () => {
    expect(fillColor(['#111111', '#222222'])).toEqual([
      'match',
      ['coalesce', ['feature-state', 'class'], -2],
      -1,
      suppressedColor,
      0,
      '#111111',
      1,
      '#222222',
      'rgba(255, 255, 255, 0)',
    ]);
  });
});
