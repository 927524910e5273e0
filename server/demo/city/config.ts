/** Constants of the synthetic district and the sizes of each scale. */
export const DISTRICT_CODE = '440307';
export const DISTRICT_NAME = '龙岗区';
export const CITY_PREFIX = '广东省深圳市';
export const ORIGIN: readonly [number, number] = [114.25, 22.72];
/** Lattice cell (base grid) size in metres. */
export const CELL_SIZE = 600;
/** Residency histories and cases cover this many days before `today`. */
export const HISTORY_DAYS = 1095;

export type ScaleName = 'tiny' | 'small' | 'demo' | 'shenzhen';
export type Scale = ScaleName | number;
export const SCALE_NAMES: readonly ScaleName[] = ['tiny', 'small', 'demo', 'shenzhen'];

export interface ScalePlan {
  readonly label: string;
  /** Number of base grids (lattice cells kept inside the outline). */
  readonly cells: number;
  /** Multiplies the number of buildings per grid. */
  readonly density: number;
  /** Share of ordinary rooms standing empty. */
  readonly vacantShare: number;
  /** Cases over the three years, per building. */
  readonly casesPerBuilding: number;
}

const DEMO_CELLS = 120;
const DEMO_DEFAULTS = { density: 1, vacantShare: 0.08, casesPerBuilding: 0.6 } as const;

/**
 * Shenzhen as coded in 2018: about 670,000 buildings, 8.87 million units and 14 million people
 * (16 people for 10 units: many flats stand empty, hold offices or are second homes), about a
 * million cases in three years. 20,000 base grids at the demo's mix of grid kinds give those
 * buildings at 0.82 of the demo's density; about half of the ordinary rooms not lived in brings
 * the people (with those who have left) to about 14 million.
 */
const SHENZHEN: ScalePlan = { label: 'shenzhen', cells: 20_000, density: 0.82, vacantShare: 0.52, casesPerBuilding: 1.5 };

export function resolveScale(scale: Scale): ScalePlan {
  if (scale === 'tiny') return { label: 'tiny', cells: 8, ...DEMO_DEFAULTS, density: 0.45 };
  if (scale === 'small') return { label: 'small', cells: 24, ...DEMO_DEFAULTS };
  if (scale === 'demo') return { label: 'demo', cells: DEMO_CELLS, ...DEMO_DEFAULTS };
  if (scale === 'shenzhen') return SHENZHEN;
  if (typeof scale === 'number' && Number.isFinite(scale) && scale > 0 && scale <= 200) {
    return { label: String(scale), cells: Math.max(4, Math.round(DEMO_CELLS * scale)), ...DEMO_DEFAULTS };
  }
  throw new Error(`scale must be tiny, small, demo, shenzhen or a number in (0, 200], got ${String(scale)}`);
}

export function parseScale(text: string): Scale {
  if ((SCALE_NAMES as readonly string[]).includes(text)) return text as ScaleName;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`unknown scale "${text}": use ${SCALE_NAMES.join(', ')} or a number`);
  resolveScale(value);
  return value;
}
