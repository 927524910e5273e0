import { describe, expect, it } from 'vitest';
import { communityOfCompound, isCompoundCode, splitCodeList } from '../../server/domain/compounds.ts';

describe('compound codes (小区/院落)', () => {
  it('are the community code, a hyphen and three digits, never 000', () => {
    expect(isCompoundCode('440307001001-001')).toBe(true);
    expect(isCompoundCode('440307001001-000')).toBe(false);
    // Without the hyphen it would read as a grid code's prefix under a code-prefix jurisdiction.
    expect(isCompoundCode('440307001001001')).toBe(false);
    expect(isCompoundCode('44030700100-001')).toBe(false);
    expect(communityOfCompound('440307001001-012')).toBe('440307001001');
  });

  it('reads a cell of building codes written with any of the usual separators', () => {
    expect(splitCodeList(' 4403070010010100001；4403070010010100002、4403070010010100003,4403070010010100004 ; ')).toEqual([
      '4403070010010100001',
      '4403070010010100002',
      '4403070010010100003',
      '4403070010010100004',
    ]);
  });
});
