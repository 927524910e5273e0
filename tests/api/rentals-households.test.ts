import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreMonths } from '../../server/rentals/service.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity } from '../helpers/fixture-city.ts';
import {
  householdTiersOf,
  insertCase,
  insertInspection,
  insertOneFloorHouse,
  insertPersonFlag,
  insertRentalHouse,
  insertRentalUsers,
  insertTenant,
  tiersBySpan,
  tiersOf,
} from '../helpers/rental-fixture.ts';

/**
 * Households of a building let separately (分租), scored month by month from the database
 * (Jan 2024 – Mar 2025, rule set version 1: base 10, key person −3, work target −2, criminal −3,
 * public order −1, registration ±2, clue +5, doors ±3, neighbours ±1, hygiene ±1).
 *
 * House 3 has rooms 101–104 let and 105 lived in by its owner:
 * - 101: criminal cases at the room in January and March 2024;
 * - 102: nothing of its own, the neighbour whose score must not move;
 * - 103: a tenant registered on time, and a visit to the room in January with a clue;
 * - 104: a key person and a work target flagged in January and February 2024;
 * - the whole building: a visit on 20 Feb 2024 finding anti-theft doors, unregistered tenants and
 *   a clue (only the doors are shared with households), and a public-order case in July with no
 *   unit code (the building's alone).
 * Expected tiers are worked out by hand below.
 */
let t: TestApp;
let shared = '';
let single = '';
const room = (number: number) => fixtureUnitCode(shared, 1, number);

beforeAll(async () => {
  t = await startTestApp();
  const db = t.handle.db;
  await insertFixtureCity(db);
  await insertRentalUsers(db);

  shared = await insertOneFloorHouse(db, 3, FIXTURE.gridWest, ['rented', 'rented', 'rented', 'rented', 'self_occupied']);
  await insertCase(db, shared, 'criminal', '2024-01-15T10:00:00+08:00', room(1));
  await insertCase(db, shared, 'criminal', '2024-03-10T10:00:00+08:00', room(1));

  await insertTenant(db, room(3), { movedIn: '2024-01-05', registeredAt: '2024-01-08' });
  await insertInspection(db, shared, '2024-01-20', { unitCode: room(3), tenantsRegistered: true, clueGiven: true });

  // Moved in over 12 months before the first scored month: their on-time registration is no longer evidence.
  const keyPerson = await insertTenant(db, room(4), { movedIn: '2022-12-01', registeredAt: '2022-12-03' });
  const workTarget = await insertTenant(db, room(4), { movedIn: '2022-12-01', registeredAt: '2022-12-02' });
  await insertPersonFlag(db, keyPerson, 'key_person', '2024-01-01', '2024-02-29');
  await insertPersonFlag(db, workTarget, 'work_target', '2024-01-01', '2024-02-29');

  await insertInspection(db, shared, '2024-02-20', { doorsOk: true, tenantsRegistered: false, clueGiven: true });
  await insertCase(db, shared, 'public_order', '2024-07-10T10:00:00+08:00');

  // One let room only: a rental house, scored as a building and never as households.
  single = await insertRentalHouse(db, 4);

  await scoreMonths(db, '2024-01-01', '2025-03-01');
});
afterAll(async () => t?.close());

const householdScores = (unitCode: string) =>
  t.handle.db.selectFrom('rental_unit_scores').select(['month', 'score']).where('unit_code', '=', unitCode).orderBy('month').execute();
const scoreIn = async (unitCode: string, month: string) => (await householdScores(unitCode)).find((row) => row.month === `${month}-01`)?.score;

describe('which buildings are let separately', () => {
  it('scores each let unit of a building with two or more let units, and no other unit', async () => {
    const scored = await t.handle.db.selectFrom('rental_unit_scores').select('unit_code').distinct().orderBy('unit_code').execute();
    const westHouseRooms = [1, 2, 3].flatMap((floor) => [1, 2].map((number) => fixtureUnitCode(FIXTURE.westHouse, floor, number)));
    // The owner's own room 105 and the single-room house 4 have no household score.
    expect(scored.map((row) => row.unit_code)).toEqual([...westHouseRooms, room(1), room(2), room(3), room(4)]);
    expect(Object.keys(await tiersOf(t.handle.db, single))).toHaveLength(15);
  });
});

