import type { Request } from 'express';
import { z } from 'zod';
import { addDays, chinaToday, isCalendarDate } from '../domain/calendar.ts';
import type { Bbox } from '../domain/coordinates.ts';
import { HttpError } from './errors.ts';

/**
 * One failed field, as every 400 invalid_request lists it: the field's path, a stable rule code
 * the web can key on, and the rule in English and Chinese, each naming the field.
 */
export interface FieldIssue {
  field: string;
  code: string;
  message: string;
  messageZh: string;
}

/** The Chinese of schema messages, by their English text: zod carries one message per check. */
const CHINESE_OF = new Map<string, string>();

/** A schema message in English that answers in Chinese too: `.regex(re, bilingual('month must be YYYY-MM', '月份须写作 YYYY-MM'))`. */
export function bilingual(message: string, zh: string): string {
  CHINESE_OF.set(message, zh);
  return message;
}

/** A calendar day in a query or body: the one schema of every date field (server/domain/calendar.ts). */
export const calendarDate = z.string().refine(isCalendarDate, bilingual('must be a real date written YYYY-MM-DD', '须为写作 YYYY-MM-DD 的真实日期'));

/** A custom rule's code and Chinese text ride in zod's `params`: `refine(check, rule('from_after_to', 'en', 'zh'))`. */
export const rule = (code: string, message: string, zh: string) => ({ message, params: { code, zh } });

/**
 * A visit's date: not in the future, and at most `backdateDays` back (config INSPECTION_BACKDATE_DAYS,
 * default 31): a month's visits may be entered late, but a visit dated years back would rewrite
 * scores already published, and the schedule would count it as recent.
 */
export const visitDate = (backdateDays: number) =>
  z.iso.date().superRefine((date, context) => {
    const today = chinaToday();
    const earliest = addDays(today, -backdateDays);
    if (date > today)
      context.addIssue({
        code: 'custom',
        ...rule('date_in_future', `visitedOn ${date} is after today (${today})`, `走访日期 visitedOn ${date} 晚于今天（${today}）`),
      });
    else if (date < earliest) {
      context.addIssue({
        code: 'custom',
        ...rule(
          'backdated',
          `visitedOn ${date} is more than ${backdateDays} days ago: record a visit within ${backdateDays} days`,
          `走访日期 visitedOn ${date} 早于 ${backdateDays} 天前：走访须在 ${backdateDays} 天内录入`,
        ),
      });
    }
  });

type Issue = z.core.$ZodIssue;
type Bound = { origin?: string; minimum?: unknown; maximum?: unknown; inclusive?: boolean };

/** A field left out: parsed with reportInput, so the issue carries the (absent) input. */
const isRequired = (issue: Issue) => issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined;

/** The English and Chinese wording of a bound: "at least 2 characters" / "至少 2 个字符". */
function boundWords(issue: Bound, side: 'min' | 'max'): [string, string] {
  const limit = String(side === 'min' ? issue.minimum : issue.maximum);
  const strict = issue.inclusive === false;
  if (issue.origin === 'string')
    return side === 'min'
      ? [`must have at least ${limit} characters`, `至少 ${limit} 个字符`]
      : [`must have at most ${limit} characters`, `最多 ${limit} 个字符`];
  if (issue.origin === 'array' || issue.origin === 'set')
    return side === 'min' ? [`must have at least ${limit} items`, `至少 ${limit} 项`] : [`must have at most ${limit} items`, `最多 ${limit} 项`];
  if (side === 'min') return strict ? [`must be more than ${limit}`, `必须大于 ${limit}`] : [`must be at least ${limit}`, `不得小于 ${limit}`];
  return strict ? [`must be less than ${limit}`, `必须小于 ${limit}`] : [`must be at most ${limit}`, `不得大于 ${limit}`];
}

const TYPE_ZH: Record<string, string> = {
  string: '文本',
  number: '数字',
  int: '整数',
  boolean: '是/否（true/false）',
  array: '列表',
  object: '对象',
  date: '日期',
};

/** The rule code and its wording in both languages, for zod's own issue kinds. */
function ruleOf(issue: Issue): { code: string; en: string; zh: string } {
  switch (issue.code) {
    case 'invalid_type':
      if (isRequired(issue)) return { code: 'required', en: 'is required', zh: '为必填项' };
      return {
        code: 'wrong_type',
        en: `must be a ${issue.expected === 'int' ? 'whole number' : issue.expected}`,
        zh: `必须是${TYPE_ZH[issue.expected] ?? issue.expected}`,
      };
    case 'too_small': {
      const [en, zh] = boundWords(issue as Bound, 'min');
      return { code: 'too_small', en, zh };
    }
    case 'too_big': {
      const [en, zh] = boundWords(issue as Bound, 'max');
      return { code: 'too_big', en, zh };
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      return { code: 'not_allowed', en: `must be one of: ${values.join(', ')}`, zh: `必须是以下之一：${values.join('、')}` };
    }
    case 'invalid_format':
      return { code: 'invalid_format', en: `must be a valid ${issue.format}`, zh: '格式不正确' };
    case 'unrecognized_keys':
      return { code: 'unknown_field', en: `has an unknown field: ${issue.keys.join(', ')}`, zh: `含有未知字段：${issue.keys.join('、')}` };
    case 'invalid_union':
      return { code: 'invalid_choice', en: 'matches none of the accepted forms', zh: '不符合任何可接受的形式' };
    case 'custom': {
      const params = (issue.params ?? {}) as { code?: string; zh?: string };
      return { code: params.code ?? 'invalid', en: issue.message, zh: params.zh ?? CHINESE_OF.get(issue.message) ?? `不符合规则：${issue.message}` };
    }
    default:
      return { code: issue.code, en: issue.message, zh: `不符合规则：${issue.message}` };
  }
}

