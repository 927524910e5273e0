import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';
import { costOf, urlPathOf } from '../../server/http/route-registry.ts';
import { RateLimiter, REQUEST_COSTS, TokenBuckets } from '../../server/http/rate-limit.ts';
import { apiRoutes } from '../../server/routes.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';

/**
 * Issue 14.8 (first sentence) and 14.10: requests are charged by what they cost (a tile 1 point,
 * an audited drill-down 20) against a budget per address and per user, so a dashboard's burst of
 * tiles and heatmaps passes where a drill-down scraper at the same request rate is stopped; GIS
 * paging is not blocked; X-Forwarded-For counts only from proxies TRUST_PROXY names.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_USER_PER_MINUTE: '100', RATE_LIMIT_LOGIN_PER_MINUTE: '8' });
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'police', 'police');
  await insertUser(t.handle.db, 'leader', 'leader');
  await insertUser(t.handle.db, 'planner', 'planner');
});
afterAll(async () => t?.close());

/** The same database behind a fresh app with its own budgets, configuration and a clock the test steps. */
function appWith(environment: NodeJS.ProcessEnv, clock = { now: 0 }): Express {
  const config = readConfig({ NODE_ENV: 'test', RATE_LIMIT_LOGIN_PER_MINUTE: '10000', ...environment });
  return createApp({ ...t.context, config }, { now: () => clock.now });
}

async function logIn(app: Express, username: string) {
  const agent = request.agent(app);
  await agent.post('/api/auth/login').send({ username, password: FIXTURE.password }).expect(200);
  return agent;
}

type Agent = ReturnType<typeof request.agent>;

/**
 * `clients` clients each sending one request per tick, `perSecond` ticks a second of the test's
 * clock, for `seconds`: the statuses answered. The clock moves between ticks, not in real time.
 */
async function drive(clock: { now: number }, clients: Agent[], perSecond: number, seconds: number, urlOf: (client: number, tick: number) => string) {
  const statuses: number[] = [];
  for (let tick = 0; tick < perSecond * seconds; tick += 1) {
    clock.now = (tick * 1000) / perSecond;
    const answers = await Promise.all(clients.map((client, index) => client.get(urlOf(index, tick))));
    statuses.push(...answers.map((answer) => answer.status));
  }
  return statuses;
}

const count = (statuses: number[], status: number) => statuses.filter((candidate) => candidate === status).length;

