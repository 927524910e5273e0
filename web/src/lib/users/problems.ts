import { isMessageKey, type MessageKey, type MessageParams } from '../i18n.ts';
import type { FieldProblem } from '../registration/problems.ts';

type Translate = (key: MessageKey, params?: MessageParams) => string;

/**
 * One problem in the admin's language: by the rule's code where the server gave one, else by the
 * field's rule (the server's schema messages are English), else the server's own words.
 * `jurisdiction` names the codes the form sent, so "jurisdiction.1" can say which one is wrong.
 */
export function userProblemText(problem: FieldProblem, t: Translate, jurisdiction: readonly string[] = []): string {
  const index = /^jurisdiction\.(\d+)$/.exec(problem.field)?.[1];
  const code = index === undefined ? '' : (jurisdiction[Number(index)] ?? '');
  const byCode = `users.error.${problem.code ?? ''}`;
  if (problem.code && isMessageKey(byCode)) return t(byCode, { code });
  const byField = `users.rule.${problem.field.split('.')[0]}`;
  if (isMessageKey(byField)) return t(byField);
  return t('users.rule.other', { detail: problem.message });
}
