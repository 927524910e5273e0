import type { RequestHandler } from 'express';

/**
 * Background work gives way to requests (issue 18). The server builds answers and tiles ahead in
 * the background (the time slider's answers, the building tiles, the grid and area tiles); on two
 * cores each of those steps took the CPU from requests in flight: the first map of a leader
 * started 37 slider answers (15–25 ms of the server's thread each) beside the 8 whole-city maps
 * in flight, whose p95 then doubled. So a background job waits, between its steps,
 * until no request has been in flight for a moment: building ahead is for the quiet between
 * requests. It never waits longer than `maxWaitMs`, so a server busy without pause still builds.
 *
 * A short job a request started (a map's slider answers, for the slides that follow) paces itself
 * instead (backgroundPace): on a server that is never quiet it waits a share of the time its last
 * step took, not `maxWaitMs`; long jobs of the whole city (building tiles, the shape pyramid)
 * still give way fully. Waiting 2 s a step pushed a map's 37 slider answers out of the burst that
 * started them into the next requests, which then built them themselves (slider p95 45 → 195–241
 * ms in the bench once its client was lighter): most of the thread for a few seconds is the better
 * price.
 *
 * Per process (the CPU is the process's), so one count for every app in it.
 */
let inFlight = 0;
// Monotonic time: a wall clock can jump (or be faked by a test).
let lastFinishedAt = 0;

/** Counts each request from its start until its response is finished or its connection closed. */
export const countForeground: RequestHandler = (_request, response, next) => {
  inFlight += 1;
  let counted = true;
  const done = () => {
    if (!counted) return;
    counted = false;
    inFlight -= 1;
    lastFinishedAt = performance.now();
  };
  response.once('finish', done);
  response.once('close', done);
  next();
};

/** How long a background step waits at most, and how long no request must have been in flight. */
export interface QuietOptions {
  quietMs?: number;
  maxWaitMs?: number;
}

const DEFAULT_QUIET_MS = 20;
const DEFAULT_MAX_WAIT_MS = 2000;

/** Resolves once no request has been in flight for `quietMs`, or after `maxWaitMs`. */
export async function foregroundQuiet({ quietMs = DEFAULT_QUIET_MS, maxWaitMs = DEFAULT_MAX_WAIT_MS }: QuietOptions = {}): Promise<void> {
  const deadline = performance.now() + maxWaitMs;
  // Requests that arrived meanwhile are accepted (and counted) first.
  await new Promise((resolve) => setImmediate(resolve));
  for (;;) {
    const quietFor = performance.now() - lastFinishedAt;
    if (inFlight === 0 && quietFor >= quietMs) return;
    const now = performance.now();
    if (now >= deadline) return;
    const wait = inFlight === 0 ? quietMs - quietFor : quietMs;
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, deadline - now)));
  }
}

/** Under continuous load, a paced job's step waits this many times the previous step's time (two thirds of the thread, for a few seconds). */
const DEFAULT_REST_FACTOR = 0.5;

/**
 * A job's pace, one per pass: call it before each step. It waits for a quiet moment, but while
 * requests never pause no longer than `restFactor` times the previous step took (from the end of
 * the previous wait to this call), and never longer than foregroundQuiet's longest wait.
 */
export function backgroundPace({ restFactor = DEFAULT_REST_FACTOR, quietMs }: { restFactor?: number; quietMs?: number } = {}): () => Promise<void> {
  let stepStartedAt: number | undefined;
  return async () => {
    const lastStepMs = stepStartedAt === undefined ? 0 : performance.now() - stepStartedAt;
    await foregroundQuiet({ quietMs, maxWaitMs: Math.min(DEFAULT_MAX_WAIT_MS, restFactor * lastStepMs) });
    stepStartedAt = performance.now();
  };
}
