import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { directPopulation, expectPopulationAsCounted } from '../helpers/population-counts.ts';
import {
  bornYearsAgo,
  daysAgo,
  floatingAdult,
  idCard,
  logInWithPatch,
  REGISTRATION,
  signedIn,
  startRegistrationApp,
  today,
} from '../helpers/registration-fixture.ts';
import { FIXTURE } from '../helpers/fixture-city.ts';

/**
 * Issue #20 (sql/0049): persons and residencies carry no trigger, so each registration counts what
 * it wrote in the grid statistics itself. After every write through the API the kept changes,
 * summed to a day before the move, between the moves and today, must be what the counting rules
 * give straight from the tables.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startRegistrationApp();
}, 120_000);
afterAll(async () => t?.close());

const DAYS = () => [daysAgo(30), daysAgo(15), daysAgo(5), today()];

describe('the registrations and the grid statistics', () => {
  it('stay exact through a move-in, a move to another grid, a change of category and a move-out', async () => {
    const db = t.handle.db;
    const police = await signedIn(t, 'police');
    const corrector = await logInWithPatch(t, 'police');
    const west = async () => (await directPopulation(db, daysAgo(15)))[FIXTURE.gridWest]?.floating ?? 0;
    const floatingBefore = await west();

    const person = floatingAdult(idCard(bornYearsAgo(30), 801), '统计甲');
    const arrived = await police.post('/api/registrations/move-in', { unitCode: REGISTRATION.westUnit(1, 1), movedIn: daysAgo(20), person }).expect(201);
    const personId: number = arrived.body.personId;
    expect(await west(), 'the move-in counts in the west grid').toBe(floatingBefore + 1);
    await expectPopulationAsCounted(db, DAYS(), 'move-in');

    await police
      .post('/api/registrations/move', { personId, toUnitCode: REGISTRATION.eastUnit(1), movedOn: daysAgo(10), registeredAt: daysAgo(9) })
      .expect(201);
    await expectPopulationAsCounted(db, DAYS(), 'move');

    await corrector.patch(`/api/people/${personId}`, { reason: 'typing_error', category: 'lodging', floatingType: null }).expect(200);
    await expectPopulationAsCounted(db, DAYS(), 'category');

    await police.post('/api/registrations/move-out', { personId, movedOut: daysAgo(3) }).expect(200);
    await expectPopulationAsCounted(db, DAYS(), 'move-out');
  });
});
