/**
 * The real application, started as `npm start` starts it (tsx server/main.ts) in a process of its
 * own, so the bench's client and the server do not share an event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunningApp {
  url: string;
  stop(): Promise<void>;
}

/**
 * The bench measures the server, not the abuse limits: per-IP and per-user limits are raised
 * (the bench's thousands of requests a minute come from one address and two users).
 */
export async function startApp(databaseUrl: string): Promise<RunningApp> {
  const port = await freePort();
  // BENCH_SERVER_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server under the bench's load.
  const nodeFlags = process.env.BENCH_SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      // BENCH_SERVER_STDERR=all also passes its info lines (background work with timestamps).
      RENWU_QUIET: process.env.BENCH_SERVER_STDERR === 'all' ? '0' : '1',
      RATE_LIMIT_IP_PER_MINUTE: '10000000',
      RATE_LIMIT_USER_PER_MINUTE: '10000000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const errors: string[] = [];
  // BENCH_SERVER_STDERR=1 passes the server's standard error through (its warnings, or probes added while tracing).
  if (process.env.BENCH_SERVER_STDERR) child.stderr?.pipe(process.stderr);
  child.stderr?.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(url, child, errors);
    await waitUntilWarm(url);
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return { url, stop: () => stop(child) };
}

async function waitUntilServing(url: string, child: ChildProcess, errors: string[]): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${errors.join('').slice(-2000)}`);
    try {
      // The OpenAPI document is public and touches no table: a readiness probe that costs nothing.
      const response = await fetch(`${url}/api/openapi.json`);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server did not answer within 3 minutes: ${errors.join('').slice(-2000)}`);
}

/**
 * The bench measures a running server, not its start: it waits until the server's start-up work
 * (the time slider's month-ends, computed as it starts: /api/health `keptFigures`; the grid and
 * area tiles rendered ahead for the current shapes and the building tiles, kept in the database
 * across restarts: `keptTiles`, `keptBuildingTiles`) is done, as a server in service has long done it. Says how long that took.
 */
type KeptTiles = { state: string; tiles: number; of: number };
/** The first start on a city renders its whole pyramid of shape tiles and its building tiles (minutes at Shenzhen scale). */
const WARM_DEADLINE_MS = 15 * 60_000;
async function waitUntilWarm(url: string): Promise<void> {
  const started = Date.now();
  const deadline = started + WARM_DEADLINE_MS;
  while (Date.now() < deadline) {
    const health = (await (await fetch(`${url}/api/health`)).json()) as { keptFigures?: string; keptTiles?: KeptTiles; keptBuildingTiles?: KeptTiles };
    if (health.keptFigures === 'kept' && health.keptTiles?.state === 'kept' && health.keptBuildingTiles?.state === 'kept') {
      const tiles = `${health.keptTiles.of} grid and area tiles and ${health.keptBuildingTiles.of} building tiles rendered ahead`;
      process.stderr.write(`server warm (time slider months kept, ${tiles}) ${((Date.now() - started) / 1000).toFixed(1)} s after it answered\n`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server did not keep the time slider months and the shape and building tiles within ${WARM_DEADLINE_MS / 60_000} minutes of starting`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
