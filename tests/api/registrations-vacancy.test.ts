import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode } from '../helpers/fixture-city.ts';
import { daysAgo, floatingAdult, idCard, startRegistrationApp } from '../helpers/registration-fixture.ts';

/** Issue 15.4: a move-in into a vacant (空置) unit changes its use; a unit emptied by a move-out is flagged for a visit. */
let t: TestApp;
const vacant = (room: number) => fixtureUnitCode(FIXTURE.westHouse, 4, room);

beforeAll(async () => {
  t = await startRegistrationApp();
  for (const room of [1, 2]) {
    await t.handle.db.insertInto('units').values({ code: vacant(room), building_code: FIXTURE.westHouse, floor: 4, room: `40${room}`, area_m2: 30, use: 'vacant', landlord_name: null }).execute();
  }
});
afterAll(async () => t?.close());

const unitOf = (code: string) =>
  t.handle.db.selectFrom('units').select(['use', 'rental_registered', 'to_check']).where('code', '=', code).executeTakeFirstOrThrow();
const unitAudit = (code: string) =>
  t.handle.db.selectFrom('audit_log').select(['action', 'details']).where('target_type', '=', 'unit').where('target_id', '=', code).orderBy('id').execute();

describe('move-in into a vacant unit', () => {
  it('makes it an unregistered rental to check when a floating tenant moves in, audited', async () => {
    const collector = await t.logIn('collector_west');
    const moved = await collector.post('/api/registrations/move-in', { unitCode: vacant(1), movedIn: daysAgo(1), person: floatingAdult(idCard('1990-02-03', 41), '租客甲') }).expect(201);
    expect(await unitOf(vacant(1))).toEqual({ use: 'rented', rental_registered: false, to_check: 'unregistered_rental' });
    expect(await unitAudit(vacant(1))).toEqual([
      { action: 'unit_use_change', details: { from: 'vacant', to: 'rented', toCheck: 'unregistered_rental', cause: 'move_in', residencyIds: [moved.body.residencyId] } },
    ]);
  });

  it("makes it self-occupied when the owner's household (户籍) moves in", async () => {
    const collector = await t.logIn('collector_west');
    const owner = { ...floatingAdult(idCard('1970-05-06', 52), '业主乙'), category: 'registered', floatingType: undefined };
    await collector.post('/api/registrations/move-in', { unitCode: vacant(2), movedIn: daysAgo(1), person: owner }).expect(201);
    expect(await unitOf(vacant(2))).toEqual({ use: 'self_occupied', rental_registered: false, to_check: 'use_changed' });
  });

  it('flags a unit for a visit when its last occupant leaves', async () => {
    const police = await t.logIn('police');
    const tenant = await t.handle.db.selectFrom('residencies').select('person_id').where('unit_code', '=', vacant(1)).executeTakeFirstOrThrow();
    await police.post('/api/registrations/move-out', { personId: tenant.person_id, movedOut: daysAgo(0) }).expect(200);
    expect(await unitOf(vacant(1))).toMatchObject({ use: 'rented', to_check: 'emptied' });
    expect((await unitAudit(vacant(1))).map((row) => row.action)).toEqual(['unit_use_change', 'unit_flagged']);
  });

  it("lists the flagged units on the collector's list beside the overdue visits, and not another grid's collector", async () => {
    const west = await (await t.logIn('collector_west')).get('/api/rentals/overdue?role=collector').expect(200);
    expect(west.body.unitsToCheck).toEqual([
      // Oldest first: the owner moved in yesterday, the tenant left today.
      expect.objectContaining({ unitCode: vacant(2), use: 'self_occupied', reason: 'use_changed', since: daysAgo(1) }),
      expect.objectContaining({ unitCode: vacant(1), buildingCode: FIXTURE.westHouse, gridCode: FIXTURE.gridWest, reason: 'emptied', since: daysAgo(0) }),
    ]);
    const east = await (await t.logIn('collector_east')).get('/api/rentals/overdue?role=collector').expect(200);
    expect(east.body.unitsToCheck).toEqual([]);
  });
});