describe('household tiers month by month', () => {
  it('turns red on the second criminal case at the unit within 6 months, yellow after 3 clean months, green 12 months after the last case', async () => {
    // Jan: 10 − 3 = 7, capped at yellow by the case; Feb: 10 + 3 (the building's doors) = 13, still yellow;
    // Mar: second case → red; Apr, May, Jun clean → yellow in Jun; green once Apr 2024 – Mar 2025 has no case.
    expect(await householdTiersOf(t.handle.db, room(1))).toEqual(
      tiersBySpan([
        ['2024-01', '2024-02', 'yellow'],
        ['2024-03', '2024-05', 'red'],
        ['2024-06', '2025-02', 'yellow'],
        ['2025-03', '2025-03', 'green'],
      ]),
    );
    expect((await householdScores(room(1))).slice(0, 4).map((row) => row.score)).toEqual([7, 13, 10, 13]);
  });

  it('leaves the neighbouring household alone: no case, flag, late registration or clue of another unit or of the building', async () => {
    // Jan: 10; Feb 2024 – Jan 2025: 10 + 3 for the building's doors; then the finding is over 12 months old.
    expect(await householdTiersOf(t.handle.db, room(2))).toEqual(tiersBySpan([['2024-01', '2025-03', 'green']]));
    expect((await householdScores(room(2))).map((row) => row.score)).toEqual([10, ...Array<number>(12).fill(13), 10, 10]);
    expect(await scoreIn(room(2), '2024-07')).toBe(13);
  });

  it('counts a visit to the unit and its tenant’s registration: star while the clue is within 12 months', async () => {
    // Jan: 10 + 2 (registered on time) + 5 (clue) = 17; Feb–Dec: 10 + 3 (doors) + 2 (the on-time registration
    // holds until contradicted, issue 15.3), the clue within 12 months
    // and no late registration at this unit, though the building visit found unregistered tenants.
    expect(await householdTiersOf(t.handle.db, room(3))).toEqual(
      tiersBySpan([
        ['2024-01', '2024-12', 'star'],
        ['2025-01', '2025-03', 'green'],
      ]),
    );
    expect(await scoreIn(room(3), '2024-01')).toBe(17);
    expect(await scoreIn(room(3), '2024-02')).toBe(15);
  });

  it('counts only its own flagged tenants', async () => {
    // Jan: 10 − 3 − 2 = 5 → red; Feb: 8 but 1 clean month → red; Mar: 2 → red; Apr: 3 → yellow; then green.
    expect(await householdTiersOf(t.handle.db, room(4))).toEqual(
      tiersBySpan([
        ['2024-01', '2024-03', 'red'],
        ['2024-04', '2024-04', 'yellow'],
        ['2024-05', '2025-03', 'green'],
      ]),
    );
  });

  it('still scores the building on everything that happened there', async () => {
    const tiers = await tiersOf(t.handle.db, shared);
    expect([tiers['2024-01'], tiers['2024-03'], tiers['2024-06']]).toEqual(['yellow', 'red', 'yellow']);
    // Jan: 10 − 3 (case) − 3 − 2 (flags) + 2 (registration on time) + 5 (clue) = 9.
    const january = await t.handle.db
      .selectFrom('rental_scores')
      .select('score')
      .where('building_code', '=', shared)
      .where('month', '=', '2024-01-01')
      .executeTakeFirstOrThrow();
    expect(january.score).toBe(9);
  });
});

