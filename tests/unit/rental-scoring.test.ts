import { describe, expect, it } from 'vitest';
import { lastDayOfMonth } from '../../server/domain/calendar.ts';
import {
  addMonths,
  decideTier,
  monthsBetween,
  NO_FACTS,
  originTermIn,
  scoreBuildingMonths,
  tierOfScore,
  describeOverride,
  type BuildingFacts,
  type InspectionFact,
  type RentalRule,
  type ScoreWindows,
} from '../../server/domain/rental-scoring.ts';

/** The DOMAIN.md table, as sql/0005_rentals.sql seeds it. */
const DOMAIN_RULES: RentalRule[] = [
  ['tenant_flag', { flag: 'key_person' }, -3],
  ['tenant_flag', { flag: 'work_target' }, -2],
  ['case', { caseKind: 'criminal' }, -3],
  ['case', { caseKind: 'public_order' }, -1],
  ['landlord_registration', { onTime: true }, 2],
  ['landlord_registration', { onTime: false }, -2],
  ['clue', {}, 5],
  ['doors', { installed: true }, 3],
  ['doors', { installed: false }, -3],
  ['neighbours', { good: true }, 1],
  ['neighbours', { good: false }, -1],
  ['hygiene', { good: true }, 1],
  ['hygiene', { good: false }, -1],
].map(
  ([factor, params, points], index) =>
    ({
      id: index + 1,
      factor,
      params,
      points,
      label: `rule ${index + 1}`,
      active: true,
    }) as RentalRule,
);

let nextId = 1;
const visit = (visitedOn: string, findings: Partial<InspectionFact>): InspectionFact => ({
  inspectionId: nextId++,
  visitedOn,
  role: 'collector',
  doorsOk: null,
  hygieneGood: null,
  neighboursGood: null,
  tenantsRegistered: null,
  clueGiven: false,
  ...findings,
});
const criminal = (occurredOn: string) => ({ caseId: nextId++, kind: 'criminal' as const, occurredOn });
const publicOrder = (occurredOn: string) => ({ caseId: nextId++, kind: 'public_order' as const, occurredOn });
const facts = (partial: Partial<BuildingFacts>): BuildingFacts => ({ ...NO_FACTS, ...partial });

/** Tiers for consecutive months starting with `first`, as one string per month. */
function tiers(building: BuildingFacts, first: string, count: number, previous: Parameters<typeof scoreBuildingMonths>[3] = null) {
  return scoreBuildingMonths(building, monthsBetween(first, addMonths(first, count - 1)), DOMAIN_RULES, previous).map((month) => month.tier);
}
const repeat = (tier: string, count: number) => Array<string>(count).fill(tier);

describe('months', () => {
  it('adds months across years and lists ranges', () => {
    expect(addMonths('2024-11-01', 3)).toBe('2025-02-01');
    expect(addMonths('2024-01-01', -1)).toBe('2023-12-01');
    expect(monthsBetween('2024-11-01', '2025-02-01')).toEqual(['2024-11-01', '2024-12-01', '2025-01-01', '2025-02-01']);
    expect(monthsBetween('2025-02-01', '2024-11-01')).toEqual([]);
    expect(lastDayOfMonth('2024-02-01')).toBe('2024-02-29');
  });
});

