/**
 * GB 11643 citizen identity numbers: 6-digit division code, 8-digit birth date,
 * 3-digit sequence (odd = male) and a check character. Pure: shared by server and web.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';

export type IdProblem = 'format' | 'division' | 'birth_date' | 'future_birth_date' | 'too_old' | 'checksum';

/**
 * Nobody registered is older than this: the oldest people alive are about 117, so a birth date
 * further back is a typing error (1880 for 1980), not a resident.
 */
export const MAX_AGE_YEARS = 120;

/** The earliest birth date a living person can have on `today` (both YYYY-MM-DD). */
export function oldestBirthDate(today: string): string {
  return `${String(Number(today.slice(0, 4)) - MAX_AGE_YEARS).padStart(4, '0')}${today.slice(4)}`;
}

export interface IdNumberCheck {
  ok: boolean;
  problem?: IdProblem;
  message?: string;
  birthDate?: string; // YYYY-MM-DD
  sex?: 'M' | 'F';
  divisionCode?: string;
}

export function checkCharacter(first17: string): string {
  let total = 0;
  for (let index = 0; index < 17; index += 1) total += Number(first17[index]) * WEIGHTS[index]!;
  return CHECK_CHARACTERS[total % 11]!;
}

/** Completes 17 digits with their check character. */
export function withCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('need exactly 17 digits');
  return first17 + checkCharacter(first17);
}

function realDate(yyyymmdd: string): string | undefined {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  const date = new Date(Date.UTC(year, month - 1, day));
  const isSame = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!isSame) return undefined;
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

/**
 * Validates an 18-character ID. `today` (YYYY-MM-DD) is injectable so tests can pin it.
 * Lower-case x is accepted as the check character and reported back upper-case by normalizeIdNumber.
 */
export function checkIdNumber(value: unknown, today: string = new Date().toISOString().slice(0, 10)): IdNumberCheck {
  if (typeof value !== 'string' || !/^\d{17}[\dXx]$/.test(value)) {
    return { ok: false, problem: 'format', message: 'ID number must be 17 digits followed by a digit or X (18 characters)' };
  }
  const id = value.toUpperCase();
  const divisionCode = id.slice(0, 6);
  const province = Number(id.slice(0, 2));
  if (province < 11 || province > 82) {
    return { ok: false, problem: 'division', message: `ID number: division code ${divisionCode} is not a known province` };
  }
  const birthDate = realDate(id.slice(6, 14));
  if (!birthDate) {
    return { ok: false, problem: 'birth_date', message: `ID number: birth date ${id.slice(6, 14)} does not exist` };
  }
  if (birthDate > today) {
    return { ok: false, problem: 'future_birth_date', message: `ID number: birth date ${birthDate} is in the future` };
  }
  if (birthDate < oldestBirthDate(today)) {
    return { ok: false, problem: 'too_old', message: `ID number: birth date ${birthDate} is more than ${MAX_AGE_YEARS} years ago` };
  }
  const expected = checkCharacter(id.slice(0, 17));
  if (expected !== id[17]) {
    return { ok: false, problem: 'checksum', message: `ID number: check character is ${id[17]}, expected ${expected}` };
  }
  const sex = Number(id[16]) % 2 === 1 ? 'M' : 'F';
  return { ok: true, birthDate, sex, divisionCode };
}

export function normalizeIdNumber(value: string): string {
  return value.trim().toUpperCase();
}

/** Age in whole years on `onDate` (both YYYY-MM-DD). */
export function ageOn(birthDate: string, onDate: string): number {
  const years = Number(onDate.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return onDate.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/** Shows the first 6 and last 4 characters: 440524********0014. */
export function maskIdNumber(id: string): string {
  if (id.length <= 10) return id.slice(0, 2) + '*'.repeat(Math.max(0, id.length - 2));
  return id.slice(0, 6) + '*'.repeat(id.length - 10) + id.slice(-4);
}

/** Shows the first 3 and last 4 digits of a phone number: 138****5678. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 8) return '*'.repeat(digits.length);
  return digits.slice(0, 3) + '*'.repeat(digits.length - 7) + digits.slice(-4);
}
