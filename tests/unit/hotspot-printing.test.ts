import { describe, expect, it } from 'vitest';
import { printedP, printedZ, pText, zText } from '../../server/hotspots/service.ts';

/**
 * The hot-spot answer writes z, p and q as text (server/hotspots/service.ts, issue 21: cheaper
 * than printing numbers at 20,000 cells). The text must be valid JSON whose value is the printed
 * number: z to 1e-10, p and q to 10 significant digits, never "-0", null where undefined.
 */
const randomValues = (count: number, draw: () => number) => Array.from({ length: count }, draw);

describe('hot-spot figures written as JSON text', () => {
  it('parse back to the printed numbers, z within 1e-10 and p to 10 significant digits', () => {
    const zs = [...randomValues(5000, () => (Math.random() - 0.5) * 12), 0, -0, 1e-12, -1e-12, 2.5, -3.14159265358979];
    for (const z of zs) {
      const text = zText(z);
      expect(JSON.parse(text)).toBe(printedZ(z));
      expect(Math.abs(JSON.parse(text) - z)).toBeLessThanOrEqual(0.5e-10 + 1e-15);
      expect(text).not.toMatch(/^-0$|\.\d*0$|\.$/);
    }
    const ps = [...randomValues(5000, () => Math.random() ** 6), 1, 0, 0.05, 1e-7, 1.2e-7, 0.000001234, 1e-300];
    for (const p of ps) {
      const text = pText(p);
      expect(JSON.parse(text)).toBe(printedP(p));
      expect(JSON.parse(text)).toBe(Number(p.toPrecision(10)));
      expect(text).not.toMatch(/\.\d*0(e|$)/);
    }
  });

  it('is null where the figure is undefined', () => {
    for (const undefinedFigure of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(zText(undefinedFigure)).toBe('null');
      expect(pText(undefinedFigure)).toBe('null');
      expect(printedZ(undefinedFigure)).toBeNull();
    }
  });
});
