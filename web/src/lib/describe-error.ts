import { ApiError } from './api/client.ts';
import type { MessageKey, MessageParams } from './i18n.ts';

type Translate = (key: MessageKey, params?: MessageParams) => string;

/** A sentence for the user saying what went wrong, in their language where we know the case. */
export function describeError(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.isNetworkFailure) return t('error.network');
    if (error.status >= 500) return `${t('error.server', { status: error.status })} ${error.message}`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
