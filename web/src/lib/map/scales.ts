/**
 * Colour scales for thematic maps, chosen to stay readable with colour-vision deficiencies:
 * sequential scales change lightness monotonically (ColorBrewer YlOrRd, PuBu, YlGnBu, PuRd), the
 * diverging scale is ColorBrewer PuOr (orange for shortage, purple for surplus), and rental
 * tiers carry a pattern and a marker as well as a colour. Pure functions: no map, no DOM.
 */

export type Rgba = [number, number, number, number];

/** Light to dark; a scale with fewer classes takes an evenly spread subset. */
export const sequentialSchemes = {
  warm: ['#ffffb2', '#fed976', '#feb24c', '#fd8d3c', '#f03b20', '#bd0026', '#800026'],
  blue: ['#f1eef6', '#d0d1e6', '#a6bddb', '#74a9cf', '#3690c0', '#0570b0', '#034e7b'],
  green: ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#225ea8', '#0c2c84'],
  purple: ['#f1eef6', '#d4b9da', '#c994c7', '#df65b0', '#e7298a', '#ce1256', '#91003f'],
} as const;
export type SequentialScheme = keyof typeof sequentialSchemes;

/** Cells withheld because fewer than k people live there (k-anonymity). */
export const suppressedColor = '#d9d9d9';
/** Hot-spot maps hatch withheld cells (lines of this colour on suppressedColor), so no one reads them as a class. */
export const withheldHatchColor = '#737373';
/** The same hatching as a CSS background, for the legend's swatch (lines falling left to right, as deck draws them, about 4 px apart). */
export const withheldHatchCss = `repeating-linear-gradient(45deg, ${withheldHatchColor} 0 1.5px, ${suppressedColor} 1.5px 5.5px)`;
export const noDataColor = '#f0f0f0';

export function sequentialColors(scheme: SequentialScheme, classes: number): string[] {
  const colors = sequentialSchemes[scheme];
  if (classes <= 1) return [colors[Math.floor(colors.length / 2)]!];
  const picked: string[] = [];
  for (let index = 0; index < classes; index += 1) {
    picked.push(colors[Math.round((index * (colors.length - 1)) / (classes - 1))]!);
  }
  return picked;
}

/**
 * The class of `value` given the server's boundaries [b0, b1, …, bn] (server/domain/class-breaks.ts):
 * class 0 holds b0 ≤ v ≤ b1, class i > 0 holds b(i) < v ≤ b(i+1). n + 1 boundaries make n classes.
 */
export function classIndex(value: number, breaks: readonly number[]): number {
  const classes = Math.max(1, breaks.length - 1);
  for (let index = 1; index < breaks.length; index += 1) {
    if (value <= breaks[index]!) return index - 1;
  }
  return classes - 1;
}

// ColorBrewer PuOr, 7 classes: orange (short) … neutral … purple (surplus).
const PU_OR = ['#b35806', '#f1a340', '#fee0b6', '#f7f7f7', '#d8daeb', '#998ec3', '#542788'] as const;

/** A collector gap (assigned − need) on the diverging scale; ±maxAbs reach the darkest colours. */
export function gapColor(gap: number, maxAbs: number): string {
  if (gap === 0 || maxAbs <= 0) return PU_OR[3];
  const step = Math.min(3, Math.ceil((Math.abs(gap) / maxAbs) * 3));
  return gap < 0 ? PU_OR[3 - step]! : PU_OR[3 + step]!;
}

/** One class of the gap legend: every whole gap from `from` to `to` (signed, from ≤ to) is drawn in `color`. */
export interface GapBin {
  from: number;
  to: number;
  color: string;
}

/**
 * The diverging legend, from the largest shortage to the largest surplus. Built from gapColor
 * itself, gap by gap, so each class names exactly the gaps it colours (a grid short by 3 falls
 * in the class labelled 3–4, never in one labelled 4).
 */
export function gapLegend(maxAbs: number): GapBin[] {
  const bins: GapBin[] = [];
  for (let gap = -maxAbs; gap <= maxAbs; gap += 1) {
    const color = gapColor(gap, maxAbs);
    const last = bins.at(-1);
    if (last?.color === color) last.to = gap;
    else bins.push({ from: gap, to: gap, color });
  }
  return bins;
}

export type Tier = 'red' | 'yellow' | 'green' | 'star';
export const tiers: readonly Tier[] = ['red', 'yellow', 'green', 'star'];

/** Colour, and a shape of its own (the map draws the same shape), so a tier reads without colour. */
export const tierStyle: Record<Tier, { color: string; marker: string; shape: TierShape }> = {
  red: { color: '#d7301f', marker: '◆', shape: 'diamond' },
  yellow: { color: '#f0b400', marker: '▲', shape: 'triangle' },
  green: { color: '#1a9850', marker: '●', shape: 'circle' },
  star: { color: '#5e3c99', marker: '★', shape: 'star' },
};
export type TierShape = 'diamond' | 'triangle' | 'circle' | 'star';

export function hexToRgba(hex: string, alpha = 255): Rgba {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255, alpha];
}
