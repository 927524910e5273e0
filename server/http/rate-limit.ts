import type { Request, RequestHandler } from 'express';
import { HttpError } from './errors.ts';

/**
 * Fixed-window request counter per key (IP or user). In memory: one server process holds the
 * counts, which suits the embedded deployment; behind several processes put the limit in the proxy.
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
