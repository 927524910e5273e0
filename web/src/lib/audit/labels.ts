import { isMessageKey, type MessageKey, type MessageParams } from '../i18n.ts';

type Translate = (key: MessageKey, params?: MessageParams) => string;

/** The actions the server records (server/domain/audit-vocabulary.ts), offered as filter choices. */
export { AUDIT_ACTIONS } from '../../../../server/domain/audit-vocabulary.ts';

/** A recorded code in words; a code this version does not know yet is shown as it is. */
function labelOf(prefix: 'auditAction' | 'auditTarget', code: string, t: Translate): string {
  const key = `${prefix}.${code}`;
  return isMessageKey(key) ? t(key) : code;
}

export const actionLabel = (action: string, t: Translate) => labelOf('auditAction', action, t);
export const targetLabel = (targetType: string, t: Translate) => labelOf('auditTarget', targetType, t);

/** Extra context of a row as short text: `key=value` pairs, long lists cut to their first items and their length. */
export function describeDetails(details: Record<string, unknown>): string {
  const shown = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return `[${value.slice(0, 5).join(', ')}${value.length > 5 ? `, … ${value.length}` : ''}]`;
    return JSON.stringify(value);
  };
  return Object.entries(details)
    .map(([key, value]) => `${key}=${shown(value)}`)
    .join(' · ');
}
