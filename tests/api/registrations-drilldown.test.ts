import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { FIXTURE } from '../helpers/fixture-city.ts';
import { bornYearsAgo, daysAgo, floatingAdult, idCard, REGISTRATION, signedIn, startRegistrationApp, today } from '../helpers/registration-fixture.ts';
import { writeUnitsOf } from '../helpers/hand-edits.ts';

/**
 * The west house (3 floors × 2 rented units) after these registrations, counted by hand:
 *   101: family of three (two adults, a child) since 3 days ago
 *   102: 张伟 (1990), registered 20 days after moving in → late
 *   201: 钱一 lived here 100 → 10 days ago, then moved to the east house; 孙二 lived here 50 days
 *        ago until found gone 15 days ago (never deregistered)
 *   202: empty, and its rental is not registered
 *   301: vacant;  302: 李四 since 5 days ago
 * The west shop holds 张伟 (1985), registered 10 days late.
 */
let t: TestApp;
const ids = {
  father: idCard('1980-01-01', 1),
  mother: idCard('1982-02-02', 2),
  child: idCard(bornYearsAgo(6), 3),
  zhangWei90: idCard('1990-03-03', 5),
  qian: idCard('1975-04-04', 7),
  sun: idCard('1970-05-05', 9),
  li: idCard('1999-06-06', 11),
  zhangWei85: idCard('1985-07-07', 13),
};
const personIds: Record<keyof typeof ids, number> = {} as Record<keyof typeof ids, number>;
const PURPOSE = 'purpose=' + encodeURIComponent('治安检查');

async function register(
  key: keyof typeof ids,
  name: string,
  unitCode: string,
  movedIn: string,
  registeredAt: string,
  extra: Record<string, unknown> = {},
  form: { confirmUnitUse?: boolean } = {},
) {
  const collector = await signedIn(t, 'collector_west');
  const response = await collector
    .post('/api/registrations/move-in', { unitCode, movedIn, registeredAt, ...form, person: floatingAdult(ids[key], name, extra) })
    .expect(201);
  personIds[key] = response.body.personId;
}

beforeAll(async () => {
  t = await startRegistrationApp();
  await writeUnitsOf(t.handle.db, [FIXTURE.westHouse], async (trx) => {
    await trx.updateTable('units').set({ rental_registered: false }).where('code', '=', REGISTRATION.westUnit(2, 2)).execute();
    await trx.updateTable('units').set({ use: 'vacant', rental_registered: false }).where('code', '=', REGISTRATION.westUnit(3, 1)).execute();
  });
  const collector = await signedIn(t, 'collector_west');
  const family = await collector
    .post('/api/registrations/move-ins', {
      unitCode: REGISTRATION.westUnit(1, 1),
      movedIn: daysAgo(3),
      people: [floatingAdult(ids.father, '王父'), floatingAdult(ids.mother, '赵母'), floatingAdult(ids.child, '王子')],
    })
    .expect(201);
  [personIds.father, personIds.mother, personIds.child] = family.body.people.map((person: { personId: number }) => person.personId);
  await register('zhangWei90', '张伟', REGISTRATION.westUnit(1, 2), daysAgo(20), today());
  await register('qian', '钱一', REGISTRATION.westUnit(2, 1), daysAgo(100), daysAgo(100));
  await register('sun', '孙二', REGISTRATION.westUnit(2, 1), daysAgo(50), daysAgo(50));
  await register('li', '李四', REGISTRATION.westUnit(3, 2), daysAgo(5), daysAgo(5));
  await register('zhangWei85', '张伟', REGISTRATION.westShopUnit, daysAgo(30), daysAgo(20), {}, { confirmUnitUse: true });
  const police = await signedIn(t, 'police');
  await police
    .post('/api/registrations/move', { personId: personIds.qian, toUnitCode: REGISTRATION.eastUnit(1), movedOn: daysAgo(10), registeredAt: daysAgo(9) })
    .expect(201);
  await collector.post('/api/registrations/move-out', { personId: personIds.sun, movedOut: daysAgo(15), foundAbsent: true }).expect(200);
});
afterAll(async () => t?.close());

