import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreMonths } from '../../server/rentals/service.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { insertInspection, insertRentalHouse, insertTenant } from '../helpers/rental-fixture.ts';
import { writeCounted } from '../helpers/hand-edits.ts';

/**
 * Issue 15.3: a rental score's facts persist until contradicted. Rule set version 1: base 10,
 * registration ±2, doors ±3, hygiene ±1.
 */
let t: TestApp;
const house = { registered: '', gated: '' };

beforeAll(async () => {
  t = await startTestApp();
  const db = t.handle.db;
  await insertFixtureCity(db);
  await insertUser(db, 'police', 'police', [FIXTURE.district]);

  // Tenant registered on time in January, a visit finds the doors fine; no visit and no new tenant in February.
  house.registered = await insertRentalHouse(db, 11);
  await insertTenant(db, fixtureUnitCode(house.registered, 1, 1), { movedIn: '2025-01-03', registeredAt: '2025-01-05' });
  await insertInspection(db, house.registered, '2025-01-10', { doorsOk: true });

  // A building whose record says it has access control (门禁), never visited.
  house.gated = await insertRentalHouse(db, 12);
  await writeCounted(db, 'buildings', [house.gated!], (trx) =>
    sql`UPDATE buildings SET has_access_control = true, created_at = '2024-06-01T09:00:00+08:00' WHERE code = ${house.gated}`.execute(trx),
  );

  await scoreMonths(db, '2025-01-01', '2025-02-01');
});
afterAll(async () => t?.close());

const scoresOf = async (code: string) =>
  (await t.handle.db.selectFrom('rental_scores').select('score').where('building_code', '=', code).orderBy('month').execute()).map((row) => row.score);

describe('rental score facts persist until contradicted', () => {
  it('keeps the landlord’s +2 for registering tenants in a month without a visit (15, not 13)', async () => {
    expect(await scoresOf(house.registered)).toEqual([15, 15]);
  });

  it("counts the building's access control like a visit that found the doors fine", async () => {
    expect(await scoresOf(house.gated)).toEqual([13, 13]);
  });

  it('says on the score card where each point came from and when it was last evidenced', async () => {
    const police = await t.logIn('police');
    const registered = await police.get(`/api/rentals/buildings/${house.registered}?month=2025-02`).expect(200);
    expect(registered.body.explanation.factors).toEqual([
      expect.objectContaining({
        factor: 'landlord_registration',
        points: 2,
        lastEvidencedOn: '2025-01-05',
        evidence: [expect.objectContaining({ type: 'stay', registeredAt: '2025-01-05' })],
      }),
      expect.objectContaining({
        factor: 'doors',
        points: 3,
        lastEvidencedOn: '2025-01-10',
        evidence: [expect.objectContaining({ type: 'inspection', visitedOn: '2025-01-10' })],
      }),
    ]);
    const gated = await police.get(`/api/rentals/buildings/${house.gated}?month=2025-02`).expect(200);
    expect(gated.body.explanation.factors).toEqual([
      expect.objectContaining({
        factor: 'doors',
        points: 3,
        lastEvidencedOn: '2024-06-01',
        evidence: [{ type: 'building', flag: 'has_access_control', label: expect.stringContaining('门禁') }],
      }),
    ]);
  });
});
