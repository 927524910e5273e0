import { ApiError } from './api/client.ts';
import { isMessageKey, type MessageKey, type MessageParams } from './i18n.ts';

type Translate = (key: MessageKey, params?: MessageParams) => string;

/** The message for a status the error code did not name (web/src/lib/i18n/errors.ts). */
function statusKey(status: number): MessageKey {
  if (status >= 500) return 'error.server';
  if (status === 401) return 'error.unauthenticated';
  if (status === 403) return 'error.forbidden';
  if (status === 404) return 'error.notFound';
  if (status === 409) return 'error.conflict';
  if (status === 413 || status === 422) return 'error.tooLarge';
  if (status === 429) return 'error.rateLimited';
  return 'error.badRequest';
}

/** The first field a 400 names (server/http/errors.ts: details.fields[].field). */
function invalidFieldOf(details: unknown): string | undefined {
  const fields = (details as { fields?: Array<{ field?: unknown }> } | undefined)?.fields;
  const field = Array.isArray(fields) ? fields[0]?.field : undefined;
  return typeof field === 'string' && field.length > 0 ? field : undefined;
}

/** A query or form field in the user's words where the web knows it ('bbox' → 地图范围), else as the API names it. */
function fieldLabel(field: string, t: Translate): string {
  const key = `errorField.${field}`;
  return isMessageKey(key) ? t(key) : field;
}

/**
 * A sentence for the user saying what went wrong, always in their language: by error code,
 * then by status. The server's message is for developers (it stays in the network panel).
 */
export function describeError(error: unknown, t: Translate): string {
  if (!(error instanceof ApiError)) return t('error.unexpected');
  if (error.isNetworkFailure) return t('error.network');
  const byCode = `error.code.${error.code}`;
  if (isMessageKey(byCode)) return t(byCode);
  const field = error.status === 400 ? invalidFieldOf(error.details) : undefined;
  if (field) return t('error.invalidField', { field: fieldLabel(field, t) });
  return t(statusKey(error.status), { status: error.status });
}
