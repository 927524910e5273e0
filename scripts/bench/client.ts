/**
 * The bench's HTTP side: a logged-in session against the real server (cookie + CSRF header, as
 * the dashboard sends them), timed requests that read the whole body, a runner that keeps a
 * fixed number of requests in flight, and percentiles.
 *
 * Timed requests go through node:http with a keep-alive agent, not fetch: the bench runs on the
 * same cores as the server and its database, and fetch (undici, WHATWG streams) spent 1.5–3 ms of
 * those cores per tile, a third of all the CPU a tile took (scripts/tmp probes, issue 18), which
 * the server's answers waited behind. A real map client runs on another machine. The body is
 * read whole and gunzipped, as a browser does.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';

export interface Timed {
  ms: number;
  status: number;
  bytes: number;
  body?: unknown;
}

/** What a timed request sends: a GET unless said, with the session's headers and a JSON body for writes. */
interface RequestSpec {
  method?: string;
  headers: Record<string, string>;
  body?: string;
}

export class ApiSession {
  private constructor(
    readonly baseUrl: string,
    readonly cookie: string,
    private readonly csrfToken: string,
  ) {}

  static async logIn(baseUrl: string, username: string, password: string): Promise<ApiSession> {
    const response = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (response.status !== 200) throw new Error(`login of ${username} failed: ${response.status} ${await response.text()}`);
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    const cookie = response.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    return new ApiSession(baseUrl, cookie, csrfToken);
  }

  /** GET, timed until the last byte; `keepBody` parses JSON for checks. */
  get(path: string, keepBody = false): Promise<Timed> {
    return this.timed(path, { headers: { cookie: this.cookie } }, keepBody);
  }

  post(path: string, body: unknown, keepBody = false): Promise<Timed> {
    return this.timed(
      path,
      {
        method: 'POST',
        headers: { cookie: this.cookie, 'x-csrf-token': this.csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
      keepBody,
    );
  }

  private async timed(path: string, init: RequestSpec, keepBody: boolean): Promise<Timed> {
    const started = performance.now();
    const { status, body: bytes } = await httpRequest(this.baseUrl + path, init);
    const ms = performance.now() - started;
    const body = keepBody && bytes.byteLength > 0 ? JSON.parse(bytes.toString('utf8')) : undefined;
    return { ms, status, bytes: bytes.byteLength, body };
  }
}

/** Connections kept open between requests, as fetch keeps them; enough for every lane of underLoad. */
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One request; the whole body read and, if gzipped, unzipped. */
function httpRequest(url: string, { method = 'GET', headers, body }: RequestSpec): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent: keepAlive, headers: { 'accept-encoding': 'gzip', ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: response.statusCode ?? 0, body: response.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

export interface LoadResult {
  results: Timed[];
  /** Wall-clock seconds from the first request sent to the last answer read. */
  seconds: number;
}

/** Runs `count` tasks keeping `concurrency` of them in flight. */
export async function underLoad(count: number, concurrency: number, task: (index: number) => Promise<Timed>): Promise<LoadResult> {
  const results: Timed[] = new Array(count);
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    for (let index = next++; index < count; index = next++) results[index] = await task(index);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { results, seconds: (performance.now() - started) / 1000 };
}

export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

/** Nearest-rank percentiles, rounded to 0.1 ms. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (share: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))] ?? NaN;
  const round = (value: number) => Math.round(value * 10) / 10;
  return { n: sorted.length, p50: round(rank(0.5)), p95: round(rank(0.95)), max: round(sorted.at(-1) ?? NaN) };
}

/** Statuses other than the expected ones, e.g. { "500": 2 }; empty when all went well. */
export function unexpectedStatuses(results: readonly Timed[], expected: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) if (!expected.includes(result.status)) counts[result.status] = (counts[result.status] ?? 0) + 1;
  return counts;
}
