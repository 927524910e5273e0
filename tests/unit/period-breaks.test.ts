import { describe, expect, it } from 'vitest';
import { classBreaks } from '../../server/domain/class-breaks.ts';
import { fixedBreaks, monthWindows } from '../../server/domain/period-breaks.ts';

describe('monthWindows', () => {
  it('gives each calendar month of the period, the last one cut at the period end', () => {
    expect(monthWindows('2024-11-15', '2025-02-04')).toEqual([
      { month: '2024-11', from: '2024-11-01', to: '2024-11-30' },
      { month: '2024-12', from: '2024-12-01', to: '2024-12-31' },
      { month: '2025-01', from: '2025-01-01', to: '2025-01-31' },
      { month: '2025-02', from: '2025-02-01', to: '2025-02-04' },
    ]);
  });

  it('knows leap years and gives nothing for a reversed period', () => {
    expect(monthWindows('2024-02-01', '2024-02-29')).toEqual([{ month: '2024-02', from: '2024-02-01', to: '2024-02-29' }]);
    expect(monthWindows('2025-03-01', '2025-02-01')).toEqual([]);
  });
});

describe('fixedBreaks', () => {
  // Two months of a growing city: each month's own breaks differ, the fixed ones are shared.
  const december2024 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const december2026 = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

  it('is the breaks of all months pooled, the same whichever month is shown', () => {
    const fixed = fixedBreaks([december2024, december2026]);
    expect(fixed).toEqual(classBreaks([...december2024, ...december2026]));
    expect(fixed.jenks[0]).toBe(0);
    expect(fixed.jenks.at(-1)).toBe(100);
  });

  it('pools typed arrays (the values of a whole level, as the server keeps them) to the same breaks', () => {
    const typed = fixedBreaks([Float64Array.from(december2024), Float64Array.from(december2026)]);
    expect(typed).toEqual(fixedBreaks([december2024, december2026]));
  });

  it('colours a small month pale and a large one dark, where month-by-month breaks colour both alike', () => {
    const own2024 = classBreaks(december2024).jenks;
    const own2026 = classBreaks(december2026).jenks;
    // Month by month, each month's largest value tops its own legend: 9 and 100 look alike.
    expect(own2024.at(-1)).toBe(9);
    expect(own2026.at(-1)).toBe(100);
    // Fixed, 9 falls in the lowest class or two, 100 in the last.
    const fixed = fixedBreaks([december2024, december2026]).jenks;
    const classOf = (value: number) => fixed.findIndex((bound, index) => index > 0 && value <= bound) - 1;
    expect(classOf(9)).toBeLessThanOrEqual(1);
    expect(classOf(100)).toBe(fixed.length - 2);
  });
});
