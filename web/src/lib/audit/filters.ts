import type { AuditFilter } from '../api/types.ts';

/**
 * The auditor's filters as the form holds them ('' = no filter). They live in the address bar
 * (user, action, from, to, before) so a view of the log can be bookmarked and Back works.
 */
export interface AuditFilterValues {
  username: string;
  action: string;
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilterValues = { username: '', action: '', from: '', to: '' };

type Read = (key: string) => string | undefined;

export function filtersFromUrl(read: Read): AuditFilterValues {
  return { username: read('user') ?? '', action: read('action') ?? '', from: read('from') ?? '', to: read('to') ?? '' };
}

export function urlParamsOf(filters: AuditFilterValues): Record<string, string | undefined> {
  return { user: filters.username || undefined, action: filters.action || undefined, from: filters.from || undefined, to: filters.to || undefined };
}

/** The API query for one page: the filters and, for older pages, the keyset cursor. */
export function auditQuery(filters: AuditFilterValues, before: number | undefined, limit: number): AuditFilter {
  const optional = (value: string) => (value === '' ? undefined : value);
  return { username: optional(filters.username), action: optional(filters.action), from: optional(filters.from), to: optional(filters.to), before, limit };
}
