import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIdNumber } from '../../server/domain/id-number.ts';
import { addDays, chinaToday } from '../../server/domain/calendar.ts';
import { scoreMonths } from '../../server/rentals/service.ts';
import type { LoggedIn, TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode } from '../helpers/fixture-city.ts';
import { daysAgo, floatingAdult, idCard, REGISTRATION, startRegistrationApp } from '../helpers/registration-fixture.ts';
import { insertPersonFlag, insertRentalHouse, insertTenant } from '../helpers/rental-fixture.ts';
import { writeCounted } from '../helpers/hand-edits.ts';

/**
 * Issue 14, items 1–3, replayed as the outside review did them: rebuild masked ID numbers from
 * what else an answer says, read person facts as an aggregate role, and use a collector's
 * move forms as an oracle for who holds an ID number and where they live.
 */

let t: TestApp;
let collector: LoggedIn;
let police: LoggedIn;
const PURPOSE = 'purpose=入户核查';
const household = [
  { idNumber: idCard('1979-03-14', 11), name: '甲一' },
  { idNumber: idCard('1983-11-02', 22), name: '乙二' },
  { idNumber: idCard('2012-07-30', 31), name: '丙三' },
];

beforeAll(async () => {
  t = await startRegistrationApp();
  collector = await t.logIn('collector_west');
  police = await t.logIn('police');
  // Registered 20 days after moving in: late, so the late-registrations report lists them too.
  await collector
    .post('/api/registrations/move-ins', {
      unitCode: REGISTRATION.westUnit(1, 1),
      movedIn: daysAgo(30),
      registeredAt: daysAgo(10),
      people: household.map((person) => floatingAdult(person.idNumber, person.name)),
    })
    .expect(201);
  const [first] = await personIds();
  await police.post('/api/permits', { personId: first, years: 1 }).expect(201);
});
afterAll(async () => t?.close());

async function personIds(): Promise<number[]> {
  const rows = await t.handle.db
    .selectFrom('persons')
    .select('id')
    .where(
      'id_number',
      'in',
      household.map((person) => person.idNumber),
    )
    .orderBy('id_number')
    .execute();
  return rows.map((row) => row.id);
}

// ------------------------------------------------------------------ rebuilding masked IDs

const MASKED_ID = /(\d{6})\*{8}(\d{3}[\dX])/g;
const DATE = /(\d{4})-?(\d{2})-?(\d{2})/g;

const isValidIdNumber = (candidate: string) => checkIdNumber(candidate).ok;

/** Every birth date an age in whole years allows today. */
function datesForAge(age: number): string[] {
  const today = chinaToday();
  const latest = `${Number(today.slice(0, 4)) - age}${today.slice(4)}`;
  const dates: string[] = [];
  for (let date = addDays(latest, -366); date <= latest; date = addDays(date, 1)) dates.push(date);
  return dates;
}

/**
 * What an attacker does with one answer: for each masked ID, try every date the answer states;
 * failing that, every birth date its age allows. Rebuilt = exactly one valid number, the true one.
 */
function rebuiltIds(text: string, trueIds: Set<string>): string[] {
  const stated = [...text.matchAll(DATE)].map((match) => `${match[1]}${match[2]}${match[3]}`);
  const ages = [...text.matchAll(/"age":(\d+)|年龄[,:]?(\d+)/g)].map((match) => Number(match[1] ?? match[2]));
  const rebuilt: string[] = [];
  for (const [, prefix, suffix] of text.matchAll(MASKED_ID)) {
    const complete = (dates: string[]) => [...new Set(dates.map((date) => `${prefix}${date.replaceAll('-', '')}${suffix}`))].filter(isValidIdNumber);
    const fromStated = complete(stated);
    const candidates = fromStated.length > 0 ? fromStated : complete(ages.flatMap(datesForAge));
    if (candidates.length === 1 && trueIds.has(candidates[0]!)) rebuilt.push(candidates[0]!);
  }
  return rebuilt;
}

