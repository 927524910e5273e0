import { describe, expect, it } from 'vitest';
import { buildingCodeOfUnit, checkBuildingCode, checkUnitCode, formatCodePart, isWithinJurisdiction } from '../../server/domain/codes.ts';

describe('house codes', () => {
  it('parses the DOMAIN.md example unit code into its parts', () => {
    const check = checkUnitCode('4403070030030400042000003');
    expect(check.ok).toBe(true);
    expect(check.parts).toEqual({
      province: '44',
      city: '03',
      district: '07',
      street: '003',
      community: '003',
      grid: '04',
      building: '00042',
      unit: '000003',
    });
    expect(buildingCodeOfUnit('4403070030030400042000003')).toBe('4403070030030400042');
  });

  it('accepts a 19-digit building code', () => {
    expect(checkBuildingCode('4403070030030400042')).toMatchObject({ ok: true });
  });

  it.each([
    ['440307003003040004', 'length', /19 digits, got 18/],
    ['44030700300304000421', 'length', /19 digits, got 20/],
    ['44030700300304A0042', 'format', /digits only/],
    ['0903070030030400042', 'province', /province part/],
    ['4403070000030400042', 'street', /street part .* all zeros/],
    ['4403070030000400042', 'community', /community part/],
    ['4403070030030000042', 'grid', /grid part/],
    ['4403070030030400000', 'building', /building part/],
  ])('rejects building code %s naming the %s part', (code, part, message) => {
    const check = checkBuildingCode(code);
    expect(check.ok).toBe(false);
    expect(check.badPart).toBe(part);
    expect(check.message).toMatch(message);
  });

  it('rejects a unit code whose unit part is all zeros, and non-strings', () => {
    expect(checkUnitCode('4403070030030400042000000')).toMatchObject({ ok: false, badPart: 'unit' });
    // biome-ignore lint/correctness/noPrecisionLoss: a number that is no code is the input under test.
    expect(checkUnitCode(4403070030030400042000003)).toMatchObject({ ok: false, badPart: 'format' });
  });

  it('formats code parts with zero padding and refuses overflow', () => {
    expect(formatCodePart('building', 42)).toBe('00042');
    expect(formatCodePart('unit', 3)).toBe('000003');
    expect(() => formatCodePart('grid', 100)).toThrow(/does not fit/);
  });

  it('checks jurisdiction by code prefix', () => {
    expect(isWithinJurisdiction('4403070030030400042', ['44030700300304'])).toBe(true);
    expect(isWithinJurisdiction('4403070030030500042', ['44030700300304'])).toBe(false);
    expect(isWithinJurisdiction('4403070030030400042', [])).toBe(false);
  });
});
