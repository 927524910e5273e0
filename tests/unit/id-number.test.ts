import { describe, expect, it } from 'vitest';
import { ageOn, checkIdNumber, maskIdNumber, maskPhone, withCheckCharacter } from '../../server/domain/id-number.ts';

const TODAY = '2026-11-23';

describe('GB 11643 ID numbers', () => {
  it('accepts the DOMAIN.md examples and derives sex and birth date', () => {
    expect(checkIdNumber('11010519491231002X', TODAY)).toEqual({ ok: true, birthDate: '1949-12-31', sex: 'F', divisionCode: '110105' });
    // Valid as a number; checked on a day when its holder could still be alive (see the 120-year rule below).
    expect(checkIdNumber('440524188001010014', '1990-01-01')).toEqual({ ok: true, birthDate: '1880-01-01', sex: 'M', divisionCode: '440524' });
  });

  it('refuses a birth date more than 120 years ago: 1880 is a typing error, not a resident', () => {
    expect(checkIdNumber('440524188001010014', TODAY)).toMatchObject({ ok: false, problem: 'too_old', message: expect.stringMatching(/120 years/) });
    expect(checkIdNumber(withCheckCharacter('44052419061122001'), TODAY)).toMatchObject({ ok: false, problem: 'too_old' });
    expect(checkIdNumber(withCheckCharacter('44052419061123001'), TODAY).ok).toBe(true);
  });

  it('accepts a lower-case x check character', () => {
    expect(checkIdNumber('11010519491231002x', TODAY).ok).toBe(true);
  });

  it('rejects a wrong check character and says what it should be', () => {
    const check = checkIdNumber('110105194912310021', TODAY);
    expect(check).toMatchObject({ ok: false, problem: 'checksum' });
    expect(check.message).toMatch(/expected X/);
  });

  it('rejects dates that do not exist', () => {
    const feb30 = withCheckCharacter('44030319900230001');
    expect(checkIdNumber(feb30, TODAY)).toMatchObject({ ok: false, problem: 'birth_date' });
    expect(checkIdNumber(withCheckCharacter('44030319901301001'), TODAY)).toMatchObject({ ok: false, problem: 'birth_date' });
    expect(checkIdNumber(withCheckCharacter('44030320230229001'), TODAY)).toMatchObject({ ok: false, problem: 'birth_date' });
  });

  it('rejects a future birth date', () => {
    const check = checkIdNumber(withCheckCharacter('44030320261124001'), TODAY);
    expect(check).toMatchObject({ ok: false, problem: 'future_birth_date' });
    expect(checkIdNumber(withCheckCharacter('44030320261123001'), TODAY).ok).toBe(true);
  });

  it.each(['', '12345', '11010519491231002Y', '1101051949123100XX', 'x'.repeat(18)])('rejects malformed %j', (value) => {
    expect(checkIdNumber(value, TODAY)).toMatchObject({ ok: false, problem: 'format' });
  });

  it('rejects an unknown province', () => {
    expect(checkIdNumber(withCheckCharacter('99010519491231002'), TODAY)).toMatchObject({ ok: false, problem: 'division' });
  });

  it('computes age with birthdays', () => {
    expect(ageOn('2010-11-24', TODAY)).toBe(15);
    expect(ageOn('2010-11-23', TODAY)).toBe(16);
  });

  it('masks IDs as 6 + 4 and phones as 3 + 4', () => {
    expect(maskIdNumber('440524188001010014')).toBe('440524********0014');
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
});
