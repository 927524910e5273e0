import { describe, expect, it } from 'vitest';
import { percent } from '../../server/domain/heatmap-metrics.ts';
import { formatRate, occupancyRate } from '../../web/src/lib/compounds/format.ts';

/**
 * The compound panel computes each building's occupancy rate (occupied units ÷ units) itself, from
 * the drill-down's counts: it must round exactly as the server rounds the compound's own rate.
 */
describe('building occupancy rate in the compound panel', () => {
  it('equals the server’s percent for every count up to 200 units', () => {
    for (let units = 0; units <= 200; units += 1) {
      for (let occupied = 0; occupied <= units; occupied += 1) {
        expect(occupancyRate(occupied, units), `${occupied}/${units}`).toBe(percent(occupied, units));
      }
    }
  });

  it('writes a rate with up to two decimals and a dash for a building without units', () => {
    expect(formatRate(84.96, 'zh-CN')).toBe('84.96%');
    expect(formatRate(100, 'en')).toBe('100%');
    expect(formatRate(null, 'en')).toBe('—');
  });
});
