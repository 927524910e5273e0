import { describe, expect, it } from 'vitest';
import { buildingsImport } from '../../server/imports/kinds/buildings.ts';
import { casesImport } from '../../server/imports/kinds/cases.ts';
import type { ImportKindSpec } from '../../server/imports/kinds/kind.ts';
import { peopleImport } from '../../server/imports/kinds/people.ts';
import { unitsImport } from '../../server/imports/kinds/units.ts';
import { reasonZh } from '../../server/imports/reasons.ts';
import { missingColumnReason } from '../../server/imports/runner.ts';

/**
 * Every reason an import rule writes has its Chinese (issue 16.8): rows full of mistakes go
 * through each kind's own rules, and every reason that comes out must match a translation rather
 * than fall back to "不符合规则：<English>".
 */

const UNTRANSLATED = /^不符合规则：/;
const context = { crs: 'wgs84' as const, today: '2026-12-04' };

function reasonsOf(spec: ImportKindSpec<unknown>, rows: Record<string, unknown>[]): string[] {
  return rows.flatMap((fields) => spec.parse(fields as never, context).problems?.map((problem) => problem.reason) ?? []);
}

const BAD_ROWS: [ImportKindSpec<never>, Record<string, unknown>[]][] = [
  [
    buildingsImport as ImportKindSpec<never>,
    [
      {},
      {
        code: '4403070010010100abc',
        address: 'x'.repeat(300),
        floors: 0,
        use: '仓库',
        managementMode: '?',
        hasAccessControl: '也许',
        landlordPhone: 'abc',
        lon: 500,
        lat: -100,
      },
      { code: '44030700100101', address: 'a', floors: 1.5, use: '住宅', managementMode: '物业式' },
      { code: '0003070010010100001', address: 'a', floors: 3, use: '住宅', managementMode: '物业式', lon: 114.2 },
      { code: '4403070000010100001', address: 'a', floors: 3, use: '住宅', managementMode: '物业式', lon: 114.2, lat: 22.7 },
      // biome-ignore lint/correctness/noPrecisionLoss: a code typed as a number (Excel does this) is the input under test.
      { code: 4403070010010100001, address: 'a', floors: 3, use: '住宅', managementMode: '物业式', lon: 114.2, lat: 22.7 },
    ],
  ],
  [
    unitsImport as ImportKindSpec<never>,
    [
      {},
      { code: '4403070010010100001000101', floor: 1, room: '101', areaM2: 'big', use: '自住', rentalRegistered: '是' },
      { code: '4403070010010100001000101', floor: 1, room: '101', areaM2: -1, use: '空置', letHouseholds: 3 },
      { code: '4403070010010100001000101', floor: 1, room: '101', areaM2: 100000, use: '出租', letHouseholds: 99 },
    ],
  ],
  [
    peopleImport as ImportKindSpec<never>,
    [
      {},
      {
        idNumber: '123',
        name: '张三',
        category: '流动',
        unitCode: '4403070010010100001000101',
        movedIn: '2024-02-30',
        registeredAt: '2024-03-01',
        nationality: 'China',
        phone: 'x',
      },
      {
        idNumber: '440306199001010019',
        name: '张三',
        sex: '女',
        birthDate: '1990-01-02',
        category: '常住',
        floatingType: '合租',
        unitCode: '4403070010010100001000101',
        movedIn: '2030-01-01',
        registeredAt: '2029-01-01',
      },
      {
        idNumber: 'E1',
        idType: '护照',
        name: 'Ann',
        category: '境外',
        unitCode: '4403070010010100001000101',
        movedIn: '2024-01-01',
        registeredAt: '2024-01-02',
      },
      {
        idNumber: '440306202601010014',
        name: '婴儿',
        category: '流动',
        unitCode: '4403070010010100001000101',
        movedIn: '2020-01-01',
        registeredAt: '2020-01-02',
      },
    ],
  ],
  [
    casesImport as ImportKindSpec<never>,
    [
      {},
      { caseNo: 'C1', kind: '?', category: '盗窃', occurredAt: '2099-01-01 10:00', lon: 114.2, lat: 22.7, gridCode: '440307001001000' },
      {
        caseNo: 'C2',
        kind: '刑事',
        category: '盗窃',
        occurredAt: 'soon',
        lon: 114.2,
        lat: 22.7,
        unitCode: '4403070010010100002000101',
        buildingCode: '4403070010010100001',
        gridCode: '44030700100102',
      },
    ],
  ],
];

describe('import reasons in Chinese', () => {
  it('translates every reason the kinds’ own rules write for rows full of mistakes', () => {
    const reasons = [...new Set(BAD_ROWS.flatMap(([spec, rows]) => reasonsOf(spec, rows)))];
    expect(reasons.length).toBeGreaterThan(25);
    expect(reasons.filter((reason) => UNTRANSLATED.test(reasonZh(reason)))).toEqual([]);
  });

  it('translates the reasons the runner and the database checks write', () => {
    const reasons = [
      missingColumnReason(['所在楼层', '楼层']),
      'repeats row 12',
      'is outside your grids',
      'contains a NUL character',
      'its grid (the first 14 digits) does not exist',
      'a building with this code is already on file (codes are never reused)',
      'the point is 4123 m outside its grid 44030700100101 (20 m allowed at the edge) / 位置在所属网格之外',
      'its building (the first 19 digits) is not on file: import the building first',
      'its building is demolished',
      'a unit with this code is already on file (codes are never reused)',
      'no unit with this code is on file',
      'the unit belongs to a demolished building',
      "is before this person's last move-out",
      'the details do not match the person on file with this ID number; check the papers, or ask the police station to verify the record',
      'this person already has a current residence; register a move or a move-out first',
      'this person lives in another unit; register a move or a move-out first (an import does not rewrite registered stays)',
      'a case with this number is already on file',
      'no grid with this code is on file',
      'no building with this code is on file',
      'the case lies outside your grids',
    ];
    expect(reasons.filter((reason) => UNTRANSLATED.test(reasonZh(reason)))).toEqual([]);
    expect(reasonZh(missingColumnReason(['所在楼层', '楼层']))).toBe('缺少列（请写其中之一：所在楼层、楼层）');
    expect(reasonZh('the point is 4123 m outside its grid 44030700100101 (20 m allowed at the edge) / 位置在所属网格之外')).toBe(
      '位置在所属网格 44030700100101 之外 4123 米（边界允许 20 米）',
    );
  });
});