async function auditCount(condition: RawBuilder<unknown>): Promise<number> {
  const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE ${condition}`.execute(t.handle.db);
  return result.rows[0]!.n;
}

interface FloorBody {
  floor: number;
  unitCount: number;
  occupiedUnitCount: number;
  occupantCount: number;
  unitsByUse: Record<string, number>;
  rentals: { registered: number; unregistered: number };
  units: { code: string; rentalStatus: string; occupants: { person: { id: number; name: string; idNumber: string } }[] }[];
}

describe('building drill-down (floor plan)', () => {
  it('counts units, use, rental status and occupants per floor exactly as registered', async () => {
    const police = await signedIn(t, 'police');
    const started = Date.now();
    const response = await police.get(`/api/drilldown/buildings/${FIXTURE.westHouse}?${PURPOSE}`).expect(200);
    expect(Date.now() - started).toBeLessThan(1000);
    const counts = response.body.floors.map((floor: FloorBody) => [floor.floor, floor.unitCount, floor.occupiedUnitCount, floor.occupantCount, floor.rentals]);
    expect(counts).toEqual([
      [1, 2, 2, 4, { registered: 2, unregistered: 0 }],
      [2, 2, 0, 0, { registered: 1, unregistered: 1 }],
      [3, 2, 1, 1, { registered: 1, unregistered: 0 }],
    ]);
    expect(response.body.floors[2].unitsByUse).toMatchObject({ rented: 1, vacant: 1, self_occupied: 0 });
    expect(response.body.totals).toMatchObject({
      unitCount: 6,
      occupiedUnitCount: 3,
      occupantCount: 5,
      unitsByUse: { rented: 5, vacant: 1 },
      rentals: { registered: 4, unregistered: 1 },
    });
    expect(response.body.building).toMatchObject({ code: FIXTURE.westHouse, floors: 3, use: 'urban_village', status: 'active' });
    const unit101 = response.body.floors[0].units[0];
    expect(unit101.code).toBe(REGISTRATION.westUnit(1, 1));
    expect(unit101.occupants.map((occupant: { person: { id: number } }) => occupant.person.id).sort()).toEqual(
      [personIds.father, personIds.mother, personIds.child].sort(),
    );
    expect(unit101.occupants.map((occupant: { person: { idNumber: string } }) => occupant.person.idNumber)).toContain(ids.father);
    expect(response.body.floors[1].units.map((unit: { rentalStatus: string }) => unit.rentalStatus)).toEqual(['registered', 'unregistered']);
  });

  it('writes one audit row naming the building, the purpose and every person shown, without ID numbers', async () => {
    const condition = sql<boolean>`details->>'view' = 'building_drilldown' AND username = 'police'`;
    const before = await auditCount(condition);
    const police = await signedIn(t, 'police');
    await police.get(`/api/drilldown/buildings/${FIXTURE.westHouse}?${PURPOSE}`).expect(200);
    expect(await auditCount(condition)).toBe(before + 1);
    const row = await t.handle.db
      .selectFrom('audit_log')
      .select(['target_type', 'target_id', 'purpose', 'details'])
      .where(condition)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ target_type: 'building', target_id: FIXTURE.westHouse, purpose: '治安检查' });
    expect((row.details.personIds as number[]).sort()).toEqual(
      [personIds.father, personIds.mother, personIds.child, personIds.zhangWei90, personIds.li].sort(),
    );
    expect(JSON.stringify(row)).not.toContain(ids.father);
    // "Who looked at this person?" finds the floor plan read through the person-id index.
    expect(
      await auditCount(sql`details -> 'personIds' @> ${JSON.stringify([personIds.child])}::jsonb AND details->>'view' = 'building_drilldown'`),
    ).toBeGreaterThanOrEqual(2);
  });

  it('masks ID and phone numbers for the grid’s collector and hides the building from other grids', async () => {
    const west = await signedIn(t, 'collector_west');
    const response = await west.get(`/api/drilldown/buildings/${FIXTURE.westHouse}?${PURPOSE}`).expect(200);
    const occupant = response.body.floors[0].units[0].occupants.find((entry: { person: { id: number } }) => entry.person.id === personIds.father);
    expect(occupant.person).toMatchObject({ idNumber: `${ids.father.slice(0, 6)}********${ids.father.slice(-4)}`, phone: '138****8000' });
    const east = await signedIn(t, 'collector_east');
    await east.get(`/api/drilldown/buildings/${FIXTURE.westHouse}?${PURPOSE}`).expect(404);
  });

  it('requires a purpose, refuses roles without person access, and answers 404 for an unknown building', async () => {
    const police = await signedIn(t, 'police');
    const missing = await police.get(`/api/drilldown/buildings/${FIXTURE.westHouse}`).expect(400);
    expect(missing.body.error.details.fields[0].field).toBe('purpose');
    await police.get(`/api/drilldown/buildings/4403070010010100099?${PURPOSE}`).expect(404);
    for (const role of ['leader', 'planner', 'admin', 'auditor']) {
      await (await signedIn(t, role)).get(`/api/drilldown/buildings/${FIXTURE.westHouse}?${PURPOSE}`).expect(403);
    }
  });
});

describe('a unit’s occupants and a person’s history', () => {
  it('lists a unit’s past residents newest first, with the unregistered departure flagged', async () => {
    const police = await signedIn(t, 'police');
    const response = await police.get(`/api/units/${REGISTRATION.westUnit(2, 1)}/occupants?${PURPOSE}`).expect(200);
    expect(response.body.current).toEqual([]);
    expect(
      response.body.past.map((stay: { person: { id: number }; movedOut: string; deregisteredAt: string | null; departureUnregistered: boolean }) => [
        stay.person.id,
        stay.movedOut,
        stay.deregisteredAt,
        stay.departureUnregistered,
      ]),
    ).toEqual([
      [personIds.sun, daysAgo(15), null, true],
      [personIds.qian, daysAgo(10), daysAgo(9), false],
    ]);
    expect(response.body.unit).toMatchObject({ code: REGISTRATION.westUnit(2, 1), rentalStatus: 'registered', currentOccupants: 0 });
  });

  it('shows the move in a person’s history: police see both stays, each collector only the one in their grid', async () => {
    const url = `/api/people/${personIds.qian}/residences?${PURPOSE}`;
    const stays = async (username: string) =>
      (await (await signedIn(t, username)).get(url).expect(200)).body.residences.map((stay: { unitCode: string; movedIn: string; movedOut: string | null }) => [
        stay.unitCode,
        stay.movedIn,
        stay.movedOut,
      ]);
    expect(await stays('police')).toEqual([
      [REGISTRATION.eastUnit(1), daysAgo(10), null],
      [REGISTRATION.westUnit(2, 1), daysAgo(100), daysAgo(10)],
    ]);
    expect(await stays('collector_west')).toEqual([[REGISTRATION.westUnit(2, 1), daysAgo(100), daysAgo(10)]]);
    expect(await stays('collector_east')).toEqual([[REGISTRATION.eastUnit(1), daysAgo(10), null]]);
  });

  it('reads one person with their current residence, auditing the read with its purpose', async () => {
    const before = await auditCount(sql`action = 'read' AND target_id = ${String(personIds.qian)} AND details->>'view' = 'person'`);
    const police = await signedIn(t, 'police');
    const response = await police.get(`/api/people/${personIds.qian}?${PURPOSE}`).expect(200);
    expect(response.body.person).toMatchObject({ id: personIds.qian, name: '钱一', idNumber: ids.qian, sex: 'M', birthDate: '1975-04-04' });
    expect(response.body.currentResidence).toMatchObject({ unitCode: REGISTRATION.eastUnit(1), address: '测试路1号', floor: 1 });
    expect(response.body.permits).toEqual([]);
    expect(await auditCount(sql`action = 'read' AND target_id = ${String(personIds.qian)} AND details->>'view' = 'person'`)).toBe(before + 1);
    await (await signedIn(t, 'collector_east')).get(`/api/people/${personIds.father}?${PURPOSE}`).expect(404);
    await (await signedIn(t, 'leader')).get(`/api/people/${personIds.father}?${PURPOSE}`).expect(403);
  });
});

describe('searching people', () => {
  const search = async (username: string, query: string, status = 200) =>
    (await (await signedIn(t, username)).get(`/api/people/search?${PURPOSE}&${query}`).expect(status)).body;
  const hitIds = (body: { hits: { person: { id: number } }[] }) => body.hits.map((hit) => hit.person.id).sort();

  it('finds by ID number, with the current residence', async () => {
    const body = await search('police', `idNumber=${ids.qian}`);
    expect(body.hits).toEqual([expect.objectContaining({ currentResidence: { unitCode: REGISTRATION.eastUnit(1), address: '测试路1号', room: '101' } })]);
  });

  it('finds by name, narrowed by birth year', async () => {
    expect(hitIds(await search('police', `name=${encodeURIComponent('张伟')}`))).toEqual([personIds.zhangWei90, personIds.zhangWei85].sort());
    expect(hitIds(await search('police', `name=${encodeURIComponent('张伟')}&birthYear=1985`))).toEqual([personIds.zhangWei85]);
  });

  it('finds current residents by address only inside the caller’s jurisdiction', async () => {
    // Both houses are 测试路1号 (one per grid): police see both, the west collector only the west one.
    const address = `address=${encodeURIComponent('测试路1')}`;
    const west = [personIds.father, personIds.mother, personIds.child, personIds.zhangWei90, personIds.li];
    expect(hitIds(await search('police', address))).toEqual([...west, personIds.qian].sort());
    expect(hitIds(await search('collector_west', address))).toEqual([...west].sort());
  });

  it('finds current residents by building code, and refuses a code outside the jurisdiction', async () => {
    expect(hitIds(await search('police', `code=${FIXTURE.westShop}`))).toEqual([personIds.zhangWei85]);
    expect((await search('collector_east', `code=${FIXTURE.westHouse}`, 404)).error.details.fields[0].field).toBe('code');
  });

  it('audits each search with its hits, also one that finds nobody, never with the search term', async () => {
    const before = await auditCount(sql`action = 'search'`);
    await search('police', `name=${encodeURIComponent('张伟')}`);
    await search('police', `idNumber=${idCard('2000-01-01', 999)}`);
    expect(await auditCount(sql`action = 'search'`)).toBe(before + 2);
    const [empty, byName] = await t.handle.db
      .selectFrom('audit_log')
      .select(['target_type', 'details'])
      .where('action', '=', 'search')
      .orderBy('id', 'desc')
      .limit(2)
      .execute();
    expect(byName!.details).toMatchObject({ by: 'name', personIds: expect.arrayContaining([personIds.zhangWei90, personIds.zhangWei85]) });
    expect(empty).toMatchObject({ target_type: 'person_search', details: { by: 'idNumber', personIds: [] } });
    expect(JSON.stringify(byName)).not.toContain('张伟');
  });

  it('asks for exactly one criterion and a purpose', async () => {
    const police = await signedIn(t, 'police');
    const both = await police.get(`/api/people/search?${PURPOSE}&name=x&idNumber=${ids.li}`).expect(400);
    expect(both.body.error.message).toMatch(/exactly one/);
    const noPurpose = await police.get(`/api/people/search?idNumber=${ids.li}`).expect(400);
    expect(noPurpose.body.error.details.fields[0].field).toBe('purpose');
  });
});

describe('reports per grid', () => {
  const report = async (username: string, path: string, query = '') =>
    (await (await signedIn(t, username)).get(`/api/reports/${path}?grid=${FIXTURE.gridWest}&${PURPOSE}${query}`).expect(200)).body;

  it('lists late registrations newest first, with how many days they took', async () => {
    const body = await report('collector_west', 'late-registrations');
    expect(body.stays.map((stay: { person: { id: number }; daysToRegister: number }) => [stay.person.id, stay.daysToRegister])).toEqual([
      [personIds.zhangWei90, 20],
      [personIds.zhangWei85, 10],
    ]);
    const recent = await report('collector_west', 'late-registrations', `&from=${daysAgo(25)}`);
    expect(recent.stays.map((stay: { person: { id: number } }) => stay.person.id)).toEqual([personIds.zhangWei90]);
  });

  it('lists departures nobody deregistered', async () => {
    const body = await report('police', 'unregistered-departures');
    expect(
      body.stays.map((stay: { person: { id: number }; movedOut: string; daysToRegister: number | null }) => [
        stay.person.id,
        stay.movedOut,
        stay.daysToRegister,
      ]),
    ).toEqual([[personIds.sun, daysAgo(15), null]]);
  });

  it('answers 404 for another grid’s collector and 400 for a period ending before it starts', async () => {
    await (await signedIn(t, 'collector_east')).get(`/api/reports/late-registrations?grid=${FIXTURE.gridWest}&${PURPOSE}`).expect(404);
    const reversed = await (await signedIn(t, 'police'))
      .get(`/api/reports/late-registrations?grid=${FIXTURE.gridWest}&${PURPOSE}&from=${today()}&to=${daysAgo(1)}`)
      .expect(400);
    expect(reversed.body.error.details.fields[0].field).toBe('to');
  });
});