describe('score from facts', () => {
  it('starts from 10 and is green when nothing is known', () => {
    const [month] = scoreBuildingMonths(NO_FACTS, ['2024-01-01'], DOMAIN_RULES, null);
    expect(month).toMatchObject({ score: 10, tier: 'green' });
    expect(month!.explanation.factors).toEqual([]);
    expect(month!.explanation.unobserved).toEqual(['doors', 'hygiene', 'neighbours', 'landlord_registration']);
  });

  it('applies every factor of the DOMAIN table with its points', () => {
    const building = facts({
      flaggedTenants: [
        { flag: 'key_person', residencyId: 101, personId: 1, from: '2024-01-01', to: null },
        { flag: 'key_person', residencyId: 102, personId: 2, from: '2024-03-31', to: '2024-04-30' },
        { flag: 'work_target', residencyId: 103, personId: 3, from: '2023-01-01', to: '2024-03-01' },
        // Left before March, and flagged only from April: not counted.
        { flag: 'work_target', residencyId: 104, personId: 4, from: '2023-01-01', to: '2024-02-29' },
        { flag: 'key_person', residencyId: 105, personId: 5, from: '2024-04-01', to: null },
      ],
      cases: [publicOrder('2024-03-05'), publicOrder('2024-03-25')],
      registrations: [{ residencyId: 9, movedIn: '2024-03-01', registeredAt: '2024-03-09' }],
      inspections: [visit('2024-03-10', { doorsOk: false, neighboursGood: true, hygieneGood: false })],
    });
    const [month] = scoreBuildingMonths(building, ['2024-03-01'], DOMAIN_RULES, null);
    // 10 − 3·2 − 2 − 1·2 − 2 (registered 8 days after moving in) − 3 + 1 − 1 = −5
    expect(month!.score).toBe(-5);
    expect(month!.tier).toBe('red');
    expect(month!.explanation.factors.map((factor) => [factor.ruleId, factor.count, factor.points])).toEqual([
      [1, 2, -6],
      [2, 1, -2],
      [4, 2, -2],
      [6, 1, -2],
      [9, 1, -3],
      [10, 1, 1],
      [13, 1, -1],
    ]);
  });

  it('counts registration within 7 days as on time and a visit finding unregistered tenants as late', () => {
    const onTime = facts({ registrations: [{ residencyId: 1, movedIn: '2024-03-01', registeredAt: '2024-03-08' }] });
    expect(scoreBuildingMonths(onTime, ['2024-03-01'], DOMAIN_RULES, null)[0]!.score).toBe(12);
    const check = visit('2024-03-20', { tenantsRegistered: false });
    const [month] = scoreBuildingMonths(facts({ ...onTime, inspections: [check] }), ['2024-03-01'], DOMAIN_RULES, null);
    expect(month!.score).toBe(8);
    expect(month!.explanation.factors).toEqual([{ ruleId: 6, count: 1, points: -2, inspections: [check.inspectionId], lastEvidencedOn: '2024-03-20' }]);
  });

  it('carries a visit finding forward for 12 months, the latest visit winning', () => {
    const building = facts({ inspections: [visit('2024-01-10', { doorsOk: false }), visit('2024-03-10', { hygieneGood: true })] });
    const scores = scoreBuildingMonths(building, monthsBetween('2024-01-01', '2025-03-01'), DOMAIN_RULES, null).map((month) => month.score);
    // Jan–Feb 2024: 10 − 3; Mar 2024 – Dec 2024: 10 − 3 + 1; Jan–Feb 2025: doors stale, 10 + 1; Mar 2025: both stale.
    expect(scores).toEqual([7, 7, ...Array<number>(10).fill(8), 11, 11, 10]);
    const repaired = facts({ inspections: [visit('2024-01-10', { doorsOk: false }), visit('2024-02-10', { doorsOk: true })] });
    expect(scoreBuildingMonths(repaired, ['2024-02-01'], DOMAIN_RULES, null)[0]!.score).toBe(13);
  });

  it('ignores inactive rules', () => {
    const rules = DOMAIN_RULES.map((rule) => (rule.factor === 'case' ? { ...rule, active: false } : rule));
    const [month] = scoreBuildingMonths(facts({ cases: [criminal('2024-03-01')] }), ['2024-03-01'], rules, null);
    expect(month!.score).toBe(10);
  });
});

