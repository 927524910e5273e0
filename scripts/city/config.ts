/** Constants of the synthetic district and the sizes of each scale. */
export const DISTRICT_CODE = '440307';
export const DISTRICT_NAME = '龙岗区';
export const CITY_PREFIX = '广东省深圳市';
export const ORIGIN: readonly [number, number] = [114.25, 22.72];
/** Lattice cell (base grid) size in metres. */
export const CELL_SIZE = 600;
/** Residency histories and cases cover this many days before `today`. */
export const HISTORY_DAYS = 1095;

export type ScaleName = 'tiny' | 'small' | 'demo';
export type Scale = ScaleName | number;

export interface ScalePlan {
  readonly label: string;
  /** Number of base grids (lattice cells kept inside the outline). */
  readonly cells: number;
  /** Multiplies the number of buildings per grid. */
  readonly density: number;
}

const DEMO_CELLS = 120;

export function resolveScale(scale: Scale): ScalePlan {
  if (scale === 'tiny') return { label: 'tiny', cells: 8, density: 0.45 };
  if (scale === 'small') return { label: 'small', cells: 24, density: 1 };
  if (scale === 'demo') return { label: 'demo', cells: DEMO_CELLS, density: 1 };
  if (typeof scale === 'number' && Number.isFinite(scale) && scale > 0 && scale <= 50) {
    return { label: String(scale), cells: Math.max(4, Math.round(DEMO_CELLS * scale)), density: 1 };
  }
  throw new Error(`scale must be tiny, small, demo or a number in (0, 50], got ${String(scale)}`);
}

export function parseScale(text: string): Scale {
  if (text === 'tiny' || text === 'small' || text === 'demo') return text;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`unknown scale "${text}": use tiny, small, demo or a number`);
  resolveScale(value);
  return value;
}
