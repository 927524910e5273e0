import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../server/http/rate-limit.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_USER_PER_MINUTE: '20', RATE_LIMIT_LOGIN_PER_MINUTE: '8' });
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'police', 'police');
  await insertUser(t.handle.db, 'leader', 'leader');
});
afterAll(async () => t?.close());

describe('abuse limits', () => {
  it('answers 429 with Retry-After once a user exceeds the per-user limit, without affecting another user', async () => {
    const police = await t.logIn('police');
    const statuses: number[] = [];
    for (let index = 0; index < 22; index += 1) statuses.push((await police.get('/api/buildings/' + FIXTURE.westHouse)).status);
    expect(statuses.slice(0, 19).every((status) => status === 200)).toBe(true);
    const limited = await police.get('/api/buildings/' + FIXTURE.westHouse).expect(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const leader = await t.logIn('leader');
    await leader.get('/api/buildings/' + FIXTURE.westHouse).expect(200);
  });

  it('limits login attempts per address', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 12; index += 1) {
      statuses.push((await request(t.app).post('/api/auth/login').send({ username: 'nobody', password: 'x' })).status);
    }
    expect(statuses).toContain(429);
  });

  it('refuses an oversized body with 413 and malformed JSON with 400', async () => {
    const big = await request(t.app).post('/api/auth/login').set('Content-Type', 'application/json').send(JSON.stringify({ username: 'a', password: 'x'.repeat(2_000_000) }));
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

  it('opens a new window after a minute', () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now);
    expect([limiter.hit('a'), limiter.hit('a')]).toEqual([0, 0]);
    expect(limiter.hit('a')).toBe(60);
    now = 60_000;
    expect(limiter.hit('a')).toBe(0);
  });
});
