import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import {
  bornYearsAgo,
  countRows,
  daysAgo,
  floatingAdult,
  idCard,
  logInWithPatch,
  REGISTRATION,
  startRegistrationApp,
  today,
} from '../helpers/registration-fixture.ts';
import { addDays } from '../../server/domain/calendar.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startRegistrationApp();
});
afterAll(async () => t?.close());

const db = () => t.handle.db;
const personByIdNumber = (idNumber: string) => db().selectFrom('persons').selectAll().where('id_number', '=', idNumber).executeTakeFirstOrThrow();
const staysOf = (personId: number) => db().selectFrom('residencies').selectAll().where('person_id', '=', personId).orderBy('id').execute();

/** One person's move-in by `username`, expecting `status`; movedIn defaults to yesterday. */
async function moveIn(
  status: number,
  username: string,
  unitCode: string,
  person: object,
  dates: { movedIn?: string; registeredAt?: string; confirmUnitUse?: boolean } = {},
) {
  const agent = await t.logIn(username);
  const { movedIn = daysAgo(1), registeredAt, confirmUnitUse } = dates;
  return agent.post('/api/registrations/move-in', { unitCode, movedIn, registeredAt, confirmUnitUse, person }).expect(status);
}

describe('move-in', () => {
  const father = idCard('1985-03-07', 11);
  const mother = idCard('1987-11-20', 22);
  const child = idCard(bornYearsAgo(8), 31);

  it('registers a family into a unit of the collector’s grid, deriving sex and birth date from the IDs', async () => {
    const collector = await t.logIn('collector_west');
    const response = await collector
      .post('/api/registrations/move-ins', {
        unitCode: REGISTRATION.westUnit(1, 1),
        movedIn: daysAgo(2),
        people: [
          floatingAdult(father, '李强'),
          floatingAdult(mother, '王丽'),
          { idType: 'id_card', idNumber: child, name: '李小明', category: 'floating', floatingType: 'family' },
        ],
      })
      .expect(201);
    expect(response.body.people).toHaveLength(3);
    expect(response.body.people.map((person: { personCreated: boolean }) => person.personCreated)).toEqual([true, true, true]);
    expect(response.body.people.map((person: { registrationExempt: boolean }) => person.registrationExempt)).toEqual([false, false, true]);
    expect(response.body.people.map((person: { registeredLate: boolean }) => person.registeredLate)).toEqual([false, false, false]);
    expect(await personByIdNumber(father)).toMatchObject({ sex: 'M', birth_date: '1985-03-07', name: '李强', category: 'floating' });
    expect(await personByIdNumber(mother)).toMatchObject({ sex: 'F', birth_date: '1987-11-20' });
    const stay = (await staysOf((await personByIdNumber(child)).id))[0]!;
    expect(stay).toMatchObject({
      unit_code: REGISTRATION.westUnit(1, 1),
      moved_in: daysAgo(2),
      registered_at: today(),
      moved_out: null,
      registration_exempt: true,
    });
  });

  it('writes one audit row per person in the same transaction, without ID numbers or names', async () => {
    const rows = await db()
      .selectFrom('audit_log')
      .select(['action', 'target_type', 'target_id', 'username', 'details'])
      .where('action', '=', 'move_in')
      .execute();
    expect(rows).toHaveLength(3);
    expect(rows.every((row) => row.username === 'collector_west' && row.target_type === 'person')).toBe(true);
    const details = JSON.stringify(rows.map((row) => row.details));
    for (const secret of [father, mother, child, '李', '王']) expect(details).not.toContain(secret);
    expect(details).toContain(REGISTRATION.westUnit(1, 1));
  });

  it.each([
    ['8 days after moving in', 8, bornYearsAgo(30), true, false],
    ['exactly 7 days after moving in', 7, bornYearsAgo(30), false, false],
    ['30 days late for a 15-year-old (no duty)', 30, bornYearsAgo(15, 40), false, true],
    ['30 days late for someone who turned 16 on the day of moving in', 30, bornYearsAgo(16, 30), true, false],
  ])('late flag: registered %s', async (_case, daysLate, birthDate, late, exempt) => {
    const idNumber = idCard(birthDate, 100 + daysLate);
    const response = await moveIn(201, 'police', REGISTRATION.westUnit(3, 2), floatingAdult(idNumber, '迟登记'), {
      movedIn: daysAgo(daysLate),
      registeredAt: today(),
    });
    expect(response.body).toMatchObject({ registeredLate: late, registrationExempt: exempt });
    const stored = await staysOf(response.body.personId);
    expect(stored[0]).toMatchObject({ registered_late: late, registration_exempt: exempt });
  });

  it.each([
    ['a wrong check character', { person: floatingAdult('110105194912310021', '甲') }, 400, 'invalid_id_number', 'person.idNumber'],
    ['a sex that disagrees with the ID', { person: floatingAdult(idCard('1990-01-01', 41), '乙', { sex: 'F' }) }, 400, 'id_mismatch', 'person.sex'],
    [
      'a birth date that disagrees with the ID',
      { person: floatingAdult(idCard('1990-01-01', 41), '乙', { birthDate: '1990-01-02' }) },
      400,
      'id_mismatch',
      'person.birthDate',
    ],
    ['a move-in tomorrow', { movedIn: addDays(today(), 1) }, 400, 'date_in_future', 'movedIn'],
    ['a registration before the move', { movedIn: daysAgo(1), registeredAt: daysAgo(2) }, 400, 'registered_before_event', 'registeredAt'],
    ['a move-in before the person was born', { movedIn: '1984-01-01' }, 400, 'before_birth', 'movedIn'],
    [
      'a passport for a floating person',
      { person: { idType: 'passport', idNumber: 'E12345678', name: 'Ann', sex: 'F', birthDate: '1990-01-01', nationality: 'USA', category: 'floating' } },
      400,
      'category_id_type_mismatch',
      'person.category',
    ],
    [
      'a passport holder without birth date',
      { person: { idType: 'passport', idNumber: 'E12345678', name: 'Ann', sex: 'F', nationality: 'USA', category: 'overseas' } },
      400,
      'required',
      'person.birthDate',
    ],
    [
      'floatingType for a registered resident',
      { person: floatingAdult(idCard('1990-01-01', 41), '丙', { category: 'registered' }) },
      400,
      'floating_type_not_floating',
      'person.floatingType',
    ],
    ['a missing name', { person: { idType: 'id_card', idNumber: idCard('1990-01-01', 41), category: 'floating' } }, 400, 'invalid_request', 'person.name'],
    ['an unknown field', { person: floatingAdult(idCard('1990-01-01', 41), '丁', { nickname: 'x' }) }, 400, 'invalid_request', 'person'],
    ['a malformed unit code', { unitCode: '44030700100101000010001' }, 400, 'invalid_request', 'unitCode'],
    ['a unit that does not exist', { unitCode: REGISTRATION.westUnit(9, 9) }, 404, 'not_found', 'unitCode'],
    ['a unit in another grid', { unitCode: REGISTRATION.eastUnit(1) }, 404, 'not_found', 'unitCode'],
    ['a unit of a demolished building', { unitCode: REGISTRATION.demolishedUnit }, 409, 'unit_demolished', 'unitCode'],
  ])('rejects %s with a field-level error and changes nothing', async (_case, override, status, code, field) => {
    const before = await countRows(t);
    const collector = await t.logIn('collector_west');
    const body = { unitCode: REGISTRATION.westUnit(2, 1), movedIn: daysAgo(1), person: floatingAdult(idCard('1990-01-01', 41), '戊'), ...override };
    const response = await collector.post('/api/registrations/move-in', body).expect(status);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.details.fields.map((entry: { field: string }) => entry.field)).toContain(field);
    expect(await countRows(t)).toEqual(before);
  });

  it('answers 409 already_resident for a second move-in, naming the unit only inside the caller’s jurisdiction', async () => {
    const idNumber = idCard('1992-05-05', 51);
    await moveIn(201, 'collector_west', REGISTRATION.westUnit(2, 2), floatingAdult(idNumber, '赵六'));
    const before = await countRows(t);
    const east = await moveIn(409, 'collector_east', REGISTRATION.eastUnit(1), floatingAdult(idNumber, '赵六'));
    expect(east.body.error).toMatchObject({ code: 'already_resident', details: { fields: [{ field: 'person.idNumber', code: 'already_resident' }] } });
    expect(east.body.error.message).toMatch(/elsewhere/);
    const police = await moveIn(409, 'police', REGISTRATION.eastUnit(1), floatingAdult(idNumber, '赵六'));
    expect(police.body.error.message).toContain(REGISTRATION.westUnit(2, 2));
    expect(await countRows(t)).toEqual(before);
  });

  it('registers a household all or none: one member already living elsewhere rejects everyone', async () => {
    const resident = idCard('1992-05-05', 51); // registered in the previous test
    const newcomer = idCard('1994-06-06', 62);
    const before = await countRows(t);
    const collector = await t.logIn('collector_west');
    const response = await collector
      .post('/api/registrations/move-ins', {
        unitCode: REGISTRATION.westUnit(3, 1),
        movedIn: daysAgo(1),
        people: [floatingAdult(newcomer, '新人'), floatingAdult(resident, '赵六')],
      })
      .expect(409);
    expect(response.body.error.details.fields).toEqual([expect.objectContaining({ field: 'people.1.idNumber', code: 'already_resident' })]);
    expect(await countRows(t)).toEqual(before);
    const duplicate = await collector
      .post('/api/registrations/move-ins', {
        unitCode: REGISTRATION.westUnit(3, 1),
        movedIn: daysAgo(1),
        people: [floatingAdult(newcomer, '新人'), floatingAdult(newcomer, '新人')],
      })
      .expect(400);
    expect(duplicate.body.error).toMatchObject({ code: 'duplicate_person', details: { fields: [{ field: 'people.1.idNumber' }] } });
  });

  it('matches a returning person by ID number, refuses a different name, and refuses a stay overlapping the last one', async () => {
    const idNumber = idCard('1980-02-02', 71);
    const first = await moveIn(201, 'police', REGISTRATION.westUnit(1, 2), floatingAdult(idNumber, '钱七'), {
      movedIn: daysAgo(40),
      registeredAt: daysAgo(40),
    });
    const police = await t.logIn('police');
    await police.post('/api/registrations/move-out', { personId: first.body.personId, movedOut: daysAgo(10) }).expect(200);
    const before = await countRows(t);
    const renamed = await moveIn(409, 'police', REGISTRATION.westUnit(1, 2), floatingAdult(idNumber, '钱八'));
    // One neutral answer that names neither the field that differs nor the name on file.
    expect(renamed.body.error).toMatchObject({ code: 'identity_conflict', details: { fields: [{ field: 'person.idNumber' }] } });
    expect(JSON.stringify(renamed.body)).not.toMatch(/钱七|name/);
    const overlapping = await moveIn(409, 'police', REGISTRATION.westUnit(1, 2), floatingAdult(idNumber, '钱七'), { movedIn: daysAgo(11) });
    expect(overlapping.body.error.code).toBe('overlaps_history');
    expect(await countRows(t)).toEqual(before);
    const back = await moveIn(201, 'police', REGISTRATION.westUnit(1, 2), floatingAdult(idNumber, '钱七', { employer: '新厂' }), { movedIn: daysAgo(10) });
    expect(back.body).toMatchObject({ personId: first.body.personId, personCreated: false });
    expect(await personByIdNumber(idNumber)).toMatchObject({ employer: '新厂' });
    expect(await staysOf(first.body.personId)).toHaveLength(2);
  });

  it('is refused to roles that never see a person', async () => {
    for (const role of ['leader', 'planner', 'admin', 'auditor']) {
      const response = await moveIn(403, role, REGISTRATION.westUnit(1, 1), floatingAdult(idCard('1990-01-01', 99), '己'));
      expect(response.body.error.code).toBe('forbidden');
    }
  });

  it('asks for confirmation before a move-in into a shop (商铺): 409 confirmation_required naming the use, then registers when confirmed', async () => {
    const shopkeeper = floatingAdult(idCard('1983-08-18', 181), '商户');
    const before = await countRows(t);
    const unconfirmed = await moveIn(409, 'collector_west', REGISTRATION.westShopUnit, shopkeeper);
    expect(unconfirmed.body.error).toMatchObject({
      code: 'confirmation_required',
      details: { unitUse: 'shop', fields: [{ field: 'confirmUnitUse', code: 'confirm_unit_use_shop' }] },
    });
    const household = await (await t.logIn('collector_west'))
      .post('/api/registrations/move-ins', {
        unitCode: REGISTRATION.westShopUnit,
        movedIn: daysAgo(1),
        confirmUnitUse: false,
        people: [shopkeeper],
      })
      .expect(409);
    expect(household.body.error.code).toBe('confirmation_required');
    // Strict JSON: the string "true" is not a confirmation.
    const stringly = await moveIn(400, 'collector_west', REGISTRATION.westShopUnit, shopkeeper, { confirmUnitUse: 'true' as unknown as boolean });
    expect(stringly.body.error.details.fields.map((entry: { field: string }) => entry.field)).toContain('confirmUnitUse');
    expect(await countRows(t)).toEqual(before);
    const confirmed = await moveIn(201, 'collector_west', REGISTRATION.westShopUnit, shopkeeper, { confirmUnitUse: true });
    expect((await staysOf(confirmed.body.personId)).map((stay) => stay.unit_code)).toEqual([REGISTRATION.westShopUnit]);
    // A home needs no confirmation.
    await moveIn(201, 'collector_west', REGISTRATION.westUnit(2, 1), floatingAdult(idCard('1984-09-19', 191), '住户'));
  });
});

