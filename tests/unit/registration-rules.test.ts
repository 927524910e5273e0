import { describe, expect, it } from 'vitest';
import { withCheckCharacter } from '../../server/domain/id-number.ts';
import { addDays, addYears, chinaToday, daysBetween, isCalendarDate } from '../../server/domain/calendar.ts';
import {
  DEFAULT_PERMIT_SETTINGS,
  eventBeforeBirthProblem,
  isRegisteredLate,
  isRegistrationExempt,
  permitExpiry,
  permitYearsProblem,
  registrationDateProblems,
  renewalOpensOn,
  renewalProblem,
  resolveIdentity,
} from '../../server/domain/registration-rules.ts';
import { prefixUpperBound } from '../../server/db/code-prefix.ts';

const TODAY = '2026-11-23';

describe('calendar dates', () => {
  it.each([
    ['2024-02-29', true],
    ['2025-02-29', false],
    ['2025-13-01', false],
    ['2025-1-01', false],
    ['2025-04-31', false],
    ['2025-12-31', true],
  ])('%s is a real date: %s', (text, real) => {
    expect(isCalendarDate(text)).toBe(real);
  });

  it('counts and adds days across month and year ends', () => {
    expect(daysBetween('2025-12-25', '2026-01-02')).toBe(8);
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });

  it('adds years on the same calendar day; 29 February falls back to 28 February in common years', () => {
    expect(addYears('2025-03-10', 2)).toBe('2027-03-10');
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2026-01-31', -1)).toBe('2025-01-31');
  });

  it('takes today in China time: 01:00 in Shenzhen is already the next day in UTC+8', () => {
    expect(chinaToday(new Date('2026-01-01T17:00:00Z'))).toBe('2026-01-02');
    expect(chinaToday(new Date('2026-01-01T15:59:59Z'))).toBe('2026-01-01');
  });
});

describe('registration duty and lateness', () => {
  it('exempts people under 16 on the day of the event, not from their 16th birthday on', () => {
    expect(isRegistrationExempt('2010-06-15', '2026-06-14')).toBe(true);
    expect(isRegistrationExempt('2010-06-15', '2026-06-15')).toBe(false);
  });

  it('flags a registration more than 7 days after the event, never an exempt one', () => {
    expect(isRegisteredLate('2026-11-01', '2026-11-08', false)).toBe(false);
    expect(isRegisteredLate('2026-11-01', '2026-11-09', false)).toBe(true);
    expect(isRegisteredLate('2026-11-01', '2026-12-31', true)).toBe(false);
  });

  it.each([
    [
      'an event and its registration tomorrow',
      '2026-11-24',
      '2026-11-24',
      [
        ['movedIn', 'date_in_future'],
        ['registeredAt', 'date_in_future'],
      ],
    ],
    ['a registration tomorrow', '2026-11-20', '2026-11-24', [['registeredAt', 'date_in_future']]],
    // registeredAt defaults to today when not sent: a future event is the one cause, not "registered before the event".
    ['an event tomorrow registered today', '2026-11-24', TODAY, [['movedIn', 'date_in_future']]],
    ['a registration before the event', '2026-11-20', '2026-11-19', [['registeredAt', 'registered_before_event']]],
    ['both on today', TODAY, TODAY, []],
  ])('date problems for %s', (_case, eventDate, registeredAt, expected) => {
    const problems = registrationDateProblems({ eventField: 'movedIn', eventDate, registeredAt }, TODAY);
    expect(problems.map((problem) => [problem.field, problem.code])).toEqual(expected);
  });

  it('refuses an event before the person was born', () => {
    expect(eventBeforeBirthProblem('1990-05-05', '1990-05-04', 'movedIn')).toMatchObject({ field: 'movedIn', code: 'before_birth' });
    expect(eventBeforeBirthProblem('1990-05-05', '1990-05-05', 'movedIn')).toBeUndefined();
  });
});

