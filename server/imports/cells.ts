import { z } from 'zod';
import { isCalendarDate } from '../domain/calendar.ts';

/**
 * What one cell of an office file holds once read: CSV gives text, XLSX numbers, dates and
 * booleans too, GeoJSON properties any JSON scalar. The zod fields below accept all of them
 * the way a clerk wrote them (是/否, 2024/3/5, Chinese labels) and hand back one clean value.
 */
export type Cell = string | number | boolean | Date | null;

/** A row of a table: its number (the header is 1, as a spreadsheet shows it) and its cells. */
export interface SheetRow {
  row: number;
  cells: Cell[];
}

const pad = (value: number) => String(value).padStart(2, '0');

/** An XLSX date cell comes back as a Date at UTC midnight of the date shown: read its UTC parts. */
const dateOfCell = (date: Date) => `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;

/** Trimmed text, or undefined for an empty cell. */
export function cellText(cell: unknown): string | undefined {
  if (cell === null || cell === undefined) return undefined;
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? undefined : dateOfCell(cell);
  const text = String(cell).trim();
  return text === '' ? undefined : text;
}

/** 2024-03-05, 2024/3/5, 2024.3.5, 20240305 and 2024年3月5日 all become 2024-03-05. */
export function cellDate(cell: unknown): string | undefined {
  const text = cellText(cell);
  if (text === undefined) return undefined;
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (compact) return `${compact[1]}-${compact[2]}-${compact[3]}`;
  const parts = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text);
  return parts ? `${parts[1]}-${pad(Number(parts[2]))}-${pad(Number(parts[3]))}` : text;
}

/**
 * A moment as ISO 8601 with an offset. Text without an offset and XLSX date-times (which carry
 * no zone) are local time in China, UTC+8, as an office writes them.
 */
export function cellDateTime(cell: unknown): string | undefined {
  if (cell instanceof Date) {
    if (Number.isNaN(cell.getTime())) return undefined;
    return `${dateOfCell(cell)}T${pad(cell.getUTCHours())}:${pad(cell.getUTCMinutes())}:${pad(cell.getUTCSeconds())}+08:00`;
  }
  const text = cellText(cell);
  if (text === undefined) return undefined;
  const local = /^(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{8})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  // Anything else (ISO 8601 with its own offset, or nonsense) goes to the check as written.
  if (!local) return text;
  const date = cellDate(local[1]);
  const [hours, minutes, seconds] = [local[2] ?? '0', local[3] ?? '0', local[4] ?? '0'].map(Number) as [number, number, number];
  return `${date}T${pad(hours)}:${pad(minutes)}:${pad(seconds)}+08:00`;
}

const TRUE_WORDS = new Set(['是', '有', 'y', 'yes', 'true', '1', '已签', '已签订', '已登记']);
const FALSE_WORDS = new Set(['否', '无', '没有', 'n', 'no', 'false', '0', '未签', '未签订', '未登记']);

export function cellBoolean(cell: unknown): boolean | string | undefined {
  if (typeof cell === 'boolean') return cell;
  const text = cellText(cell)?.toLowerCase();
  if (text === undefined) return undefined;
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return text;
}

export function cellNumber(cell: unknown): number | string | undefined {
  if (typeof cell === 'number') return cell;
  const text = cellText(cell);
  if (text === undefined) return undefined;
  const number = Number(text);
  return text !== '' && Number.isFinite(number) ? number : text;
}

// --- zod fields over cells ----------------------------------------------------------------------

/** zod's error option: "is required" for an empty cell, else `message` (zod's own when none). */
export const requiredOr = (message?: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message) });
const required = requiredOr();

export const requiredText = (max: number) => z.preprocess(cellText, z.string(required).max(max, `must be at most ${max} characters`));
export const optionalText = (max: number) => z.preprocess(cellText, z.string().max(max, `must be at most ${max} characters`).optional());

/** A whole number in a range: 0 or 250 floors reads "must be a whole number from 1 to 200", naming the rule broken. */
export const requiredInteger = (min: number, max: number) => {
  const rule = `must be a whole number from ${min} to ${max}`;
  return z.preprocess(cellNumber, z.number(requiredOr(rule)).int(rule).min(min, rule).max(max, rule));
};

export const optionalBoolean = z.preprocess(cellBoolean, z.boolean(requiredOr('must be 是/否 (yes/no)')).default(false));

export const requiredDate = z.preprocess(cellDate, z.string(required).refine(isCalendarDate, 'must be a real date such as 2024-03-05'));
export const optionalDate = z.preprocess(cellDate, z.string().refine(isCalendarDate, 'must be a real date such as 2024-03-05').optional());

export const requiredMoment = z.preprocess(
  cellDateTime,
  z.string(required).refine((text) => !Number.isNaN(Date.parse(text)) && isCalendarDate(text.slice(0, 10)), 'must be a date and time such as 2024-03-05 14:30'),
);

function degrees(limit: number) {
  const number = z.number(requiredOr('must be a number of degrees')).min(-limit).max(limit);
  return { required: z.preprocess(cellNumber, number), optional: z.preprocess(cellNumber, number.optional()) };
}
export const longitude = degrees(180);
export const latitude = degrees(90);

/**
 * A closed list of values, each also accepted under the Chinese words an office uses for it
 * (住宅 → residential). English values are accepted in any letter case.
 */
export function vocabulary<const Value extends string>(words: Record<Value, readonly string[]>) {
  const values = Object.keys(words) as Value[];
  const byWord = new Map<string, Value>();
  for (const value of values) {
    byWord.set(value.toLowerCase(), value);
    for (const word of words[value]) byWord.set(word.toLowerCase(), value);
  }
  const listing = values.map((value) => `${words[value][0] ?? value} (${value})`).join(', ');
  const field = z.enum(values as [Value, ...Value[]], { error: (issue) => (issue.input === undefined ? 'is required' : `must be one of: ${listing}`) });
  const toValue = (cell: unknown) => {
    const text = cellText(cell);
    return text === undefined ? undefined : (byWord.get(text.toLowerCase()) ?? text);
  };
  return { required: z.preprocess(toValue, field), optional: z.preprocess(toValue, field.optional()) };
}