describe('parallel move-ins of one person', () => {
  const units = [
    REGISTRATION.westUnit(1, 1),
    REGISTRATION.westUnit(1, 2),
    REGISTRATION.westUnit(2, 1),
    REGISTRATION.westUnit(2, 2),
    REGISTRATION.westUnit(3, 1),
  ];

  async function racingMoveIns(idNumber: string, name: string) {
    const agents = await Promise.all(units.map(() => t.logIn('police')));
    const responses = await Promise.all(
      agents.map((agent, index) =>
        agent.post('/api/registrations/move-in', { unitCode: units[index], movedIn: daysAgo(1), person: floatingAdult(idNumber, name) }),
      ),
    );
    return responses.map((response) => [response.status, response.body.error?.code ?? 'ok']).sort();
  }

  it('gives exactly one 201 and 409 already_resident to the rest, for a new person', async () => {
    const idNumber = idCard('1991-09-09', 81);
    expect(await racingMoveIns(idNumber, '孙九')).toEqual([[201, 'ok'], ...Array(4).fill([409, 'already_resident'])]);
    const person = await personByIdNumber(idNumber);
    const stays = await staysOf(person.id);
    expect(stays.filter((stay) => stay.moved_out === null)).toHaveLength(1);
    expect(stays).toHaveLength(1);
  });

  it('gives exactly one 201 for a person already on file', async () => {
    const idNumber = idCard('1993-03-03', 91);
    const first = await moveIn(201, 'police', REGISTRATION.eastUnit(2), floatingAdult(idNumber, '周十'), { movedIn: daysAgo(20), registeredAt: daysAgo(20) });
    const police = await t.logIn('police');
    await police.post('/api/registrations/move-out', { personId: first.body.personId, movedOut: daysAgo(5) }).expect(200);
    expect(await racingMoveIns(idNumber, '周十')).toEqual([[201, 'ok'], ...Array(4).fill([409, 'already_resident'])]);
    const stays = await staysOf(first.body.personId);
    expect(stays).toHaveLength(2);
    expect(stays.filter((stay) => stay.moved_out === null)).toHaveLength(1);
  });
});

