/**
 * Residence registration (居住登记) and residence permit (居住证) rules from DOMAIN.md.
 * Pure: dates are 'YYYY-MM-DD' strings and "today" is always passed in. Shared by server and web,
 * so a form can run the same checks before it submits.
 */
import { addDays, addYears, daysBetween } from './calendar.ts';
import { ageOn, checkIdNumber, MAX_AGE_YEARS, normalizeIdNumber, oldestBirthDate, type IdProblem } from './id-number.ts';

/** Arrivals, moves and departures must be registered within this many days of the event. */
export const REGISTRATION_DEADLINE_DAYS = 7;
/** People younger than this on the day of the event carry no registration duty of their own. */
export const REGISTRATION_DUTY_AGE = 16;

/** One broken rule, named so a form can show it next to its input and translate it by `code`. */
export interface RuleProblem {
  field: string;
  code: string;
  message: string;
  /** The rule in Chinese, naming the field; left out, the error middleware says the code's (server/http/messages-zh.ts). */
  messageZh?: string;
}

/** What is wrong with an ID number, in Chinese (the English is checkIdNumber's message). */
const ID_PROBLEM_ZH: Record<IdProblem, string> = {
  format: '身份证号码须为 18 位（最后一位可为 X）',
  division: '身份证号码的行政区划代码不是已知的省份',
  birth_date: '身份证号码中的出生日期不存在',
  future_birth_date: '身份证号码中的出生日期晚于今天',
  too_old: `身份证号码中的出生日期距今超过 ${MAX_AGE_YEARS} 年`,
  checksum: '身份证号码的校验位不正确',
};

// --- registration duty and lateness ------------------------------------------------------------

/** Under-16s are registered with their household but carry no duty, so they are never late. */
export function isRegistrationExempt(birthDate: string, eventDate: string): boolean {
  return ageOn(birthDate, eventDate) < REGISTRATION_DUTY_AGE;
}

/** Mirrors the stored column residencies.registered_late (sql/0002_registrations.sql). */
export function isRegisteredLate(eventDate: string, registeredAt: string, exempt: boolean): boolean {
  return !exempt && daysBetween(eventDate, registeredAt) > REGISTRATION_DEADLINE_DAYS;
}

export interface RegistrationDates {
  /** The field holding the event date (movedIn, movedOut, movedOn) and its value. */
  eventField: string;
  eventDate: string;
  registeredAt: string;
}

/** The event and its registration may not lie in the future, and nobody registers before the event. */
export function registrationDateProblems(dates: RegistrationDates, today: string): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const eventInFuture = dates.eventDate > today;
  if (eventInFuture) {
    problems.push({ field: dates.eventField, code: 'date_in_future', message: `${dates.eventField} ${dates.eventDate} is after today (${today})` });
  }
  if (dates.registeredAt > today) {
    problems.push({ field: 'registeredAt', code: 'date_in_future', message: `registeredAt ${dates.registeredAt} is after today (${today})` });
  } else if (!eventInFuture && dates.registeredAt < dates.eventDate) {
    // Not compared with a future event: that is the event's own fault (and registeredAt is often today's default, never sent).
    problems.push({
      field: 'registeredAt',
      code: 'registered_before_event',
      message: `registeredAt ${dates.registeredAt} is before ${dates.eventField} ${dates.eventDate}`,
    });
  }
  return problems;
}

/** Nobody moves in before they are born: catches a swapped year in either date. */
export function eventBeforeBirthProblem(birthDate: string, eventDate: string, eventField: string): RuleProblem | undefined {
  if (eventDate >= birthDate) return undefined;
  return { field: eventField, code: 'before_birth', message: `${eventField} ${eventDate} is before the person's birth date ${birthDate}` };
}

// --- identity of a person ----------------------------------------------------------------------

export type IdType = 'id_card' | 'passport';
export type PersonCategory = 'registered' | 'lodging' | 'floating' | 'overseas';

export interface IdentityInput {
  idType: IdType;
  idNumber: string;
  sex?: 'M' | 'F' | undefined;
  birthDate?: string | undefined;
  nationality?: string | undefined;
  category: PersonCategory;
  floatingType?: string | null | undefined;
}

export interface ResolvedIdentity {
  idType: IdType;
  idNumber: string;
  sex: 'M' | 'F';
  birthDate: string;
  nationality: string;
}

export interface IdentityResolution {
  identity?: ResolvedIdentity;
  problems: RuleProblem[];
}

const PASSPORT_NUMBER = /^[A-Z0-9]{5,20}$/;
const CHINA = 'CHN';

/**
 * Checks an ID card or passport and fills in what an ID card implies: sex and birth date come
 * from the number, and a different given value is an error naming that field. `prefix` is the
 * path of the person in the request body ('person', 'people.2') so errors point at the input.
 */
export function resolveIdentity(input: IdentityInput, today: string, prefix = ''): IdentityResolution {
  const at = (field: string) => (prefix ? `${prefix}.${field}` : field);
  const problems = categoryProblems(input, at);
  const resolved = input.idType === 'id_card' ? resolveIdCard(input, today, at) : resolvePassport(input, today, at);
  problems.push(...resolved.problems);
  return problems.length > 0 ? { problems } : { identity: resolved.identity, problems };
}

function categoryProblems(input: IdentityInput, at: (field: string) => string): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if ((input.category === 'overseas') !== (input.idType === 'passport')) {
    problems.push({
      field: at('category'),
      code: 'category_id_type_mismatch',
      message: 'Foreigners (category overseas) register with a passport, everyone else with an ID card',
    });
  }
  if (input.floatingType != null && input.category !== 'floating') {
    problems.push({ field: at('floatingType'), code: 'floating_type_not_floating', message: 'floatingType applies only to category floating' });
  }
  return problems;
}