describe('evidence', () => {
  it('names every event of a per-event factor but at most 10 behind a once-a-month factor', () => {
    const registrations = Array.from({ length: 14 }, (_, index) => ({ residencyId: index, movedIn: '2024-03-02', registeredAt: '2024-03-04' }));
    const cases = Array.from({ length: 12 }, (_, index) => publicOrder(`2024-03-${String(index + 10)}`));
    const [month] = scoreBuildingMonths(facts({ registrations, cases }), ['2024-03-01'], DOMAIN_RULES, null);
    const [publicOrderFactor, registration] = month!.explanation.factors;
    expect(publicOrderFactor).toMatchObject({ ruleId: 4, count: 12, points: -12 });
    expect(publicOrderFactor!.cases).toHaveLength(12);
    expect(publicOrderFactor!.events).toBeUndefined();
    expect(registration).toMatchObject({ ruleId: 5, count: 1, points: 2, events: 14 });
    expect(registration!.residencies).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('tier boundaries', () => {
  it.each([
    [5.9, 'red'],
    [6, 'yellow'],
    [6.9, 'yellow'],
    [7, 'green'],
    [15, 'green'],
  ])('score %d is %s', (score, tier) => {
    expect(tierOfScore(score)).toBe(tier);
  });

  it('makes a green house with score 9, cooperation and a recent clue a star, and nothing less', () => {
    const windows: ScoreWindows = { criminalCasesThisMonth: 0, criminalCases6Months: 0, criminalCases12Months: 0, cooperative: true, clueWithin12Months: true };
    const input = { score: 9, scoreTier: 'green' as const, windows, previousTier: 'green' as const, cleanMonths: 5 };
    expect(decideTier(input).tier).toBe('star');
    expect(decideTier({ ...input, score: 8.9 }).tier).toBe('green');
    expect(decideTier({ ...input, windows: { ...windows, cooperative: false } }).tier).toBe('green');
    expect(decideTier({ ...input, windows: { ...windows, clueWithin12Months: false } }).tier).toBe('green');
    expect(decideTier({ ...input, windows: { ...windows, criminalCases12Months: 1 } }).tier).toBe('yellow');
  });
});

describe('transitions month by month', () => {
  it('red after the second criminal case in 6 months, yellow after 3 clean months, green 12 months after the last case', () => {
    const building = facts({ cases: [criminal('2024-01-15'), criminal('2024-03-10')] });
    // Jan–Feb yellow (a criminal case within 12 months); Mar red; Apr, May red (1, 2 clean months);
    // Jun yellow (3rd clean month); yellow until Feb 2025; Mar 2025 green (Apr 2024 – Mar 2025 clean).
    expect(tiers(building, '2024-01-01', 15)).toEqual(['yellow', 'yellow', 'red', 'red', 'red', ...repeat('yellow', 9), 'green']);
  });

  it('does not force red for two criminal cases more than 6 months apart', () => {
    const building = facts({ cases: [criminal('2024-01-15'), criminal('2024-07-10')] });
    expect(tiers(building, '2024-01-01', 7)).toEqual(repeat('yellow', 7));
  });

  it('restarts the 3 clean months after a public-order case', () => {
    const building = facts({ cases: [criminal('2024-02-01'), criminal('2024-03-01'), publicOrder('2024-05-20')] });
    // Mar red; Apr clean (1); May case (0); Jun, Jul clean (1, 2) → red; Aug (3) → yellow.
    expect(tiers(building, '2024-03-01', 6)).toEqual(['red', 'red', 'red', 'red', 'red', 'yellow']);
  });

  it('keeps a house red on its score and counts clean months only once its score recovers', () => {
    const building = facts({
      flaggedTenants: [
        { flag: 'key_person', residencyId: 101, personId: 1, from: '2024-01-01', to: '2024-02-29' },
        { flag: 'work_target', residencyId: 102, personId: 2, from: '2024-01-15', to: '2024-02-01' },
        // The same person moving between two units in a month counts once.
        { flag: 'work_target', residencyId: 106, personId: 2, from: '2024-02-01', to: '2024-02-10' },
      ],
    });
    // Jan, Feb: 5 → red; Mar, Apr: 10 but 1, 2 clean months → red; May → yellow; Jun → green.
    expect(tiers(building, '2024-01-01', 6)).toEqual(['red', 'red', 'red', 'red', 'yellow', 'green']);
  });

  it('continues from the stored month before the first one scored', () => {
    expect(tiers(NO_FACTS, '2024-06-01', 3, { tier: 'red', cleanMonths: 1 })).toEqual(['red', 'yellow', 'green']);
    expect(tiers(NO_FACTS, '2024-06-01', 1, { tier: 'red', cleanMonths: 2 })).toEqual(['yellow']);
  });

  it('is star while cooperative with a clue in 12 months, green once the clue is older or a registration is late', () => {
    const building = facts({
      registrations: [{ residencyId: 1, movedIn: '2024-01-05', registeredAt: '2024-01-06' }],
      inspections: [visit('2024-01-20', { clueGiven: true })],
    });
    // Jan: 10 + 2 + 5 = 17; Feb–Dec: 10, cooperative, clue within 12 months → star; Jan 2025 → green.
    expect(tiers(building, '2024-01-01', 13)).toEqual([...repeat('star', 12), 'green']);
    const late = facts({
      ...building,
      registrations: [...building.registrations, { residencyId: 2, movedIn: '2024-04-01', registeredAt: '2024-04-20' }],
    });
    // Apr: 10 − 2 = 8 → green; afterwards the late month is in the window: no longer cooperative.
    expect(tiers(late, '2024-01-01', 6)).toEqual(['star', 'star', 'star', 'green', 'green', 'green']);
  });

  it('gives the same scores and explanations when run twice', () => {
    const building = facts({ cases: [criminal('2024-01-15')], inspections: [visit('2024-02-01', { doorsOk: true, clueGiven: true })] });
    const months = monthsBetween('2024-01-01', '2024-12-01');
    expect(scoreBuildingMonths(building, months, DOMAIN_RULES, null)).toEqual(scoreBuildingMonths(building, months, DOMAIN_RULES, null));
  });
});

describe('explanations', () => {
  it('lists the overrides that held a tier back', () => {
    const building = facts({ cases: [criminal('2024-01-15'), criminal('2024-03-10')] });
    const scores = scoreBuildingMonths(building, monthsBetween('2024-01-01', '2024-06-01'), DOMAIN_RULES, null);
    expect(scores.map((month) => month.explanation.overrides)).toEqual([
      ['green_needs_12_months_without_criminal_case'],
      ['green_needs_12_months_without_criminal_case'],
      ['two_criminal_cases_in_6_months'],
      ['red_until_3_clean_months'],
      ['red_until_3_clean_months'],
      ['red_recovers_to_yellow_first'],
    ]);
  });

  it('names the events behind each factor by id: stays for tenants, cases, visits', () => {
    const doors = visit('2024-01-09', { doorsOk: true });
    const building = facts({
      flaggedTenants: [{ flag: 'key_person', residencyId: 31, personId: 7, from: '2023-06-01', to: null }],
      registrations: [{ residencyId: 32, movedIn: '2024-01-02', registeredAt: '2024-01-03' }],
      cases: [{ caseId: 33, kind: 'public_order', occurredOn: '2024-01-20' }],
      inspections: [doors],
    });
    const [month] = scoreBuildingMonths(building, ['2024-01-01'], DOMAIN_RULES, null);
    expect(month!.explanation.factors).toEqual([
      { ruleId: 1, count: 1, points: -3, residencies: [31], lastEvidencedOn: '2024-01-31' },
      { ruleId: 4, count: 1, points: -1, cases: [33], lastEvidencedOn: '2024-01-20' },
      { ruleId: 5, count: 1, points: 2, residencies: [32], lastEvidencedOn: '2024-01-03' },
      { ruleId: 8, count: 1, points: 3, inspections: [doors.inspectionId], lastEvidencedOn: '2024-01-09' },
    ]);
    expect(month!.score).toBe(11);
  });

  it('says why an override applied, with the numbers of that month', () => {
    const building = facts({ cases: [criminal('2024-01-15'), criminal('2024-03-10')] });
    const [january, , march] = scoreBuildingMonths(building, monthsBetween('2024-01-01', '2024-03-01'), DOMAIN_RULES, null);
    expect(describeOverride('two_criminal_cases_in_6_months', march!.explanation)).toBe('2 criminal cases within 6 months force red');
    expect(describeOverride('green_needs_12_months_without_criminal_case', january!.explanation)).toBe(
      '1 criminal case(s) in the last 12 months: green needs none',
    );
  });
});

describe('rules on origin', () => {
  it.each([
    ['a hukou parameter', { factor: 'tenant_flag', params: { flag: 'key_person', hukouProvince: '湖南' }, points: -2 }, 'hukou'],
    ['an origin factor', { factor: 'tenant_origin', params: {}, points: -1 }, 'origin'],
    ['a birthplace parameter', { factor: 'case', params: { birthplace: 'X' }, points: -1 }, 'birth'],
    ['an ethnicity factor', { factor: 'ethnicity', params: { value: 'any' }, points: -1 }, 'ethnic'],
    ['a 籍贯 label', { factor: 'clue', params: {}, points: -1, label: '按籍贯扣分' }, '籍贯'],
    ['a 户籍 label', { factor: 'clue', params: {}, points: -1, label: '外地户籍租客' }, '户籍'],
    ['a 民族 parameter', { factor: 'tenant_flag', params: { 民族: '某族' }, points: -1 }, '民族'],
    ['a nativePlace parameter', { factor: 'case', params: { nativePlace: 'x' }, points: -1 }, 'nativeplace'],
  ])('finds %s', (_what, rule, term) => {
    expect(originTermIn(rule)).toBe(term);
  });

  it('finds nothing in the DOMAIN rules', () => {
    expect(DOMAIN_RULES.filter((rule) => originTermIn(rule) !== undefined)).toEqual([]);
  });
});

describe('facts persist until contradicted (issue 15.3)', () => {
  const registration = (movedIn: string, registeredAt: string) => ({ residencyId: nextId++, movedIn, registeredAt });

  it('keeps the on-time registration points in a month without a visit or a new tenant', () => {
    const house = facts({
      registrations: [registration('2025-01-03', '2025-01-05')],
      inspections: [visit('2025-01-10', { doorsOk: true })],
    });
    const [january, february] = scoreBuildingMonths(house, ['2025-01-01', '2025-02-01'], DOMAIN_RULES, null);
    expect(january!.score).toBe(15);
    expect(february!.score).toBe(15);
    expect(february!.explanation.unobserved).not.toContain('landlord_registration');
    const kept = february!.explanation.factors.find((factor) => factor.ruleId === 5)!;
    expect(kept).toMatchObject({ points: 2, lastEvidencedOn: '2025-01-05', residencies: [expect.any(Number)] });
  });

  it('loses them when a later finding says the tenants are not registered', () => {
    const house = facts({
      registrations: [registration('2025-01-03', '2025-01-05')],
      inspections: [visit('2025-03-02', { tenantsRegistered: false })],
    });
    const scores = scoreBuildingMonths(house, ['2025-02-01', '2025-03-01', '2025-04-01'], DOMAIN_RULES, null);
    expect(scores.map((month) => month.score)).toEqual([12, 8, 8]);
  });

  it("counts the building's access control (门禁) like a visit that found the doors fine", () => {
    const house = facts({ accessControl: { recordedOn: '2024-06-01' } });
    const [month] = scoreBuildingMonths(house, ['2025-01-01'], DOMAIN_RULES, null);
    expect(month!.score).toBe(13);
    expect(month!.explanation.factors).toEqual([
      expect.objectContaining({ ruleId: 8, points: 3, buildingFlags: ['has_access_control'], lastEvidencedOn: '2024-06-01' }),
    ]);
    expect(month!.explanation.unobserved).not.toContain('doors');
  });

  it('lets a later visit that found the doors not fine contradict the flag', () => {
    const house = facts({ accessControl: { recordedOn: '2024-06-01' }, inspections: [visit('2025-01-04', { doorsOk: false })] });
    const [month] = scoreBuildingMonths(house, ['2025-01-01'], DOMAIN_RULES, null);
    expect(month!.score).toBe(7);
  });

  it('says when each point was last evidenced', () => {
    const house = facts({ cases: [publicOrder('2025-01-20')], inspections: [visit('2024-11-15', { hygieneGood: true })] });
    const [month] = scoreBuildingMonths(house, ['2025-01-01'], DOMAIN_RULES, null);
    expect(month!.explanation.factors).toEqual([
      expect.objectContaining({ ruleId: 4, lastEvidencedOn: '2025-01-20' }),
      expect.objectContaining({ ruleId: 12, lastEvidencedOn: '2024-11-15' }),
    ]);
  });
});
