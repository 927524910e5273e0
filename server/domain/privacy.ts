/**
 * Who may see facts about people. Names, person ids, residency details, landlords and counts of
 * fewer than k people go only to police and collectors (inside their jurisdiction, which the
 * object checks enforce); leaders, planners, admins and auditors work with aggregates.
 */
export const PERSON_DATA_ROLES: ReadonlySet<string> = new Set(['police', 'collector']);

export const seesPersonData = (caller: { role: string }): boolean => PERSON_DATA_ROLES.has(caller.role);

/** A count of people as a caller may see it: null when it is under k and the caller works with aggregates. */
export function countOfPeopleFor(caller: { role: string }, count: number, k: number): number | null {
  return seesPersonData(caller) || count >= k || count === 0 ? count : null;
}

// --- k: the smallest count of people a published figure may be about --------------------------

/** k when the settings hold none (settings key 'privacy', value {"k": n}); DOMAIN.md's default. */
export const DEFAULT_PRIVACY_K = 5;
/** The largest k the setting may hold: above it every grid would be withheld. */
export const MAX_PRIVACY_K = 1000;

/**
 * k from the 'privacy' setting's value: a whole number 1…MAX_PRIVACY_K, else the default. The one
 * reading of the setting: heatmaps, KPIs, exports, compounds, units, tiles and OGC all take k from here.
 */
export function privacyKOf(setting: unknown): number {
  const k = typeof setting === 'object' && setting !== null ? (setting as { k?: unknown }).k : undefined;
  return typeof k === 'number' && Number.isInteger(k) && k >= 1 && k <= MAX_PRIVACY_K ? k : DEFAULT_PRIVACY_K;
}