describe('household score card', () => {
  it("shows police the red month's case at the unit, the override and the history, and audits the read", async () => {
    const police = await t.logIn('police');
    const card = await police.get(`/api/rentals/units/${room(1)}?month=2024-03`).expect(200);
    expect(card.body).toMatchObject({
      unit: { code: room(1), buildingCode: shared, floor: 1, room: '101' },
      building: { code: shared },
      month: '2024-03-01',
      score: 10,
      tier: 'red',
      star: false,
      rulesVersion: 1,
    });
    const factors = card.body.explanation.factors.map((factor: { factor: string; points: number }) => [factor.factor, factor.points]);
    expect(factors).toEqual([
      ['case', -3],
      ['doors', 3],
    ]);
    expect(card.body.explanation.factors[0].evidence).toEqual([expect.objectContaining({ type: 'case', kind: 'criminal', occurredOn: '2024-03-10' })]);
    expect(card.body.explanation.overrides.map((override: { code: string }) => override.code)).toEqual(['two_criminal_cases_in_6_months']);
    expect(card.body.history).toHaveLength(15);
    const audited = await t.handle.db.selectFrom('audit_log').select(['username', 'target_id']).where('target_type', '=', 'rental_unit_score').execute();
    expect(audited).toContainEqual({ username: 'police', target_id: room(1) });
  });

  it('lists the households’ tiers on the building’s score card for the same month', async () => {
    const leader = await t.logIn('leader');
    const card = await leader.get(`/api/rentals/buildings/${shared}?month=2024-03`).expect(200);
    expect(card.body.households).toEqual([
      { unitCode: room(1), floor: 1, room: '101', score: 10, tier: 'red' },
      { unitCode: room(2), floor: 1, room: '102', score: 13, tier: 'green' },
      { unitCode: room(3), floor: 1, room: '103', score: 15, tier: 'star' },
      { unitCode: room(4), floor: 1, room: '104', score: 13, tier: 'red' },
    ]);
    const singleCard = await leader.get(`/api/rentals/buildings/${single}`).expect(200);
    expect(singleCard.body.households).toEqual([]);
  });

  it('lists the households’ tiers alone for the floor plan, the latest month by default', async () => {
    const leader = await t.logIn('leader');
    const latest = await leader.get(`/api/rentals/buildings/${shared}/households`).expect(200);
    expect(latest.body).toEqual({
      building: shared,
      month: '2025-03-01',
      households: [1, 2, 3, 4].map((number) => ({ unitCode: room(number), floor: 1, room: String(100 + number), score: 10, tier: 'green' })),
    });
    const june = await leader.get(`/api/rentals/buildings/${shared}/households?month=2024-06`).expect(200);
    expect(june.body.households.map((household: { tier: string }) => household.tier)).toEqual(['yellow', 'green', 'star', 'green']);
    const none = await leader.get(`/api/rentals/buildings/${single}/households`).expect(200);
    expect(none.body).toEqual({ building: single, month: null, households: [] });
    const outside = await t.logIn('east_collector');
    await outside.get(`/api/rentals/buildings/${shared}/households`).expect(404);
  });

  it('answers 404 outside the caller’s jurisdiction, for units without a household score, and 400 for bad input', async () => {
    const collector = await t.logIn('east_collector');
    await collector.get(`/api/rentals/units/${room(1)}`).expect(404);
    const police = await t.logIn('police');
    await police.get(`/api/rentals/units/${room(5)}`).expect(404);
    await police.get(`/api/rentals/units/${fixtureUnitCode(single, 1, 1)}`).expect(404);
    await police.get(`/api/rentals/units/${room(1)}?month=2023-12`).expect(404);
    const badCode = await police.get(`/api/rentals/units/${shared}`).expect(400);
    expect(badCode.body.error.code).toBe('invalid_unit_code');
    const badMonth = await police.get(`/api/rentals/units/${room(1)}?month=2024-13`).expect(400);
    expect(badMonth.body.error.details.fields[0].field).toBe('month');
  });
});

describe('re-running', () => {
  /** Every household row but the time it was computed. */
  async function snapshot() {
    const rows = await t.handle.db.selectFrom('rental_unit_scores').selectAll().orderBy(['unit_code', 'month']).execute();
    return rows.map(({ computed_at: _computedAt, ...row }) => row);
  }

  it('gives the same household rows when the whole range, a single month or the COPY path scores again', async () => {
    const before = await snapshot();
    expect(before).toHaveLength(10 * 15);
    const runs = [
      () => scoreMonths(t.handle.db, '2024-01-01', '2025-03-01'),
      () => scoreMonths(t.handle.db, '2024-06-01', '2024-06-01'),
      () => scoreMonths(t.handle.db, '2024-01-01', '2025-03-01', { pglite: t.handle.pglite }),
    ];
    for (const run of runs) {
      await run();
      expect(await snapshot()).toEqual(before);
    }
    expect(await runs[0]!()).toMatchObject({ months: 15, buildings: 3, scores: 45, households: 10, householdScores: 150 });
  });

  it('scores households in the admin run over HTTP', async () => {
    const before = await snapshot();
    const admin = await t.logIn('admin');
    const run = await admin.post('/api/rentals/scores/run', { from: '2024-06', to: '2024-07' }).expect(200);
    expect(run.body).toMatchObject({ months: 2, buildings: 3, scores: 6, households: 10, householdScores: 20 });
    expect(await snapshot()).toEqual(before);
  });
});