describe('masked ID numbers cannot be rebuilt (issue 14.1)', () => {
  it('walks every route and export that shows people with masked numbers, and rebuilds none', async () => {
    const ids = await personIds();
    const [first] = ids;
    const unit = REGISTRATION.westUnit(1, 1);
    const answers: Record<string, string> = {};
    const read = async (caller: LoggedIn, url: string) => {
      const response = await caller.get(url).expect(200);
      answers[url] = response.text;
    };
    for (const url of [
      `/api/people/search?code=${FIXTURE.westHouse}&${PURPOSE}`,
      `/api/people/${first}?${PURPOSE}`,
      `/api/people/${first}/residences?${PURPOSE}`,
      `/api/drilldown/buildings/${FIXTURE.westHouse}?${PURPOSE}`,
      `/api/units/${unit}/occupants?${PURPOSE}`,
      `/api/reports/late-registrations?grid=${FIXTURE.gridWest}&${PURPOSE}`,
      `/api/reports/unregistered-departures?grid=${FIXTURE.gridWest}&${PURPOSE}`,
      `/api/permits/expiring?grid=${FIXTURE.gridWest}&days=366&${PURPOSE}`,
    ])
      await read(collector, url);
    const corrected = await collector.send('patch', `/api/people/${first}`, { reason: 'typing_error', phone: '13900139000' }).expect(200);
    answers['PATCH /api/people/:id'] = corrected.text;
    for (const format of ['csv', 'xlsx']) {
      const file = await police
        .get(`/api/exports/people?building=${FIXTURE.westHouse}&format=${format}&masked=true&${PURPOSE}`)
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        });
      expect(file.status).toBe(200);
      answers[`masked ${format} export`] = format === 'csv' ? file.body.toString('utf8') : await xlsxText(file.body);
    }
    const trueIds = new Set(household.map((person) => person.idNumber));
    // Each answer that lists people does show masked numbers (an answer without any would prove
    // nothing); a person's residences are stays without identity, and nobody left unregistered.
    const listsNoIdentity = [`/api/people/${first}/residences?${PURPOSE}`, `/api/reports/unregistered-departures?grid=${FIXTURE.gridWest}&${PURPOSE}`];
    const masked = Object.fromEntries(Object.entries(answers).map(([where, text]) => [where, [...text.matchAll(MASKED_ID)].length > 0]));
    expect(masked).toEqual(Object.fromEntries(Object.keys(answers).map((where) => [where, !listsNoIdentity.includes(where)])));
    // …and none of them gives the hidden digits back.
    const rebuilt = Object.fromEntries(Object.entries(answers).map(([where, text]) => [where, rebuiltIds(text, trueIds)]));
    expect(rebuilt).toEqual(Object.fromEntries(Object.keys(answers).map((where) => [where, []])));
  });

  it('gives collectors the age instead of the birth date, and police both', async () => {
    const [first] = await personIds();
    const seen = await collector.get(`/api/people/${first}?${PURPOSE}`).expect(200);
    expect(seen.body.person).not.toHaveProperty('birthDate');
    expect(seen.body.person.age).toBeGreaterThanOrEqual(45);
    const whole = await police.get(`/api/people/${first}?${PURPOSE}`).expect(200);
    expect(whole.body.person).toMatchObject({ birthDate: '1979-03-14', idNumber: household[0]!.idNumber });
  });

  it('the attack works on an answer that states the birth date (the test can fail)', () => {
    const person = household[0]!;
    const leaky = JSON.stringify({ idNumber: `${person.idNumber.slice(0, 6)}********${person.idNumber.slice(-4)}`, birthDate: '1979-03-14' });
    expect(rebuiltIds(leaky, new Set([person.idNumber]))).toEqual([person.idNumber]);
  });
});

/** The shared strings of an XLSX file (where its text cells live), without a spreadsheet library. */
async function xlsxText(file: Buffer): Promise<string> {
  const ExcelJS = (await import('exceljs')).default;
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(file as unknown as ArrayBuffer);
  const cells: string[] = [];
  workbook.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => cells.push(`${cell.value ?? ''}`))));
  return cells.join(',');
}

// ------------------------------------------------------------------ person facts and aggregate roles