describe('move between units', () => {
  it('closes the old stay and opens the new one on the move day, in one transaction', async () => {
    const idNumber = idCard('1988-08-08', 111);
    const arrived = await moveIn(201, 'police', REGISTRATION.westUnit(2, 1), floatingAdult(idNumber, '吴一'), {
      movedIn: daysAgo(30),
      registeredAt: daysAgo(29),
    });
    const police = await t.logIn('police');
    const moved = await police
      .post('/api/registrations/move', {
        personId: arrived.body.personId,
        toUnitCode: REGISTRATION.eastUnit(1),
        movedOn: daysAgo(12),
        registeredAt: daysAgo(1),
      })
      .expect(201);
    // Registered 11 days after the move: late on arrival, and the departure was deregistered late too.
    expect(moved.body).toMatchObject({
      fromUnitCode: REGISTRATION.westUnit(2, 1),
      toUnitCode: REGISTRATION.eastUnit(1),
      registeredLate: true,
      departureUnregistered: true,
    });
    const stays = await staysOf(arrived.body.personId);
    expect(stays).toEqual([
      expect.objectContaining({ unit_code: REGISTRATION.westUnit(2, 1), moved_in: daysAgo(30), moved_out: daysAgo(12), deregistered_at: daysAgo(1) }),
      expect.objectContaining({ unit_code: REGISTRATION.eastUnit(1), moved_in: daysAgo(12), moved_out: null, registered_at: daysAgo(1) }),
    ]);
  });

  it('rejects a move before the current move-in, to the same unit, or of someone not living anywhere, changing nothing', async () => {
    const person = await personByIdNumber(idCard('1988-08-08', 111)); // now in the east house, since 12 days ago
    const police = await t.logIn('police');
    const before = await countRows(t);
    const early = await police
      .post('/api/registrations/move', { personId: person.id, toUnitCode: REGISTRATION.westUnit(3, 2), movedOn: daysAgo(13) })
      .expect(400);
    expect(early.body.error).toMatchObject({ code: 'before_move_in', details: { fields: [{ field: 'movedOn' }] } });
    const same = await police.post('/api/registrations/move', { personId: person.id, toUnitCode: REGISTRATION.eastUnit(1), movedOn: daysAgo(1) }).expect(409);
    expect(same.body.error.code).toBe('same_unit');
    const gone = await personByIdNumber(idCard('1980-02-02', 71));
    await police.post('/api/registrations/move-out', { personId: gone.id, movedOut: daysAgo(1) }).expect(200);
    const afterMoveOut = await countRows(t);
    const nowhere = await police
      .post('/api/registrations/move', { personId: gone.id, toUnitCode: REGISTRATION.westUnit(3, 2), movedOn: daysAgo(0) })
      .expect(409);
    expect(nowhere.body.error.code).toBe('not_resident');
    expect(afterMoveOut).toEqual({ ...before, open: before.open - 1 });
    expect(await countRows(t)).toEqual(afterMoveOut);
  });

  it('lets a collector receive someone from another grid by ID number, but not name them by an id they cannot see', async () => {
    const idNumber = idCard('1995-12-12', 121);
    const arrived = await moveIn(201, 'collector_east', REGISTRATION.eastUnit(2), floatingAdult(idNumber, '郑二'), {
      movedIn: daysAgo(9),
      registeredAt: daysAgo(9),
    });
    const west = await t.logIn('collector_west');
    const byId = await west
      .post('/api/registrations/move', { personId: arrived.body.personId, toUnitCode: REGISTRATION.westUnit(3, 2), movedOn: daysAgo(2) })
      .expect(404);
    expect(byId.body.error.details.fields[0].field).toBe('personId');
    await west.post('/api/registrations/move', { idNumber, toUnitCode: REGISTRATION.westUnit(3, 2), movedOn: daysAgo(2) }).expect(201);
    const open = (await staysOf(arrived.body.personId)).filter((stay) => stay.moved_out === null);
    expect(open.map((stay) => stay.unit_code)).toEqual([REGISTRATION.westUnit(3, 2)]);
  });
});

