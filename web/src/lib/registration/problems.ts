import { ApiError } from '../api/client.ts';
import { isMessageKey, type Locale, type MessageKey, type MessageParams } from '../i18n.ts';

type Translate = (key: MessageKey, params?: MessageParams) => string;

/**
 * What the server said is wrong with a form, per input. Registration errors come as
 * { error: { code, message, details: { fields: [{ field, code?, message, messageZh? }] } } } with stable codes;
 * each is shown next to its input, in the user's language: the code's own words where the web
 * knows the code, else the server's sentence in that language (every invalid_request field has
 * both, naming the field and the rule: server/http/validate.ts).
 */
export interface FieldProblem {
  field: string;
  code?: string;
  message: string;
  messageZh?: string;
}

export function fieldProblems(error: unknown): FieldProblem[] {
  if (!(error instanceof ApiError)) return [];
  const fields = (error.details as { fields?: unknown } | undefined)?.fields;
  if (!Array.isArray(fields)) return [];
  return fields.filter((item): item is FieldProblem => typeof item?.field === 'string' && typeof item?.message === 'string');
}

/** The sentence for one problem: the code's own words, or a generic one with the server's detail in `language`. */
export function problemText(problem: Pick<FieldProblem, 'code' | 'message' | 'messageZh'>, t: Translate, language: Locale = 'en'): string {
  const key = `regError.${problem.code ?? ''}`;
  if (problem.code && isMessageKey(key)) return t(key);
  const detail = language === 'zh-CN' ? (problem.messageZh ?? problem.message) : problem.message;
  return t('regError.generic', { detail });
}

/** The problems about `field` (an exact path such as people.0.idNumber). */
export const problemsAt = (problems: FieldProblem[], field: string) => problems.filter((problem) => problem.field === field);

/** The problems about `field` or one of its items (jurisdiction covers jurisdiction.0, jurisdiction.1, …). */
export const problemsUnder = (problems: FieldProblem[], field: string) =>
  problems.filter((problem) => problem.field === field || problem.field.startsWith(`${field}.`));

/** What a failed submit says above the form: the first problem's code, or the error itself. */
export function summaryOf(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    const [first] = fieldProblems(error);
    if (first) return t('regError.summary', { count: fieldProblems(error).length });
    const key = `regError.${error.code}`;
    if (isMessageKey(key)) return t(key);
    if (error.isNetworkFailure) return t('error.network');
    return t('regError.generic', { detail: error.message });
  }
  return error instanceof Error ? error.message : String(error);
}
