import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { addDays, addYears } from '../../server/domain/calendar.ts';
import type { TestApp } from '../helpers/app.ts';
import { FIXTURE } from '../helpers/fixture-city.ts';
import { countRows, daysAgo, signedIn, floatingAdult, idCard, REGISTRATION, startRegistrationApp, today } from '../helpers/registration-fixture.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startRegistrationApp();
});
afterAll(async () => t?.close());

let nextSequence = 1;
/** A new resident of `unitCode`, registered by the police; returns their person id. */
async function resident(unitCode: string, extra: Record<string, unknown> = {}): Promise<number> {
  const police = await signedIn(t, 'police');
  const idNumber = idCard('1990-06-15', nextSequence++);
  const response = await police
    .post('/api/registrations/move-in', { unitCode, movedIn: daysAgo(400), registeredAt: daysAgo(400), person: floatingAdult(idNumber, '居民', extra) })
    .expect(201);
  return response.body.personId;
}

/** The issue date that makes a 1-year permit expire `days` from today. */
const issuedForExpiryIn = (days: number) => addYears(addDays(today(), days), -1);

async function issue(status: number, personId: number, years: number, issuedOn?: string, username = 'police') {
  const agent = await signedIn(t, username);
  return agent.post('/api/permits', { personId, years, issuedOn }).expect(status);
}

/** The west grid's floating people with a permit today, as the statistics keep them (sql/0048: the permits' writers count them). */
async function permittedInWestGridToday(): Promise<number> {
  const { rows } = await sql<{ permitted: number }>`
    SELECT floating_permitted AS permitted FROM grid_population_daily WHERE grid_code = ${FIXTURE.gridWest} AND day = city_today()`.execute(t.handle.db);
  return rows[0]?.permitted ?? 0;
}

describe('issuing permits', () => {
  it('issues for 1, 2 or 3 years, expiring on the same calendar day', async () => {
    const personId = await resident(REGISTRATION.westUnit(1, 1));
    const response = await issue(201, personId, 2, '2025-03-10');
    expect(response.body).toMatchObject({ personId, years: 2, issuedOn: '2025-03-10', expiresOn: '2027-03-10', status: 'valid', renewalOpensOn: '2027-02-08' });
    expect(response.body.permitNo).toMatch(/^JZZ\d{10}$/);
    const audit = await t.handle.db.selectFrom('audit_log').select(['target_type', 'target_id', 'details']).where('action', '=', 'issue_permit').execute();
    expect(audit).toEqual([{ target_type: 'person', target_id: String(personId), details: expect.objectContaining({ permitId: response.body.id, years: 2 }) }]);
  });

  it.each([
    ['4 years', { years: 4 }, 400, 'permit_years_not_allowed', 'years'],
    ['an issue date tomorrow', { issuedOn: addDays(today(), 1) }, 400, 'date_in_future', 'issuedOn'],
    ['a second permit while one is valid', {}, 409, 'permit_exists', 'personId'],
  ])('refuses %s, changing nothing', async (_case, override, status, code, field) => {
    const personId = await resident(REGISTRATION.westUnit(1, 2));
    await issue(201, personId, 1);
    const before = await countRows(t);
    const agent = await signedIn(t, 'police');
    const response = await agent.post('/api/permits', { personId, years: 1, ...override }).expect(status);
    expect(response.body.error).toMatchObject({ code, details: { fields: [{ field }] } });
    expect(await countRows(t)).toEqual(before);
  });

  it('refuses a resident with local hukou, and answers 404 for a collector of another grid', async () => {
    const local = await resident(REGISTRATION.westUnit(2, 1), { category: 'registered', floatingType: undefined });
    const refused = await issue(409, local, 1);
    expect(refused.body.error.code).toBe('not_eligible');
    const westResident = await resident(REGISTRATION.westUnit(2, 1));
    await issue(404, westResident, 1, undefined, 'collector_east');
    await issue(201, westResident, 1, undefined, 'collector_west');
  });

  it('takes the allowed periods from the permits setting (a 1/3/5-year city)', async () => {
    await sql`UPDATE settings SET value = '{"allowedYears": [1, 3, 5], "renewalWindowDays": 30}' WHERE key = 'permits'`.execute(t.handle.db);
    try {
      const personId = await resident(REGISTRATION.westUnit(2, 2));
      const two = await issue(400, personId, 2);
      expect(two.body.error.message).toMatch(/1, 3, 5 years/);
      await issue(201, personId, 5);
    } finally {
      await sql`UPDATE settings SET value = '{"allowedYears": [1, 2, 3], "renewalWindowDays": 30}' WHERE key = 'permits'`.execute(t.handle.db);
    }
  });
});

