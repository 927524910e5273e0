import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaToday } from '../../server/domain/calendar.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  for (const role of ['leader', 'planner', 'police', 'admin'] as const) await insertUser(t.handle.db, role, role);
});
afterAll(async () => t?.close());

type Agent = { get(url: string): request.Test; post(url: string, body?: object): request.Test; patch(url: string, body: object): request.Test };
const agents = new Map<string, Agent>();

async function agentFor(username: string): Promise<Agent> {
  const known = agents.get(username);
  if (known) return known;
  const agent = request.agent(t.app);
  const csrf: string = (await agent.post('/api/auth/login').send({ username, password: FIXTURE.password }).expect(200)).body.csrfToken;
  const loggedIn: Agent = {
    get: (url) => agent.get(url),
    post: (url, body = {}) => agent.post(url).set('X-CSRF-Token', csrf).send(body),
    patch: (url, body) => agent.patch(url).set('X-CSRF-Token', csrf).send(body),
  };
  agents.set(username, loggedIn);
  return loggedIn;
}

const countCollectors = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM collectors`.execute(t.handle.db)).rows[0]!.n;

async function createCollector(body: object): Promise<number> {
  const response = await (await agentFor('planner')).post('/api/collectors', body).expect(201);
  return response.body.id;
}

describe('collector records', () => {
  it('creates a full-time collector and audits it without personal details', async () => {
    const planner = await agentFor('planner');
    const response = await planner
      .post('/api/collectors', { name: ' 李四 ', phone: '13900001111', photoUrl: '/photos/lisi.jpg', employment: 'full_time' })
      .expect(201);
    expect(response.body).toMatchObject({
      name: '李四',
      phone: '13900001111',
      photoUrl: '/photos/lisi.jpg',
      employment: 'full_time',
      employer: null,
      active: true,
      assignments: [],
    });
    const audit = await t.handle.db.selectFrom('audit_log').select(['action', 'target_id', 'details']).where('target_type', '=', 'collector').execute();
    expect(audit).toEqual([{ action: 'create', target_id: String(response.body.id), details: { employment: 'full_time' } }]);
  });

  it.each([
    [{ name: '', employment: 'full_time' }, 'name'],
    [{ name: '张三', employment: 'full_time', phone: 'call me' }, 'phone'],
    [{ name: '张三', employment: 'full_time', photoUrl: 'javascript:alert(1)' }, 'photoUrl'],
    [{ name: '张三', employment: 'sometimes' }, 'employment'],
    [{ name: '张三', employment: 'full_time', idNumber: '11010519491231002X' }, '(root)'],
  ])('rejects %j naming %s, and stores nothing', async (body, field) => {
    const before = await countCollectors();
    const response = await (await agentFor('planner')).post('/api/collectors', body).expect(400);
    expect(response.body.error.details.fields.map((entry: { field: string }) => entry.field)).toContain(field);
    expect(await countCollectors()).toBe(before);
  });

  it('answers 404 for an unknown collector and 400 for a malformed id', async () => {
    const planner = await agentFor('planner');
    await planner.get('/api/collectors/999999').expect(404);
    const bad = await planner.get('/api/collectors/abc').expect(400);
    expect(bad.body.error.details.fields[0].field).toBe('id');
  });

  it('lets admins manage collectors, and no one else but planners', async () => {
    await (await agentFor('admin')).post('/api/collectors', { name: '管理员建', employment: 'part_time' }).expect(201);
    await (await agentFor('leader')).post('/api/collectors', { name: 'x', employment: 'part_time' }).expect(403);
    await (await agentFor('police')).get('/api/collectors').expect(403);
  });
});

describe('assignments: a full-time collector owns one grid', () => {
  it('moving a full-time collector ends the old assignment the day the new one starts', async () => {
    const planner = await agentFor('planner');
    const id = await createCollector({ name: '赵五', employment: 'full_time' });
    const first = await planner.post(`/api/collectors/${id}/assignments`, { gridCode: FIXTURE.gridWest, startsOn: '2026-03-01' }).expect(201);
    expect(first.body.assignments).toMatchObject([{ gridCode: FIXTURE.gridWest, gridName: '西网格', assignedOn: '2026-03-01', endedOn: null }]);
    const moved = await planner.post(`/api/collectors/${id}/assignments`, { gridCode: FIXTURE.gridEast, startsOn: '2026-04-01' }).expect(201);
    expect(moved.body.assignments.map((a: { gridCode: string; assignedOn: string; endedOn: string | null }) => [a.gridCode, a.assignedOn, a.endedOn])).toEqual([
      [FIXTURE.gridEast, '2026-04-01', null],
      [FIXTURE.gridWest, '2026-03-01', '2026-04-01'],
    ]);
    const allocation = await planner.get(`/api/collectors/allocation?within=${FIXTURE.community}&sort=code`).expect(200);
    expect(allocation.body.rows.map((row: { fullTimeAssigned: number }) => row.fullTimeAssigned)).toEqual([0, 1]);
  });

  it('refuses the same grid twice, a start before the current one, an unknown or malformed grid', async () => {
    const planner = await agentFor('planner');
    const id = await createCollector({ name: '钱六', employment: 'full_time' });
    await planner.post(`/api/collectors/${id}/assignments`, { gridCode: FIXTURE.gridWest, startsOn: '2026-03-10' }).expect(201);
    expect((await planner.post(`/api/collectors/${id}/assignments`, { gridCode: FIXTURE.gridWest }).expect(409)).body.error.code).toBe('already_assigned');
    const early = await planner.post(`/api/collectors/${id}/assignments`, { gridCode: FIXTURE.gridEast, startsOn: '2026-03-09' }).expect(400);
    expect(early.body.error.details.fields[0].field).toBe('startsOn');
    await planner.post(`/api/collectors/${id}/assignments`, { gridCode: '44030700100199' }).expect(404);
    const malformed = await planner.post(`/api/collectors/${id}/assignments`, { gridCode: '4403070010010' }).expect(400);
    expect(malformed.body.error.details.fields[0].field).toBe('gridCode');
    const badDate = await planner.post(`/api/collectors/${id}/assignments`, { gridCode: FIXTURE.gridEast, startsOn: '2026-02-30' }).expect(400);
    expect(badDate.body.error.details.fields[0].field).toBe('startsOn');
    const detail = await planner.get(`/api/collectors/${id}`).expect(200);
    expect(detail.body.assignments).toHaveLength(1);
  });

  it('the database itself refuses a second open assignment for a full-time collector', async () => {
    const id = await createCollector({ name: '孙七', employment: 'full_time' });
    await (await agentFor('planner')).post(`/api/collectors/${id}/assignments`, { gridCode: FIXTURE.gridWest, startsOn: '2026-03-01' }).expect(201);
    await expect(
      sql`INSERT INTO collector_assignments (collector_id, grid_code, street_code, assigned_on) VALUES (${id}, ${FIXTURE.gridEast}, left(${FIXTURE.gridEast}, 9), DATE '2026-03-02')`.execute(
        t.handle.db,
      ),
    ).rejects.toThrow(/already has an open assignment/);
  });

  it('a part-time collector may serve two grids, and cannot become full-time until one is ended', async () => {
    const planner = await agentFor('planner');
    const id = await createCollector({ name: '周八', employment: 'part_time', employer: '华星电子厂' });
    await planner.post(`/api/collectors/${id}/assignments`, { gridCode: FIXTURE.gridWest, startsOn: '2026-03-01' }).expect(201);
    const both = await planner.post(`/api/collectors/${id}/assignments`, { gridCode: FIXTURE.gridEast, startsOn: '2026-03-05' }).expect(201);
    expect(both.body.assignments.filter((a: { endedOn: string | null }) => a.endedOn === null)).toHaveLength(2);
    const refused = await planner.patch(`/api/collectors/${id}`, { employment: 'full_time' }).expect(409);
    expect(refused.body.error.code).toBe('several_open_assignments');
    const east = both.body.assignments.find((a: { gridCode: string }) => a.gridCode === FIXTURE.gridEast);
    const tooEarly = await planner.post(`/api/collectors/${id}/assignments/${east.id}/end`, { endedOn: '2026-03-04' }).expect(400);
    expect(tooEarly.body.error.details.fields[0].field).toBe('endedOn');
    const ended = await planner.post(`/api/collectors/${id}/assignments/${east.id}/end`, { endedOn: '2026-03-20' }).expect(200);
    expect(ended.body.assignments.find((a: { id: number }) => a.id === east.id).endedOn).toBe('2026-03-20');
    await planner.post(`/api/collectors/${id}/assignments/${east.id}/end`, {}).expect(404);
    const changed = await planner.patch(`/api/collectors/${id}`, { employment: 'full_time', employer: null }).expect(200);
    expect(changed.body).toMatchObject({ employment: 'full_time', employer: null });
  });

  it('deactivating a collector ends their assignments today and takes them off the public card', async () => {
    const planner = await agentFor('planner');
    const id = await createCollector({ name: '吴九', employment: 'full_time' });
    await planner.post(`/api/collectors/${id}/assignments`, { gridCode: FIXTURE.gridEast, startsOn: '2026-01-15' }).expect(201);
    const card = async () =>
      (await request(t.app).get(`/api/collectors/public/${FIXTURE.gridEast}`).expect(200)).body.collectors.map((c: { name: string }) => c.name);
    expect(await card()).toContain('吴九');
    const inactive = await planner.patch(`/api/collectors/${id}`, { active: false }).expect(200);
    expect(inactive.body).toMatchObject({ active: false, assignments: [{ gridCode: FIXTURE.gridEast, endedOn: chinaToday() }] });
    expect(await card()).not.toContain('吴九');
    expect((await planner.post(`/api/collectors/${id}/assignments`, { gridCode: FIXTURE.gridWest }).expect(409)).body.error.code).toBe('collector_inactive');
    const empty = await planner.patch(`/api/collectors/${id}`, {}).expect(400);
    expect(empty.body.error.message).toMatch(/at least one field/);
  });
});

describe('listing collectors', () => {
  it('filters by area of the open assignment, by employment, and finds those without a grid', async () => {
    const planner = await agentFor('planner');
    const idle = await createCollector({ name: '郑十', employment: 'full_time' });
    const inEast = (await planner.get(`/api/collectors?within=${FIXTURE.gridEast}`).expect(200)).body;
    expect(inEast.collectors.map((c: { name: string }) => c.name).sort()).toEqual(['赵五']);
    expect(inEast.collectors[0].assignments).toEqual([expect.objectContaining({ gridCode: FIXTURE.gridEast, endedOn: null })]);
    const unassigned = (await planner.get('/api/collectors?unassigned=true&active=true').expect(200)).body;
    expect(unassigned.collectors.map((c: { id: number }) => c.id)).toContain(idle);
    expect(unassigned.collectors.every((c: { assignments: unknown[] }) => c.assignments.length === 0)).toBe(true);
    const partTime = (await planner.get('/api/collectors?employment=part_time').expect(200)).body;
    expect(partTime.collectors.map((c: { name: string }) => c.name)).toEqual(['管理员建']);
    const paged = (await planner.get('/api/collectors?limit=2&offset=1').expect(200)).body;
    expect(paged.collectors).toHaveLength(2);
    expect(paged.total).toBe(await countCollectors());
    const bad = await planner.get('/api/collectors?active=yes').expect(400);
    expect(bad.body.error.details.fields[0].field).toBe('active');
  });
});