describe('person facts stay with police and collectors (issue 14.2)', () => {
  it('names the landlord only to police and collectors', async () => {
    await writeCounted(t.handle.db, 'buildings', [FIXTURE.westHouse], (trx) =>
      sql`UPDATE buildings SET landlord_name = '房东王' WHERE code = ${FIXTURE.westHouse}`.execute(trx),
    );
    for (const role of ['leader', 'planner', 'admin', 'auditor']) {
      const building = await (await t.logIn(role)).get(`/api/buildings/${FIXTURE.westHouse}`).expect(200);
      expect({ role, landlordName: building.body.landlordName }).toEqual({ role, landlordName: null });
    }
    expect((await police.get(`/api/buildings/${FIXTURE.westHouse}`).expect(200)).body.landlordName).toBe('房东王');
    expect((await collector.get(`/api/buildings/${FIXTURE.westHouse}`).expect(200)).body.landlordName).toBe('房东王');
  });

  it('withholds an occupant count under k from aggregate roles', async () => {
    const unit = REGISTRATION.westUnit(1, 1);
    const leader = await t.logIn('leader');
    expect((await leader.get(`/api/units/${unit}`).expect(200)).body).toMatchObject({ currentOccupants: null, currentOccupantsSuppressed: true });
    expect((await police.get(`/api/units/${unit}`).expect(200)).body).toMatchObject({ currentOccupants: 3, currentOccupantsSuppressed: false });
  });

  it('shows leaders and planners a score card without tenants, stays or their dates', async () => {
    const house = await insertRentalHouse(t.handle.db, 41);
    const tenant = await insertTenant(t.handle.db, fixtureUnitCode(house, 1, 1), { movedIn: '2024-04-03', registeredAt: '2024-04-05' });
    await insertPersonFlag(t.handle.db, tenant, 'key_person', '2024-04-01');
    await scoreMonths(t.handle.db, '2024-05-01', '2024-05-01', { rulesVersion: 1 });
    const policeCard = await police.get(`/api/rentals/buildings/${house}?month=2024-05`).expect(200);
    const keyPerson = policeCard.body.explanation.factors.find((factor: { evidence: { type: string }[] }) =>
      factor.evidence.some((event) => event.type === 'stay'),
    );
    expect(keyPerson.evidence).toEqual([expect.objectContaining({ type: 'stay', personId: tenant, movedIn: '2024-04-03' })]);
    for (const role of ['leader', 'planner']) {
      const card = await (await t.logIn(role)).get(`/api/rentals/buildings/${house}?month=2024-05`).expect(200);
      expect(card.body.score).toBe(policeCard.body.score);
      const text = JSON.stringify(card.body);
      expect({ role, leaks: ['residencyId', 'personId', 'movedIn', '2024-04-03', `"stay"`].filter((word) => text.includes(word)) }).toEqual({
        role,
        leaks: [],
      });
      const factor = card.body.explanation.factors.find((candidate: { ruleId: number }) => candidate.ruleId === keyPerson.ruleId);
      expect(factor).toMatchObject({ points: keyPerson.points, count: null, evidence: [] });
    }
  });
});

// ------------------------------------------------------------------ the collector's forms as an oracle

describe('a collector cannot learn addresses or identities through the forms (issue 14.3)', () => {
  it("moves a person from another grid into the collector's unit without saying where they lived", async () => {
    const idNumber = idCard('1990-05-05', 51);
    const east = await t.logIn('collector_east');
    await east
      .post('/api/registrations/move-in', {
        unitCode: REGISTRATION.eastUnit(1),
        movedIn: daysAgo(20),
        registeredAt: daysAgo(20),
        person: floatingAdult(idNumber, '丁四'),
      })
      .expect(201);
    const moved = await collector.post('/api/registrations/move', { idNumber, toUnitCode: REGISTRATION.westUnit(2, 1), movedOn: daysAgo(2) }).expect(201);
    expect(moved.body).toMatchObject({ fromUnitCode: null, fromResidencyId: null, toUnitCode: REGISTRATION.westUnit(2, 1) });
    expect(JSON.stringify(moved.body)).not.toContain(FIXTURE.gridEast);
    // Police see where from in the audit trail.
    const audit = await t.handle.db.selectFrom('audit_log').select('details').where('action', '=', 'move').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ fromUnitCode: REGISTRATION.eastUnit(1) });
  });

  it('answers a wrong name for a known ID number with one neutral error, and leaves an audit row for police', async () => {
    const target = household[1]!;
    await collector.post('/api/registrations/move-out', { idNumber: target.idNumber, movedOut: daysAgo(1) });
    const probes = [floatingAdult(target.idNumber, '随便猜'), floatingAdult(target.idNumber, '乙三')];
    const answers = [];
    for (const person of probes) {
      const response = await collector.post('/api/registrations/move-in', { unitCode: REGISTRATION.westUnit(3, 1), movedIn: daysAgo(0), person });
      expect({ status: response.status, body: JSON.stringify(response.body) }).toEqual({ status: 409, body: expect.stringContaining('identity_conflict') });
      answers.push(response.body.error);
    }
    for (const answer of answers) {
      expect(answer).toMatchObject({ code: 'identity_conflict', details: { fields: [{ field: 'person.idNumber' }] } });
      expect(JSON.stringify(answer)).not.toMatch(/name|乙二/);
    }
    expect(answers[0].message).toBe(answers[1].message);
    const rows = await t.handle.db.selectFrom('audit_log').select(['target_id', 'details', 'username']).where('action', '=', 'identity_conflict').execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ username: 'collector_west', details: { fields: ['name'] } });
    expect(JSON.stringify(rows)).not.toContain(target.idNumber);
  });
});

describe('the rebuild check itself', () => {
  it('knows a valid ID number', () => expect(isValidIdNumber(household[0]!.idNumber)).toBe(true));
});
