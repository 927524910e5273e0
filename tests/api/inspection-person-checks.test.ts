import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { daysAgo, floatingAdult, idCard, REGISTRATION, startRegistrationApp } from '../helpers/registration-fixture.ts';
import { FIXTURE } from '../helpers/fixture-city.ts';

/**
 * 人户一致率 counts only the checks a visitor answered (issue 16 item 7): the API never assumes
 * "found here". A check without an answer, or with a non-boolean one, is refused naming the
 * field, and a visit that answers no one records no check.
 */
let t: TestApp;
let personId = 0;
beforeAll(async () => {
  t = await startRegistrationApp();
  const collector = await t.logIn('collector_west');
  const arrived = await collector
    .post('/api/registrations/move-in', {
      unitCode: REGISTRATION.westUnit(1, 1),
      movedIn: daysAgo(10),
      registeredAt: daysAgo(10),
      person: floatingAdult(idCard('1988-04-04', 201), '核对人'),
    })
    .expect(201);
  personId = arrived.body.personId;
});
afterAll(async () => t?.close());

const visit = { buildingCode: FIXTURE.westHouse, unitCode: REGISTRATION.westUnit(1, 1), visitedOn: daysAgo(1), doorsOk: true };
const checkCount = async () =>
  Number(
    (
      await t.handle.db
        .selectFrom('inspection_person_checks')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('person checks of a visit', () => {
  it.each([
    ['no answer', {}],
    ['an answer that is not a JSON boolean', { foundHere: 'true' }],
    ['a null answer', { foundHere: null }],
  ])('refuses a check with %s, naming people.0.foundHere, and records nothing', async (_case, answer) => {
    const police = await t.logIn('police');
    const response = await police.post('/api/rentals/inspections', { ...visit, people: [{ personId, ...answer }] }).expect(400);
    expect(response.body.error.details.fields.map((entry: { field: string }) => entry.field)).toContain('people.0.foundHere');
    expect(await checkCount()).toBe(0);
  });

  it('records a visit that answered no one without any person check', async () => {
    const police = await t.logIn('police');
    await police.post('/api/rentals/inspections', visit).expect(201);
    expect(await checkCount()).toBe(0);
    await police.post('/api/rentals/inspections', { ...visit, people: [{ personId, foundHere: false }] }).expect(201);
    expect(await checkCount()).toBe(1);
  });
});