describe('move-out', () => {
  it('closes the stay; a move-out before the move-in is refused naming movedOut', async () => {
    const idNumber = idCard('1979-07-07', 131);
    const arrived = await moveIn(201, 'collector_west', REGISTRATION.westShopUnit, floatingAdult(idNumber, '冯三'), {
      movedIn: daysAgo(20),
      registeredAt: daysAgo(20),
      confirmUnitUse: true,
    });
    const collector = await t.logIn('collector_west');
    const before = await countRows(t);
    const early = await collector.post('/api/registrations/move-out', { personId: arrived.body.personId, movedOut: daysAgo(21) }).expect(400);
    expect(early.body.error).toMatchObject({ code: 'before_move_in', details: { fields: [{ field: 'movedOut' }] } });
    expect(await countRows(t)).toEqual(before);
    const out = await collector.post('/api/registrations/move-out', { personId: arrived.body.personId, movedOut: daysAgo(3) }).expect(200);
    expect(out.body).toMatchObject({ movedOut: daysAgo(3), deregisteredAt: today(), departureUnregistered: false });
  });

  it('records a person found gone as an unregistered departure, and flags a deregistration 8 days late', async () => {
    const collector = await t.logIn('collector_west');
    const absent = await moveIn(201, 'collector_west', REGISTRATION.westShopUnit, floatingAdult(idCard('1979-07-08', 141), '陈四'), {
      movedIn: daysAgo(60),
      registeredAt: daysAgo(60),
      confirmUnitUse: true,
    });
    const late = await moveIn(201, 'collector_west', REGISTRATION.westShopUnit, floatingAdult(idCard('1979-07-09', 151), '褚五'), {
      movedIn: daysAgo(60),
      registeredAt: daysAgo(60),
      confirmUnitUse: true,
    });
    const found = await collector.post('/api/registrations/move-out', { personId: absent.body.personId, movedOut: daysAgo(30), foundAbsent: true }).expect(200);
    expect(found.body).toMatchObject({ deregisteredAt: null, departureUnregistered: true });
    const eightDays = await collector
      .post('/api/registrations/move-out', { personId: late.body.personId, movedOut: daysAgo(8), registeredAt: today() })
      .expect(200);
    expect(eightDays.body).toMatchObject({ deregisteredAt: today(), departureUnregistered: true });
  });

  it('is not found for a collector when the person lives in another grid', async () => {
    const person = await personByIdNumber(idCard('1988-08-08', 111)); // lives in the east house
    const west = await t.logIn('collector_west');
    const response = await west.post('/api/registrations/move-out', { personId: person.id, movedOut: daysAgo(1) }).expect(404);
    expect(response.body.error.details.fields[0].field).toBe('personId');
  });

  it('needs exactly one of personId and idNumber', async () => {
    const police = await t.logIn('police');
    const response = await police.post('/api/registrations/move-out', { movedOut: daysAgo(1) }).expect(400);
    expect(response.body.error.details.fields[0]).toMatchObject({ field: 'personId', message: expect.stringMatching(/either personId or idNumber/) });
  });
});

