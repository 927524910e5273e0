/** What a bench measures, how it is printed as a table and saved as JSON. */
import fs from 'node:fs';
import path from 'node:path';
import type { Percentiles } from './client.ts';

export interface Figure {
  /** Stable name, e.g. 'heatmap.city' (the smoke test looks figures up by it). */
  key: string;
  label: string;
  unit: 'ms' | 'writes/s' | '×';
  p50?: number;
  p95?: number;
  /** A single value (rates, ratios). */
  value?: number;
  n?: number;
  target?: { text: string; met: boolean };
  /** Why it was not measured (e.g. no Chromium); the figure has no numbers then. */
  skipped?: string;
  /** The error that stopped the measurement (the rest of the bench still runs). */
  failed?: string;
  detail?: Record<string, unknown>;
}

export function latencyFigure(key: string, label: string, stats: Percentiles, targetP95Ms?: number, detail?: Record<string, unknown>): Figure {
  return {
    key,
    label,
    unit: 'ms',
    p50: stats.p50,
    p95: stats.p95,
    n: stats.n,
    ...(targetP95Ms !== undefined && { target: { text: `p95 < ${targetP95Ms} ms`, met: stats.p95 < targetP95Ms } }),
    ...(detail && { detail }),
  };
}

/** How many times slower the naive query is than the API, at the median and against the API's p95. */
export function ratioFigure(key: string, label: string, naive: Percentiles, api: Percentiles, minimum?: number): Figure {
  const value = Math.round((naive.p50 / api.p95) * 10) / 10;
  return {
    key,
    label,
    unit: '×',
    value,
    ...(minimum !== undefined && { target: { text: `≥ ${minimum}×`, met: value >= minimum } }),
    detail: { naiveP50OverApiP50: Math.round((naive.p50 / api.p50) * 10) / 10, naiveP50OverApiP95: value },
  };
}

export function skippedFigure(key: string, label: string, unit: Figure['unit'], reason: string): Figure {
  return { key, label, unit, skipped: reason };
}

/** Runs one measurement; an error becomes a failed figure instead of ending the bench. */
export async function guarded(key: string, label: string, unit: Figure['unit'], measure: () => Promise<Figure[]>): Promise<Figure[]> {
  try {
    return await measure();
  } catch (error) {
    return [{ key, label, unit, failed: error instanceof Error ? error.message.split('\n')[0]! : String(error) }];
  }
}

function shown(figure: Figure): string {
  if (figure.failed) return 'FAILED';
  if (figure.skipped) return 'skipped';
  return figure.p50 !== undefined ? `${figure.p50} / ${figure.p95} ${figure.unit}` : `${figure.value} ${figure.unit}`;
}

function verdict(figure: Figure): string {
  if (figure.failed || figure.skipped) return (figure.failed ?? figure.skipped)!.slice(0, 120);
  return figure.target ? (figure.target.met ? 'met' : 'MISSED') : '';
}

export function printTable(figures: readonly Figure[]): string {
  const rows = figures.map((figure) => [
    figure.label,
    shown(figure),
    figure.n !== undefined ? String(figure.n) : '',
    figure.target?.text ?? '',
    verdict(figure),
  ]);
  const header = ['measure', 'p50 / p95 (or value)', 'n', 'target', 'result'];
  const widths = header.map((title, column) => Math.max(width(title), ...rows.map((row) => width(row[column]!))));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell + ' '.repeat(widths[column]! - width(cell))).join(' | ')} |`;
  return [line(header), `|${widths.map((size) => '-'.repeat(size + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Display width: CJK characters take two columns. */
function width(text: string): number {
  let columns = 0;
  for (const character of text) columns += /[\u1100-\uFFFF]/.test(character) && !/[×≥–—]/.test(character) ? 2 : 1;
  return columns;
}

export function saveReport(directory: string, scale: string, report: object): string {
  fs.mkdirSync(directory, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(directory, `${stamp}-${scale}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
