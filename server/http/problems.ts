import type { RuleProblem } from '../domain/registration-rules.ts';
import { HttpError } from './errors.ts';

/**
 * A broken registration rule as an HTTP error. `code` is the first problem's code, and every
 * problem is listed in details.fields[{field, code, message}] so a form can mark each input and
 * translate by code.
 */
export function ruleViolation(status: number, problems: RuleProblem[]): HttpError {
  const [first] = problems;
  if (!first) throw new Error('ruleViolation needs at least one problem');
  return new HttpError(status, first.code, problems.map((problem) => problem.message).join('; '), { fields: problems });
}

export function throwIfAny(status: number, problems: RuleProblem[]): void {
  if (problems.length > 0) throw ruleViolation(status, problems);
}

/** Not found, pointing at the input that named it (also used for codes outside one's jurisdiction). */
export function notFoundAt(field: string, what: string, id: string | number): HttpError {
  return ruleViolation(404, [{ field, code: 'not_found', message: `${what} ${id} not found` }]);
}