describe('correcting a person', () => {
  it('corrects a name and audits only the names of the changed fields', async () => {
    const idNumber = idCard('1983-04-04', 161);
    const arrived = await moveIn(201, 'collector_west', REGISTRATION.westUnit(1, 1), floatingAdult(idNumber, '卫六'), { movedIn: daysAgo(3) });
    const collector = await logInWithPatch(t, 'collector_west');
    const response = await collector.patch(`/api/people/${arrived.body.personId}`, { reason: 'typing_error', name: '卫陆', phone: null }).expect(200);
    expect(response.body.changedFields.sort()).toEqual(['name', 'phone']);
    expect(response.body.person).toMatchObject({ name: '卫陆', phone: null, idNumber: `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}` });
    const audit = await db()
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'correct')
      .where('target_id', '=', String(arrived.body.personId))
      .executeTakeFirstOrThrow();
    expect(audit.details).toEqual({ fields: expect.arrayContaining(['name', 'phone']), reason: 'typing_error' });
    expect(JSON.stringify(audit.details)).not.toContain('卫');
  });

  it('re-derives sex and birth date from a corrected ID number and rejects contradictions, changing nothing', async () => {
    const person = await personByIdNumber(idCard('1983-04-04', 161));
    const collector = await logInWithPatch(t, 'collector_west');
    const corrected = idCard('1983-05-04', 162); // even sequence: female
    const response = await collector.patch(`/api/people/${person.id}`, { reason: 'typing_error', idNumber: corrected }).expect(200);
    expect(response.body.changedFields.sort()).toEqual(['birthDate', 'idNumber', 'sex']);
    expect(await personByIdNumber(corrected)).toMatchObject({ id: person.id, sex: 'F', birth_date: '1983-05-04' });
    const before = await personByIdNumber(corrected);
    const contradiction = await collector.patch(`/api/people/${person.id}`, { reason: 'typing_error', birthDate: '1983-05-05' }).expect(400);
    expect(contradiction.body.error).toMatchObject({ code: 'id_mismatch', details: { fields: [{ field: 'birthDate' }] } });
    const taken = await collector.patch(`/api/people/${person.id}`, { reason: 'typing_error', idNumber: idCard('1985-03-07', 11) }).expect(409);
    expect(taken.body.error).toMatchObject({ code: 'id_number_taken', details: { fields: [{ field: 'idNumber' }] } });
    const empty = await collector.patch(`/api/people/${person.id}`, { reason: 'other' }).expect(400);
    expect(empty.body.error.code).toBe('invalid_request');
    expect(await personByIdNumber(corrected)).toEqual(before);
  });

  it('re-evaluates the under-16 exemption, and so the late flag, when the birth date changes', async () => {
    // Registered 20 days late; the ID said 15 years old, the corrected ID says 20.
    const young = idCard(bornYearsAgo(15, 10), 171);
    const arrived = await moveIn(201, 'police', REGISTRATION.westUnit(2, 2), floatingAdult(young, '蒋七'), { movedIn: daysAgo(20), registeredAt: today() });
    expect(arrived.body).toMatchObject({ registrationExempt: true, registeredLate: false });
    const police = await logInWithPatch(t, 'police');
    await police.patch(`/api/people/${arrived.body.personId}`, { reason: 'typing_error', idNumber: idCard(bornYearsAgo(20, 10), 171) }).expect(200);
    expect((await staysOf(arrived.body.personId))[0]).toMatchObject({ registration_exempt: false, registered_late: true });
  });

  it('is not found for a collector of another grid', async () => {
    const person = await personByIdNumber(idCard('1985-03-07', 11)); // west grid family
    const east = await logInWithPatch(t, 'collector_east');
    await east.patch(`/api/people/${person.id}`, { reason: 'typing_error', name: '改名' }).expect(404);
    expect(await personByIdNumber(idCard('1985-03-07', 11))).toMatchObject({ name: '李强' });
  });
});
