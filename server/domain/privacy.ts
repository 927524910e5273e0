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