describe('renewing permits', () => {
  async function permitExpiringIn(days: number) {
    const personId = await resident(REGISTRATION.westUnit(3, 1));
    const response = await issue(201, personId, 1, issuedForExpiryIn(days));
    expect(response.body.expiresOn).toBe(addDays(today(), days));
    return response.body as { id: number; expiresOn: string };
  }

  it('refuses 31 days before expiry, saying when renewal opens', async () => {
    const permit = await permitExpiringIn(31);
    const police = await signedIn(t, 'police');
    const before = await countRows(t);
    const response = await police.post(`/api/permits/${permit.id}/renew`, { years: 1 }).expect(409);
    expect(response.body.error.code).toBe('renewal_too_early');
    expect(response.body.error.message).toContain(`Renewal opens on ${addDays(today(), 1)}`);
    expect(await countRows(t)).toEqual(before);
  });

  it.each([30, 0])('renews %i days before expiry: the new permit runs on from the old expiry', async (days) => {
    const permit = await permitExpiringIn(days);
    const police = await signedIn(t, 'police');
    const renewed = await police.post(`/api/permits/${permit.id}/renew`, { years: 3 }).expect(201);
    expect(renewed.body).toMatchObject({ issuedOn: today(), expiresOn: addYears(permit.expiresOn, 3), years: 3, status: 'valid', renewedFrom: permit.id });
    const old = await t.handle.db.selectFrom('permits').select('status').where('id', '=', permit.id).executeTakeFirstOrThrow();
    expect(old.status).toBe('renewed');
    const again = await police.post(`/api/permits/${permit.id}/renew`, { years: 1 }).expect(409);
    expect(again.body.error.code).toBe('permit_already_renewed');
  });

  it('refuses an expired permit: a new one must be issued', async () => {
    const permit = await permitExpiringIn(-1);
    const police = await signedIn(t, 'police');
    const response = await police.post(`/api/permits/${permit.id}/renew`, { years: 1 }).expect(409);
    expect(response.body.error.code).toBe('permit_expired');
  });

  it('revokes a valid permit once; a revoked permit cannot be renewed', async () => {
    const permit = await permitExpiringIn(10);
    const police = await signedIn(t, 'police');
    const revoked = await police.post(`/api/permits/${permit.id}/revoke`, { reason: 'moved_away' }).expect(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', revokedOn: today() });
    expect((await police.post(`/api/permits/${permit.id}/revoke`, { reason: 'moved_away' }).expect(409)).body.error.code).toBe('permit_not_valid');
    expect((await police.post(`/api/permits/${permit.id}/renew`, { years: 1 }).expect(409)).body.error.code).toBe('permit_revoked');
    expect((await police.post(`/api/permits/${permit.id}/revoke`, { reason: 'because' }).expect(400)).body.error.details.fields[0].field).toBe('reason');
  });

  it('answers 404 for an unknown permit and for one outside the collector’s grid', async () => {
    const permit = await permitExpiringIn(10);
    const east = await signedIn(t, 'collector_east');
    await east.post(`/api/permits/${permit.id}/renew`, { years: 1 }).expect(404);
    await east.post('/api/permits/999999/renew', { years: 1 }).expect(404);
  });
});

describe('permits expiring soon, per grid', () => {
  it('lists the grid’s current residents whose valid permit expires within N days, soonest first, and audits who was listed', async () => {
    // A fresh building keeps this grid's list independent of the tests above.
    const unit = REGISTRATION.eastUnit(1);
    const expiries = [5, 20, 40];
    const people: number[] = [];
    for (const days of expiries) {
      const personId = await resident(unit);
      people.push(personId);
      await issue(201, personId, 1, issuedForExpiryIn(days));
    }
    const revokedHolder = await resident(unit);
    const revoked = await issue(201, revokedHolder, 1, issuedForExpiryIn(3));
    const police = await signedIn(t, 'police');
    await police.post(`/api/permits/${revoked.body.id}/revoke`, { reason: 'other' }).expect(200);
    const movedAway = await resident(unit);
    await issue(201, movedAway, 1, issuedForExpiryIn(7));
    await police.post('/api/registrations/move-out', { personId: movedAway, movedOut: today() }).expect(200);

    const auditBefore = await auditRows('expiring_permits');
    const response = await police.get(`/api/permits/expiring?grid=${FIXTURE.gridEast}&days=30&purpose=${encodeURIComponent('居住证到期提醒')}`).expect(200);
    expect(response.body.permits.map((permit: { person: { id: number }; expiresOn: string }) => [permit.person.id, permit.expiresOn])).toEqual([
      [people[0], addDays(today(), 5)],
      [people[1], addDays(today(), 20)],
    ]);
    expect(response.body.permits[0].person.idNumber).toMatch(/^\d{17}[\dX]$/);
    expect(await auditRows('expiring_permits')).toBe(auditBefore + 1);
    const audit = await t.handle.db.selectFrom('audit_log').select(['target_id', 'details']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit).toEqual({ target_id: FIXTURE.gridEast, details: { view: 'expiring_permits', personIds: [people[0], people[1]] } });

    const collector = await signedIn(t, 'collector_east');
    const masked = await collector.get(`/api/permits/expiring?grid=${FIXTURE.gridEast}&days=45&purpose=renewal-reminder`).expect(200);
    expect(masked.body.permits).toHaveLength(3);
    expect(masked.body.permits[0].person.idNumber).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
  });

  it('requires a purpose, a grid in the caller’s jurisdiction, and refuses roles without person access', async () => {
    const police = await signedIn(t, 'police');
    const missing = await police.get(`/api/permits/expiring?grid=${FIXTURE.gridEast}`).expect(400);
    expect(missing.body.error.details.fields[0].field).toBe('purpose');
    const west = await signedIn(t, 'collector_west');
    await west.get(`/api/permits/expiring?grid=${FIXTURE.gridEast}&purpose=check`).expect(404);
    await police.get('/api/permits/expiring?grid=44030700100199&purpose=check').expect(404);
    const leader = await signedIn(t, 'leader');
    await leader.get(`/api/permits/expiring?grid=${FIXTURE.gridEast}&purpose=check`).expect(403);
  });
});

async function auditRows(view: string): Promise<number> {
  const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE details->>'view' = ${view}`.execute(t.handle.db);
  return result.rows[0]!.n;
}

describe('the permitted count of a grid', () => {
  it('counts a permit issued today, and no longer once it is revoked today', async () => {
    const personId = await resident(REGISTRATION.westUnit(3, 2));
    const before = await permittedInWestGridToday();
    const permit = (await issue(201, personId, 1, today())).body;
    expect(await permittedInWestGridToday()).toBe(before + 1);
    await (await signedIn(t, 'police')).post(`/api/permits/${permit.id}/revoke`, { reason: 'moved_away' }).expect(200);
    expect(await permittedInWestGridToday()).toBe(before);
  });
});