describe('resolving a person’s identity', () => {
  const female = withCheckCharacter('44030619900101002'); // sequence 002: even, female
  const base = { idType: 'id_card' as const, idNumber: female, category: 'floating' as const };

  it('derives sex, birth date and nationality from an ID card, upper-casing an x', () => {
    expect(resolveIdentity(base, TODAY)).toEqual({
      identity: { idType: 'id_card', idNumber: female, sex: 'F', birthDate: '1990-01-01', nationality: 'CHN' },
      problems: [],
    });
    expect(resolveIdentity({ ...base, idNumber: '11010519491231002x' }, TODAY).identity?.idNumber).toBe('11010519491231002X');
  });

  it('names each field that disagrees with the ID, under the person’s path in the form', () => {
    const { identity, problems } = resolveIdentity({ ...base, sex: 'M', birthDate: '1990-01-02', nationality: 'USA' }, TODAY, 'people.1');
    expect(identity).toBeUndefined();
    expect(problems.map((problem) => [problem.field, problem.code])).toEqual([
      ['people.1.sex', 'id_mismatch'],
      ['people.1.birthDate', 'id_mismatch'],
      ['people.1.nationality', 'id_mismatch'],
    ]);
  });

  it('passes on the ID checker’s message for an invalid number, with the Chinese for what is wrong', () => {
    const { problems } = resolveIdentity({ ...base, idNumber: '110105194912310021' }, TODAY);
    expect(problems).toEqual([
      { field: 'idNumber', code: 'invalid_id_number', message: expect.stringMatching(/expected X/), messageZh: 'idNumber：身份证号码的校验位不正确' },
    ]);
  });

  it('requires sex, birth date and nationality for a passport, and passports only for overseas people', () => {
    const passport = { idType: 'passport' as const, idNumber: 'e1234567', category: 'overseas' as const };
    expect(resolveIdentity(passport, TODAY).problems.map((problem) => problem.field)).toEqual(['sex', 'birthDate', 'nationality']);
    expect(resolveIdentity({ ...passport, sex: 'F', birthDate: '1990-01-01', nationality: 'USA' }, TODAY).identity).toEqual({
      idType: 'passport',
      idNumber: 'E1234567',
      sex: 'F',
      birthDate: '1990-01-01',
      nationality: 'USA',
    });
    expect(resolveIdentity({ ...passport, idNumber: 'E1!' }, TODAY).problems[0]).toMatchObject({ field: 'idNumber', code: 'invalid_passport_number' });
    expect(resolveIdentity({ ...base, category: 'overseas' }, TODAY).problems[0]).toMatchObject({ field: 'category', code: 'category_id_type_mismatch' });
  });

  it('accepts a floating type only for the floating population', () => {
    expect(resolveIdentity({ ...base, category: 'lodging', floatingType: 'single' }, TODAY).problems[0]).toMatchObject({
      field: 'floatingType',
      code: 'floating_type_not_floating',
    });
    expect(resolveIdentity({ ...base, floatingType: 'single' }, TODAY).problems).toEqual([]);
  });
});

describe('residence permits', () => {
  it('issues for the configured periods only', () => {
    expect(permitYearsProblem(3, DEFAULT_PERMIT_SETTINGS)).toBeUndefined();
    expect(permitYearsProblem(5, DEFAULT_PERMIT_SETTINGS)).toMatchObject({ field: 'years', code: 'permit_years_not_allowed' });
    expect(permitYearsProblem(5, { allowedYears: [1, 3, 5], renewalWindowDays: 30 })).toBeUndefined();
    expect(permitExpiry('2026-11-23', 3)).toBe('2029-11-23');
  });

  const valid = { status: 'valid' as const, expiresOn: '2026-12-23' };

  it.each([
    ['31 days before expiry', '2026-11-22', 'renewal_too_early'],
    ['30 days before expiry', '2026-11-23', undefined],
    ['on the expiry day', '2026-12-23', undefined],
    ['the day after expiry', '2026-12-24', 'permit_expired'],
  ])('renewal %s: %s', (_case, today, code) => {
    expect(renewalProblem(valid, today, DEFAULT_PERMIT_SETTINGS)?.code).toBe(code);
  });

  it('says when renewal opens, follows a configured window, and refuses renewed or revoked permits', () => {
    expect(renewalOpensOn(valid.expiresOn, DEFAULT_PERMIT_SETTINGS)).toBe('2026-11-23');
    expect(renewalProblem(valid, '2026-11-01', DEFAULT_PERMIT_SETTINGS)?.message).toMatch(/opens on 2026-11-23/);
    expect(renewalProblem(valid, '2026-11-01', { allowedYears: [1], renewalWindowDays: 60 })).toBeUndefined();
    expect(renewalProblem({ ...valid, status: 'renewed' }, '2026-12-01', DEFAULT_PERMIT_SETTINGS)?.code).toBe('permit_already_renewed');
    expect(renewalProblem({ ...valid, status: 'revoked' }, '2026-12-01', DEFAULT_PERMIT_SETTINGS)?.code).toBe('permit_revoked');
  });
});

describe('jurisdiction prefixes as code ranges', () => {
  it.each([
    ['440307', '440308'],
    ['4403079', '440308'],
    ['44030799', '440308'],
    ['19', '2'],
    ['999', undefined],
  ])('codes starting with %s sort below %s', (prefix, upper) => {
    expect(prefixUpperBound(prefix)).toBe(upper);
  });
});