/** A field's name, the body's when the issue is about the whole of it (an unknown key is named in the message). */
const fieldOf = (issue: Issue) => issue.path.map(String).join('.') || '(root)';

/** Prefixes a rule with its field unless the text already names it: "purpose is required". */
const mentions = (field: string, text: string) => field === '(root)' || text.split(/\W+/).includes(field.split('.').pop()!);
const named = (field: string, text: string) => (mentions(field, text) ? text : `${field} ${text}`);
const namedZh = (field: string, text: string) => (mentions(field, text) ? text : `${field}：${text}`);

/**
 * Describes each failed field so the client can show it next to the input: only the first cause
 * per field (a missing date is not also "not a date"), in English and Chinese. A schema's own
 * message stays the English text; zod's defaults ("Invalid input: expected string, received
 * undefined") are replaced by the rule they stand for.
 */
export function describeIssues(error: z.ZodError): FieldIssue[] {
  const byField = new Map<string, FieldIssue>();
  for (const issue of error.issues) {
    const field = fieldOf(issue);
    if (byField.has(field)) continue;
    const { code, en, zh } = ruleOf(issue);
    // A missing field is just missing, whatever the schema says about a wrong value.
    const ownMessage = code !== 'required' && issue.code !== 'custom' && !isZodDefault(issue.message) ? issue.message : en;
    const ownZh = ownMessage === en ? zh : (CHINESE_OF.get(ownMessage) ?? zh);
    byField.set(field, { field, code, message: named(field, ownMessage), messageZh: namedZh(field, ownZh) });
  }
  return [...byField.values()];
}

/** zod's built-in English messages, which name neither the field nor the rule in the user's words. */
const isZodDefault = (message: string) => /^(Invalid input|Invalid option|Too small|Too big|Invalid string|Unrecognized key|Invalid)\b/.test(message);

/**
 * A rule across fields (from ≤ to) that runs only when the fields it reads are themselves valid,
 * so a bad month is not also reported as "from must not be after to".
 */
export const whenFieldsValid = (...fields: string[]) => ({
  when: (payload: { issues: readonly { path?: readonly PropertyKey[] }[] }) => !payload.issues.some((issue) => fields.includes(String(issue.path?.[0]))),
});

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  const fields = describeIssues(parsed.error);
  const summary = fields.map((field) => field.message).join('; ');
  throw new HttpError(400, 'invalid_request', `Invalid ${where}: ${summary}`, { fields });
}

/** Decimal digits with an optional sign and fraction: the only text taken as a number. */
const NUMBER_TEXT = /^-?\d{1,20}(\.\d{1,20})?$/;

/**
 * A number written as text, for query strings and path parameters (which are text): "3" → 3.
 * Anything else reaches `number` unchanged and is refused there: "", " 3", "0x10", "1e3",
 * a repeated parameter (an array). JSON bodies use plain z.number(): no text, no coercion.
 * A default goes inside (`textNumber(z.number().default(5))`), where the OpenAPI document sees it.
 */
export const textNumber = <S extends z.ZodType<number, number | undefined>>(number: S) =>
  z.preprocess((value) => (typeof value === 'string' && NUMBER_TEXT.test(value) ? Number(value) : value), number);

/**
 * The registry's parse (mountRoutes): a route's declared params, then query, then body, each
 * answering as parseParams/parseQuery/parseBody do; `readsOwnBody` routes leave the body to their handler.
 */
export function parseDeclared(schemas: { params?: z.ZodType; query?: z.ZodType; body?: z.ZodType } | undefined, request: Request, readsOwnBody: boolean) {
  return {
    params: schemas?.params ? parseOrThrow(schemas.params, request.params, 'path') : undefined,
    query: schemas?.query ? parseOrThrow(schemas.query, request.query, 'query') : undefined,
    body: schemas?.body && !readsOwnBody ? parseOrThrow(schemas.body, request.body, 'body') : undefined,
  };
}

export const parseBody = <S extends z.ZodType>(schema: S, request: Request) => parseOrThrow(schema, request.body, 'body');
export const parseQuery = <S extends z.ZodType>(schema: S, request: Request) => parseOrThrow(schema, request.query, 'query');
export const parseParams = <S extends z.ZodType>(schema: S, request: Request) => parseOrThrow(schema, request.params, 'path');

/** "minLon,minLat,maxLon,maxLat" in WGS84, each within range and min < max. */
export const bboxSchema = z
  .string()
  .transform((text) => text.split(',').map((part) => Number(part)))
  .refine(
    (numbers) => numbers.length === 4 && numbers.every(Number.isFinite),
    bilingual('bbox must be four numbers: minLon,minLat,maxLon,maxLat', '须为四个数字：最小经度,最小纬度,最大经度,最大纬度'),
  )
  .refine(
    ([minLon, minLat, maxLon, maxLat]) => minLon! >= -180 && maxLon! <= 180 && minLat! >= -90 && maxLat! <= 90,
    bilingual('bbox is outside WGS84 bounds', '超出 WGS84 经纬度范围'),
  )
  .refine(([minLon, minLat, maxLon, maxLat]) => minLon! < maxLon! && minLat! < maxLat!, bilingual('bbox min must be below max', '最小值须小于最大值'))
  .transform((numbers) => numbers as Bbox);
