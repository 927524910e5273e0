import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTime } from '../../web/src/lib/time.ts';

/** Issue 16 item 8: every moment on screen is in the city's zone (UTC+8), whatever the browser's zone is. */
describe('formatTime', () => {
  it('shows a UTC evening as the next morning in Asia/Shanghai, in both languages', () => {
    expect(formatTime('2026-12-04T17:30:05Z', 'zh-CN')).toMatch(/2026\/12\/05 01:30:05/);
    expect(formatTime('2026-12-04T17:30:05Z', 'en')).toMatch(/12\/05\/2026, 01:30:05/);
  });

  it('is the only way web/src shows a moment: no browser-zone toLocaleString', () => {
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? files(full) : /\.(ts|svelte)$/.test(entry.name) ? [full] : [];
      });
    const offenders = files('web/src').filter((file) => /\.toLocale(String|TimeString)\(/.test(fs.readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
