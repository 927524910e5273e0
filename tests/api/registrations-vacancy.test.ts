import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode } from '../helpers/fixture-city.ts';
import { daysAgo, floatingAdult, idCard, startRegistrationApp } from '../helpers/registration-fixture.ts';
import { rentedUnitsOfGrid, writeUnitsOf } from '../helpers/hand-edits.ts';
import { streetCodeOf } from '../../server/domain/codes.ts';

/** Issue 15.4: a move-in into a vacant (空置) unit changes its use; a unit emptied by a move-out is flagged for a visit. */
let t: TestApp;
const vacant = (room: number) => fixtureUnitCode(FIXTURE.westHouse, 4, room);

beforeAll(async () => {
  t = await startRegistrationApp();
  await writeUnitsOf(t.handle.db, [FIXTURE.westHouse], (trx) =>
    trx
      .insertInto('units')
      .values(
        [1, 2].map((room) => ({
          code: vacant(room),
          building_code: FIXTURE.westHouse,
          street_code: streetCodeOf(FIXTURE.westHouse),
          floor: 4,
          room: `40${room}`,
          area_m2: 30,
          use: 'vacant' as const,
          landlord_name: null,
        })),
      )
      .execute(),
  );
});
afterAll(async () => t?.close());

const unitOf = (code: string) =>
  t.handle.db.selectFrom('units').select(['use', 'rental_registered', 'to_check']).where('code', '=', code).executeTakeFirstOrThrow();
const unitAudit = (code: string) =>
  t.handle.db.selectFrom('audit_log').select(['action', 'details']).where('target_type', '=', 'unit').where('target_id', '=', code).orderBy('id').execute();

/** The west grid's rented units, kept and counted: registrations and visits recount them themselves (sql/0046). */
const rentedUnitsOfWestGrid = () => rentedUnitsOfGrid(t.handle.db, FIXTURE.gridWest);

describe('move-in into a vacant unit', () => {
  it('makes it an unregistered rental to check when a floating tenant moves in, audited, and counted in its grid', async () => {
    const before = await rentedUnitsOfWestGrid();
    const collector = await t.logIn('collector_west');
    const moved = await collector
      .post('/api/registrations/move-in', { unitCode: vacant(1), movedIn: daysAgo(1), person: floatingAdult(idCard('1990-02-03', 41), '租客甲') })
      .expect(201);
    expect(await unitOf(vacant(1))).toEqual({ use: 'rented', rental_registered: false, to_check: 'unregistered_rental' });
    expect(await rentedUnitsOfWestGrid()).toEqual({ kept: before.kept + 1, counted: before.kept + 1 });
    expect(await unitAudit(vacant(1))).toEqual([
      {
        action: 'unit_use_change',
        details: { from: 'vacant', to: 'rented', toCheck: 'unregistered_rental', cause: 'move_in', residencyIds: [moved.body.residencyId] },
      },
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
      expect.objectContaining({ unitCode: vacant(2), room: '402', use: 'self_occupied', reason: 'use_changed', since: daysAgo(1) }),
      expect.objectContaining({ unitCode: vacant(1), buildingCode: FIXTURE.westHouse, gridCode: FIXTURE.gridWest, reason: 'emptied', since: daysAgo(0) }),
    ]);
    const east = await (await t.logIn('collector_east')).get('/api/rentals/overdue?role=collector').expect(200);
    expect(east.body.unitsToCheck).toEqual([]);
  });
});

describe("the collector's visit clears a unit to check (POST /api/units/:code/check)", () => {
  const listed = async () =>
    ((await (await t.logIn('collector_west')).get('/api/rentals/overdue?role=collector').expect(200)).body.unitsToCheck as { unitCode: string }[]).map(
      (unit) => unit.unitCode,
    );

  it('refuses bad findings with a 4xx naming the field, and changes nothing', async () => {
    const collector = await t.logIn('collector_west');
    const refused = async (code: string, body: object, status: number, field: string) => {
      const response = await collector.post(`/api/units/${code}/check`, body).expect(status);
      expect(response.body.error.details.fields[0]).toMatchObject({ field });
    };
    await refused(vacant(2), { visitedOn: daysAgo(0) }, 400, 'use');
    await refused(vacant(2), { visitedOn: daysAgo(0), use: 'castle' }, 400, 'use');
    await refused(vacant(2), { visitedOn: daysAgo(-1), use: 'self_occupied' }, 400, 'visitedOn');
    await refused(vacant(2), { visitedOn: daysAgo(2), use: 'self_occupied' }, 400, 'visitedOn');
    // The owner's household lives there on the register: their move-out comes first.
    await refused(vacant(2), { visitedOn: daysAgo(0), use: 'vacant' }, 409, 'use');
    // A unit nobody flagged has nothing to clear.
    await refused(fixtureUnitCode(FIXTURE.westHouse, 1, 1), { visitedOn: daysAgo(0), use: 'rented' }, 409, 'code');
    await collector.post('/api/units/123/check', { visitedOn: daysAgo(0), use: 'rented' }).expect(400);
    // Another grid's collector is told the unit does not exist.
    await (await t.logIn('collector_east')).post(`/api/units/${vacant(2)}/check`, { visitedOn: daysAgo(0), use: 'self_occupied' }).expect(404);
    expect(await unitOf(vacant(2))).toEqual({ use: 'self_occupied', rental_registered: false, to_check: 'use_changed' });
  });

  it('takes the use found, clears the flag, audits both uses, recounts its grid, and the unit leaves the list', async () => {
    expect(await listed()).toEqual([vacant(2), vacant(1)]);
    const before = await rentedUnitsOfWestGrid();
    const collector = await t.logIn('collector_west');
    const checked = await collector.post(`/api/units/${vacant(1)}/check`, { visitedOn: daysAgo(0), use: 'vacant' }).expect(200);
    expect(checked.body).toEqual({ unitCode: vacant(1), previousUse: 'rented', use: 'vacant', clearedCheck: 'emptied', visitedOn: daysAgo(0) });
    expect(await unitOf(vacant(1))).toEqual({ use: 'vacant', rental_registered: false, to_check: null });
    expect(await rentedUnitsOfWestGrid()).toEqual({ kept: before.kept - 1, counted: before.kept - 1 });
    expect((await unitAudit(vacant(1))).at(-1)).toEqual({
      action: 'update',
      details: { cause: 'unit_check', clearedCheck: 'emptied', flaggedSince: daysAgo(0), visitedOn: daysAgo(0), from: 'rented', to: 'vacant' },
    });
    expect(await listed()).toEqual([vacant(2)]);
    await collector.post(`/api/units/${vacant(1)}/check`, { visitedOn: daysAgo(0), use: 'vacant' }).expect(409);
  });
});
