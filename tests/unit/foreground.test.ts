import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { backgroundPace, countForeground, foregroundQuiet } from '../../server/http/foreground.ts';

/**
 * Background work waits for a quiet moment between requests (server/http/foreground.ts): while a
 * request is in flight a background step does not start, unless it has waited its longest.
 */
function slowApp() {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const app = express();
  app.use(countForeground);
  app.get('/slow', async (_request, response) => {
    await released;
    response.json({ ok: true });
  });
  return { app, release };
}

/** A request to a slow app, held in flight until released: a server that is never quiet meanwhile. */
async function requestInFlight() {
  const { app, release } = slowApp();
  // A supertest request is sent once awaited (then).
  const status = request(app)
    .get('/slow')
    .then((response) => response.status);
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { release, status };
}

const settledWithin = async (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

describe('background work gives way to requests', () => {
  it('starts at once when no request is in flight', async () => {
    const started = performance.now();
    await foregroundQuiet({ quietMs: 10, maxWaitMs: 5000 });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('waits while a request is in flight, and goes on once it has finished', async () => {
    const { release, status: inFlight } = await requestInFlight();
    const quiet = foregroundQuiet({ quietMs: 10, maxWaitMs: 10_000 });
    expect(await settledWithin(quiet, 300)).toBe(false);
    release();
    expect(await inFlight).toBe(200);
    expect(await settledWithin(quiet, 1000)).toBe(true);
  });

  it('does not wait longer than its longest wait on a server that is never quiet', async () => {
    const { release, status: inFlight } = await requestInFlight();
    const started = performance.now();
    await foregroundQuiet({ quietMs: 10, maxWaitMs: 200 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    release();
    expect(await inFlight).toBe(200);
  });

  it('paces a short job on a server that is never quiet: a step waits as long as the previous one took, times its factor', async () => {
    const { release, status: inFlight } = await requestInFlight();
    const pace = backgroundPace({ restFactor: 1, quietMs: 10 });
    let started = performance.now();
    await pace();
    // The first step has no previous one to wait for.
    expect(performance.now() - started).toBeLessThan(100);
    // A step of 150 ms.
    await new Promise((resolve) => setTimeout(resolve, 150));
    started = performance.now();
    await pace();
    const waited = performance.now() - started;
    // About as long as that step took: not foregroundQuiet's longest wait (2 s), which pushed a
    // map's slider answers out of the burst that started them.
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(1000);
    release();
    expect(await inFlight).toBe(200);
  });
});