function resolveIdCard(input: IdentityInput, today: string, at: (field: string) => string): IdentityResolution {
  const idNumber = normalizeIdNumber(input.idNumber);
  const check = checkIdNumber(idNumber, today);
  if (!check.ok) {
    const messageZh = `${at('idNumber')}：${check.problem ? ID_PROBLEM_ZH[check.problem] : '身份证号码不正确'}`;
    return { problems: [{ field: at('idNumber'), code: 'invalid_id_number', message: check.message ?? 'Invalid ID number', messageZh }] };
  }
  const derived = { sex: check.sex!, birthDate: check.birthDate! };
  const problems: RuleProblem[] = [];
  if (input.sex !== undefined && input.sex !== derived.sex) {
    problems.push({ field: at('sex'), code: 'id_mismatch', message: `sex ${input.sex} disagrees with the ID number, which says ${derived.sex}` });
  }
  if (input.birthDate !== undefined && input.birthDate !== derived.birthDate) {
    problems.push({
      field: at('birthDate'),
      code: 'id_mismatch',
      message: `birthDate ${input.birthDate} disagrees with the ID number, which says ${derived.birthDate}`,
    });
  }
  if (input.nationality !== undefined && input.nationality !== CHINA) {
    problems.push({ field: at('nationality'), code: 'id_mismatch', message: `An ID card holder's nationality is ${CHINA}` });
  }
  if (problems.length > 0) return { problems };
  return { identity: { idType: 'id_card', idNumber, ...derived, nationality: CHINA }, problems };
}

function resolvePassport(input: IdentityInput, today: string, at: (field: string) => string): IdentityResolution {
  const idNumber = normalizeIdNumber(input.idNumber);
  const problems: RuleProblem[] = [];
  if (!PASSPORT_NUMBER.test(idNumber)) {
    problems.push({ field: at('idNumber'), code: 'invalid_passport_number', message: 'A passport number has 5 to 20 letters or digits' });
  }
  const required = { sex: input.sex, birthDate: input.birthDate, nationality: input.nationality };
  for (const [field, value] of Object.entries(required)) {
    if (value === undefined) problems.push({ field: at(field), code: 'required', message: `${field} is required for a passport holder` });
  }
  if (input.birthDate !== undefined && input.birthDate > today) {
    problems.push({ field: at('birthDate'), code: 'date_in_future', message: `birthDate ${input.birthDate} is after today (${today})` });
  } else if (input.birthDate !== undefined && input.birthDate < oldestBirthDate(today)) {
    problems.push({
      field: at('birthDate'),
      code: 'too_old',
      message: `birthDate ${input.birthDate} is more than ${MAX_AGE_YEARS} years ago`,
      messageZh: `${at('birthDate')}：出生日期 ${input.birthDate} 距今超过 ${MAX_AGE_YEARS} 年`,
    });
  }
  if (problems.length > 0) return { problems };
  return { identity: { idType: 'passport', idNumber, sex: input.sex!, birthDate: input.birthDate!, nationality: input.nationality! }, problems };
}

// --- residence permits (居住证) ------------------------------------------------------------------

export interface PermitSettings {
  /** Validity periods a permit may be issued for, in years (DOMAIN.md: 1/2/3, some cities 1/3/5). */
  allowedYears: number[];
  /** Renewal opens this many days before expiry. */
  renewalWindowDays: number;
}

export const DEFAULT_PERMIT_SETTINGS: PermitSettings = { allowedYears: [1, 2, 3], renewalWindowDays: 30 };

/** Only people living away from their hukou hold a residence permit; foreigners hold other papers. */
export const PERMIT_CATEGORIES: readonly PersonCategory[] = ['floating', 'lodging'];

export function permitYearsProblem(years: number, settings: PermitSettings): RuleProblem | undefined {
  if (settings.allowedYears.includes(years)) return undefined;
  return { field: 'years', code: 'permit_years_not_allowed', message: `A permit is issued for ${settings.allowedYears.join(', ')} years, not ${years}` };
}

/** A permit is valid through its expiry date, which is the issue date `years` later. */
export const permitExpiry = (issuedOn: string, years: number) => addYears(issuedOn, years);

export function renewalOpensOn(expiresOn: string, settings: PermitSettings): string {
  return addDays(expiresOn, -settings.renewalWindowDays);
}

export interface PermitState {
  status: 'valid' | 'renewed' | 'revoked';
  expiresOn: string;
}

/** Why a permit cannot be renewed today, or undefined when it can. */
export function renewalProblem(permit: PermitState, today: string, settings: PermitSettings): RuleProblem | undefined {
  if (permit.status === 'revoked') return { field: 'permit', code: 'permit_revoked', message: 'A revoked permit cannot be renewed; issue a new one' };
  if (permit.status === 'renewed') return { field: 'permit', code: 'permit_already_renewed', message: 'This permit has already been renewed' };
  if (today > permit.expiresOn) {
    return { field: 'permit', code: 'permit_expired', message: `The permit expired on ${permit.expiresOn}; issue a new one instead of renewing` };
  }
  const opensOn = renewalOpensOn(permit.expiresOn, settings);
  if (today < opensOn) {
    return {
      field: 'permit',
      code: 'renewal_too_early',
      message: `Renewal opens on ${opensOn}, ${settings.renewalWindowDays} days before the permit expires on ${permit.expiresOn}`,
    };
  }
  return undefined;
}
