import type { Request, RequestHandler } from 'express';
import { HttpError } from './errors.ts';

/**
 * Fixed-window request counter per key, for login attempts per address. In memory: one server
 * process holds the counts, which suits the embedded deployment; behind several processes put
 * the limit in the proxy.
 */
export class RateLimiter {
  private windowStartedAt: number;
  private counts = new Map<string, number>();

  constructor(
    readonly limitPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.windowStartedAt = now();
  }

  /** Counts one request; returns the seconds to wait when over the limit, else 0. */
  hit(key: string): number {
    const now = this.now();
    if (now - this.windowStartedAt >= 60_000) {
      this.windowStartedAt = now;
      this.counts.clear();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    if (count <= this.limitPerMinute) return 0;
    return Math.ceil((this.windowStartedAt + 60_000 - now) / 1000);
  }
}

export function rateLimit(limiter: RateLimiter, keyOf: (request: Request) => string | undefined, what: string): RequestHandler {
  return (request, response, next) => {
    const key = keyOf(request);
    const retryAfter = key === undefined ? 0 : limiter.hit(key);
    if (retryAfter > 0) {
      response.set('Retry-After', String(retryAfter));
      throw new HttpError(429, 'rate_limited', `Too many requests ${what}: at most ${limiter.limitPerMinute} a minute`);
    }
    next();
  };
}

/**
 * What one request costs against the budgets below, by the work behind it: a vector tile, an OGC
 * page or a cached heatmap is cheap; a drill-down or a write is audited work done for one person;
 * an export or import reads or writes a whole area.
 */
export const REQUEST_COSTS = { cheap: 1, normal: 5, audited: 20, bulk: 100 } as const;
export type CostClass = keyof typeof REQUEST_COSTS;

const COST_MEANINGS: Record<CostClass, string> = {
  cheap: 'a tile, OGC page, cached heatmap or health check',
  normal: 'a query',
  audited: 'an audited person read or a write',
  bulk: 'an export, import or recomputation',
};

/**
 * A token bucket per key: it holds at most `pointsPerMinute` points and refills at that rate,
 * so a client may spend a minute's budget in a burst but not more than it per minute on average.
 * In memory, like the login limiter: behind several processes, put the limits in the proxy.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { points: number; at: number }>();
  private sweptAt: number;

  constructor(
    readonly pointsPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sweptAt = now();
  }

  /** Takes `cost` points from `key`'s bucket; when it holds fewer, takes nothing and returns the seconds until it will, else 0. */
  take(key: string, cost: number): number {
    const now = this.now();
    this.forgetFullBuckets(now);
    // A cost above the whole budget would never fit: it then needs a full bucket.
    const needed = Math.min(cost, this.pointsPerMinute);
    const points = this.pointsOf(key, now);
    if (points < needed) {
      this.buckets.set(key, { points, at: now });
      return Math.max(1, Math.ceil(((needed - points) * 60) / this.pointsPerMinute));
    }
    this.buckets.set(key, { points: points - needed, at: now });
    return 0;
  }

  private pointsOf(key: string, now: number): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.pointsPerMinute;
    return Math.min(this.pointsPerMinute, bucket.points + ((now - bucket.at) * this.pointsPerMinute) / 60_000);
  }

  /** A bucket left alone for a minute is full, the same as none: forgotten, so rotating keys cannot fill memory. */
  private forgetFullBuckets(now: number): void {
    if (now - this.sweptAt < 60_000) return;
    this.sweptAt = now;
    for (const [key, bucket] of this.buckets) if (now - bucket.at >= 60_000) this.buckets.delete(key);
  }
}

/** Charges routes to the caller's address (before login is checked) and to the logged-in user. */
export interface RequestBudgets {
  byAddress(cost: CostClass): RequestHandler;
  byUser(cost: CostClass): RequestHandler;
}

export function requestBudgets(limits: { ipPerMinute: number; userPerMinute: number }, now: () => number = Date.now): RequestBudgets {
  const addresses = new TokenBuckets(limits.ipPerMinute, now);
  const users = new TokenBuckets(limits.userPerMinute, now);
  return {
    byAddress: (cost) => charge(addresses, cost, 'address', (request) => request.ip),
    byUser: (cost) => charge(users, cost, 'user', (request) => (request.principal ? String(request.principal.userId) : undefined)),
  };
}

function charge(buckets: TokenBuckets, costClass: CostClass, budget: 'address' | 'user', keyOf: (request: Request) => string | undefined): RequestHandler {
  const cost = REQUEST_COSTS[costClass];
  return (request, response, next) => {
    const key = keyOf(request);
    const retryAfter = key === undefined ? 0 : buckets.take(key, cost);
    if (retryAfter > 0) {
      response.set('Retry-After', String(retryAfter));
      const who = budget === 'user' ? 'this user' : 'this address';
      throw new HttpError(
        429,
        'rate_limited',
        `Too many requests: the budget of ${who} is ${buckets.pointsPerMinute} points a minute and this request costs ${cost} (${costClass}: ${COST_MEANINGS[costClass]}); try again in ${retryAfter} s`,
        { budget, pointsPerMinute: buckets.pointsPerMinute, costClass, cost, retryAfterSeconds: retryAfter },
      );
    }
    next();
  };
}