describe('budgets by cost', () => {
  it('charges tiles, OGC pages and heatmaps as cheap, person reads and writes as audited, exports as bulk', () => {
    const cost = new Map(apiRoutes(t.context).map((spec) => [`${spec.method} ${urlPathOf(spec)}`, costOf(spec)]));
    expect(cost.get('get /tiles/:layer/:z/:x/:y.mvt')).toBe('cheap');
    expect(cost.get('get /ogc/collections/:collectionId/items')).toBe('cheap');
    expect(cost.get('get /api/heatmaps/:metric')).toBe('cheap');
    expect(cost.get('get /api/kpis')).toBe('normal');
    expect(cost.get('get /api/drilldown/buildings/:code')).toBe('audited');
    expect(cost.get('get /api/people/:id')).toBe('audited');
    expect(cost.get('post /api/registrations/move')).toBe('audited');
    expect(cost.get('get /api/exports/people')).toBe('bulk');
    expect(cost.get('post /api/imports')).toBe('bulk');
    // Every write and every read only police and collectors may make costs at least an audited read.
    for (const spec of apiRoutes(t.context)) {
      const personData = spec.access !== 'public' && spec.access.every((role) => role === 'police' || role === 'collector');
      if (spec.method !== 'get' || personData) expect(REQUEST_COSTS[costOf(spec)], `${spec.method} ${spec.path}`).toBeGreaterThanOrEqual(REQUEST_COSTS.audited);
    }
  });

  it('lets 8 dashboard clients load heatmaps and tiles for 10 s without a 429, but stops a drill-down scraper at the same rate', async () => {
    // Defaults: 6,000 points a minute per user, 30,000 per address.
    const dashboardClock = { now: 0 };
    const dashboard = appWith({}, dashboardClock);
    const leaderTabs = await Promise.all(Array.from({ length: 8 }, () => logIn(dashboard, 'leader')));
    // Each client: a heatmap (time slider) every second and 12 tiles as the map pans: 104 requests a second in all.
    const dashboardUrl = (client: number, tick: number) =>
      tick % 13 === 0
        ? `/api/heatmaps/floating_density?level=grid&asOf=2025-${String(1 + (tick % 12)).padStart(2, '0')}-01`
        : `/tiles/buildings/14/${13390 + client}/${7110 + (tick % 13)}.mvt`;
    const dashboardStatuses = await drive(dashboardClock, leaderTabs, 13, 10, dashboardUrl);
    expect(dashboardStatuses).toHaveLength(1040);
    expect(count(dashboardStatuses, 429)).toBe(0);
    expect(dashboardStatuses.every((status) => status === 200 || status === 204)).toBe(true);

    const scraperClock = { now: 0 };
    const scraped = appWith({}, scraperClock);
    const scraperConnections = await Promise.all(Array.from({ length: 8 }, () => logIn(scraped, 'police')));
    const scraperStatuses = await drive(
      scraperClock,
      scraperConnections,
      13,
      10,
      () => `/api/drilldown/buildings/${FIXTURE.westHouse}?purpose=${encodeURIComponent('批量核查')}`,
    );
    // 6,000 points buy 300 drill-downs and the refill 100 more over 10 s: the rest are refused.
    expect(count(scraperStatuses, 200)).toBeLessThan(450);
    expect(count(scraperStatuses, 429)).toBeGreaterThan(550);
    const refused = await scraperConnections[0]!.get(`/api/drilldown/buildings/${FIXTURE.westHouse}?purpose=x1`).expect(429);
    expect(refused.body.error.message).toMatch(/budget of this user is 6000 points a minute and this request costs 20 \(audited/);
    expect(refused.body.error.details).toMatchObject({ budget: 'user', costClass: 'audited', cost: 20, pointsPerMinute: 6000 });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The user's budget, not the address's: a colleague at the same address still gets in.
    await (await logIn(scraped, 'planner')).get('/api/kpis').expect((response) => expect(response.status).not.toBe(429));
  }, 120_000);

  it('does not block GDAL-like paging through OGC at a sane pace (40 pages a second)', async () => {
    const clock = { now: 0 };
    const app = appWith({}, clock);
    const gis = await logIn(app, 'planner');
    const statuses = await drive(clock, [gis], 40, 15, (_client, tick) => `/ogc/collections/buildings/items?limit=2&offset=${tick % 3}`);
    expect(statuses).toHaveLength(600);
    expect(count(statuses, 429)).toBe(0);
    // The whole city, ~67,000 pages at that pace (28 minutes), against the default budgets: never refused.
    let now = 0;
    const user = new TokenBuckets(readConfig({}).rateLimits.userPerMinute, () => now);
    const address = new TokenBuckets(readConfig({}).rateLimits.ipPerMinute, () => now);
    let refusals = 0;
    for (let page = 0; page < 67_000; page += 1, now += 25) {
      if (address.take('gdal-host', REQUEST_COSTS.cheap) > 0 || user.take('gis-user', REQUEST_COSTS.cheap) > 0) refusals += 1;
    }
    expect(refusals).toBe(0);
  }, 60_000);

  it('answers 429 with Retry-After naming the per-user budget, without affecting another user', async () => {
    // RATE_LIMIT_USER_PER_MINUTE=100: twenty building reads at 5 points each.
    const police = await t.logIn('police');
    const statuses: number[] = [];
    for (let index = 0; index < 20; index += 1) statuses.push((await police.get('/api/buildings/' + FIXTURE.westHouse)).status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const limited = await police.get('/api/buildings/' + FIXTURE.westHouse).expect(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(limited.body.error.details).toMatchObject({ budget: 'user', costClass: 'normal', cost: 5 });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const leader = await t.logIn('leader');
    await leader.get('/api/buildings/' + FIXTURE.westHouse).expect(200);
  });
});

describe('client addresses and X-Forwarded-For (TRUST_PROXY)', () => {
  const rotated = (index: number) => `203.0.113.${index % 250}`;

  it('by default ignores X-Forwarded-For: rotating it does not escape the per-address budget or the login limit', async () => {
    // 50 points: ten health checks at 5 points each.
    const app = appWith({ RATE_LIMIT_IP_PER_MINUTE: '50', RATE_LIMIT_LOGIN_PER_MINUTE: '8' });
    const statuses: number[] = [];
    for (let index = 0; index < 12; index += 1) statuses.push((await request(app).get('/api/health').set('X-Forwarded-For', rotated(index))).status);
    expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    const refused = await request(app).get('/api/health').set('X-Forwarded-For', rotated(99)).expect(429);
    expect(refused.body.error.details).toMatchObject({ budget: 'address' });

    const logins = appWith({ RATE_LIMIT_LOGIN_PER_MINUTE: '8' });
    const loginStatuses: number[] = [];
    for (let index = 0; index < 10; index += 1) {
      loginStatuses.push(
        (await request(logins).post('/api/auth/login').set('X-Forwarded-For', rotated(index)).send({ username: 'nobody', password: 'x' })).status,
      );
    }
    expect(loginStatuses.slice(8)).toEqual([429, 429]);
  });

  it('honours X-Forwarded-For from a proxy TRUST_PROXY names', async () => {
    const app = appWith({ RATE_LIMIT_IP_PER_MINUTE: '50', TRUST_PROXY: 'loopback' });
    for (let index = 0; index < 20; index += 1) await request(app).get('/api/health').set('X-Forwarded-For', rotated(index)).expect(200);
    const statuses: number[] = [];
    for (let index = 0; index < 11; index += 1) statuses.push((await request(app).get('/api/health').set('X-Forwarded-For', '198.51.100.7')).status);
    expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('reads TRUST_PROXY as Express does: nothing by default, a hop count, names and CIDR lists; refuses anything else', () => {
    expect(readConfig({}).trustProxy).toBe(false);
    expect(readConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(readConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(readConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(readConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fc00::/7, 192.168.1.1/255.255.255.0' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fc00::/7',
      '192.168.1.1/255.255.255.0',
    ]);
    for (const wrong of ['proxy.example.com', '10.0.0.0/33', 'loopback;uniquelocal', '-1']) {
      expect(() => readConfig({ TRUST_PROXY: wrong }), wrong).toThrow(/TRUST_PROXY/);
    }
  });
});

describe('login and request hygiene', () => {
  it('limits login attempts per address', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 12; index += 1) {
      statuses.push((await request(t.app).post('/api/auth/login').send({ username: 'nobody', password: 'x' })).status);
    }
    expect(statuses).toContain(429);
  });

  it('refuses an oversized body with 413 and malformed JSON with 400', async () => {
    const big = await request(t.app)
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ username: 'a', password: 'x'.repeat(2_000_000) }));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('body_too_large');
    const malformed = await request(t.app).post('/api/auth/login').set('Content-Type', 'application/json').send('{"username": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');
  });

  it('sends security headers and never leaks stack traces', async () => {
    const response = await request(t.app).get('/api/health').expect(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    const missing = await request(t.app).get('/api/no-such-route').expect(404);
    expect(JSON.stringify(missing.body)).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('the limiters themselves', () => {
  it('login attempts: a new window after a minute', () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now);
    expect([limiter.hit('a'), limiter.hit('a')]).toEqual([0, 0]);
    expect(limiter.hit('a')).toBe(60);
    now = 60_000;
    expect(limiter.hit('a')).toBe(0);
  });

  it('token buckets: a minute’s budget as a burst, then the refill rate; the wait says when the cost fits; idle keys are forgotten', () => {
    let now = 0;
    const buckets = new TokenBuckets(60, () => now);
    expect(buckets.take('a', 20)).toBe(0);
    expect(buckets.take('a', 20)).toBe(0);
    expect(buckets.take('a', 20)).toBe(0);
    // Empty: 20 points at 1 a second take 20 s; nothing is taken by a refused request.
    expect(buckets.take('a', 20)).toBe(20);
    now = 10_000;
    expect(buckets.take('a', 20)).toBe(10);
    now = 20_000;
    expect(buckets.take('a', 20)).toBe(0);
    // Another key has its own bucket; a cost above the whole budget needs a full bucket, not forever.
    expect(buckets.take('b', 100)).toBe(0);
    expect(buckets.take('b', 100)).toBe(60);
    // Keys idle for a minute are full again and forgotten, so rotating keys cannot fill memory.
    for (let index = 0; index < 1000; index += 1) buckets.take(`rotating-${index}`, 1);
    now = 200_000;
    buckets.take('c', 1);
    expect((buckets as unknown as { buckets: Map<string, unknown> }).buckets.size).toBe(1);
  });
});
