/**
 * House codes (一户一码), Shenzhen style. A unit code has 25 digits:
 * province 2 · city 2 · district 2 · street 3 · community 3 · grid 2 · building 5 · unit 6.
 * The building code is its first 19 digits. Pure: shared by the server and the web app.
 */
export const CODE_PARTS = [
  { name: 'province', label: '省', digits: 2 },
  { name: 'city', label: '市', digits: 2 },
  { name: 'district', label: '区', digits: 2 },
  { name: 'street', label: '街道', digits: 3 },
  { name: 'community', label: '社区', digits: 3 },
  { name: 'grid', label: '基础网格', digits: 2 },
  { name: 'building', label: '建筑', digits: 5 },
  { name: 'unit', label: '房屋', digits: 6 },
] as const;

export type CodePartName = (typeof CODE_PARTS)[number]['name'];
export const BUILDING_CODE_LENGTH = 19;
export const UNIT_CODE_LENGTH = 25;
/** Digits up to and including each level: the prefix that identifies an area of that level. */
export const PREFIX_LENGTH = { district: 6, street: 9, community: 12, grid: 14, building: 19, unit: 25 } as const;

export type CodeParts = Partial<Record<CodePartName, string>>;

export interface CodeCheck {
  ok: boolean;
  parts?: CodeParts;
  /** The part that is wrong, when one is; 'length' or 'format' for the code as a whole. */
  badPart?: CodePartName | 'length' | 'format';
  message?: string;
}

// Codes below these province numbers do not exist in GB/T 2260 (11 = Beijing … 82 = Macau).
const FIRST_PROVINCE = 11;
const LAST_PROVINCE = 82;

function checkCode(code: unknown, length: number, kind: string): CodeCheck {
  if (typeof code !== 'string') return { ok: false, badPart: 'format', message: `${kind} code must be a string of ${length} digits` };
  if (!/^\d*$/.test(code)) return { ok: false, badPart: 'format', message: `${kind} code must contain digits only, got "${code.slice(0, 40)}"` };
  if (code.length !== length) {
    return { ok: false, badPart: 'length', message: `${kind} code must have ${length} digits, got ${code.length}` };
  }
  const parts: CodeParts = {};
  let offset = 0;
  for (const part of CODE_PARTS) {
    if (offset >= length) break;
    const value = code.slice(offset, offset + part.digits);
    offset += part.digits;
    parts[part.name] = value;
    const problem = partProblem(part.name, value);
    if (problem) return { ok: false, parts, badPart: part.name, message: `${kind} code: ${part.name} part (${part.label}) "${value}" ${problem}` };
  }
  return { ok: true, parts };
}

function partProblem(name: CodePartName, value: string): string | undefined {
  const number = Number(value);
  if (name === 'province' && (number < FIRST_PROVINCE || number > LAST_PROVINCE)) {
    return `is not a province code (${FIRST_PROVINCE}–${LAST_PROVINCE})`;
  }
  // Every part below the province is numbered from 1: all zeros means "not assigned".
  if (name !== 'province' && number === 0) return 'must not be all zeros';
  return undefined;
}

export function checkBuildingCode(code: unknown): CodeCheck {
  return checkCode(code, BUILDING_CODE_LENGTH, 'Building');
}

export function checkUnitCode(code: unknown): CodeCheck {
  return checkCode(code, UNIT_CODE_LENGTH, 'Unit');
}

export function buildingCodeOfUnit(unitCode: string): string {
  return unitCode.slice(0, BUILDING_CODE_LENGTH);
}

export function gridCodeOf(code: string): string {
  return code.slice(0, PREFIX_LENGTH.grid);
}

/** The street (街道) a coded thing lies in: what the street tables carry as street_code (sql/0050), Citus' distribution key to be. */
export function streetCodeOf(code: string): string {
  return code.slice(0, PREFIX_LENGTH.street);
}

/** Zero-padded number for one code part, e.g. part('building', 42) → "00042". */
export function formatCodePart(name: CodePartName, value: number): string {
  const part = CODE_PARTS.find((candidate) => candidate.name === name);
  if (!part) throw new Error(`unknown code part ${name}`);
  const text = String(value);
  if (!Number.isInteger(value) || value < 0 || text.length > part.digits) {
    throw new Error(`${name} number ${value} does not fit in ${part.digits} digits`);
  }
  return text.padStart(part.digits, '0');
}

/** True when `code` lies inside one of the jurisdiction prefixes (empty list = nowhere). */
export function isWithinJurisdiction(code: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => code.startsWith(prefix));
}
