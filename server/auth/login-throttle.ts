/**
 * Slows password guessing without locking anyone out (issue 14, item 8).
 *
 * Failures are counted under two keys: the username as typed together with the client address,
 * and the address alone. Past a few free failures each key must wait before its next attempt, the
 * wait doubling with every further failure up to a cap. The username is taken as typed, whether
 * or not such an account exists, so known and unknown usernames answer alike; and failures from
 * an attacker's address never slow the owner logging in from another one.
 *
 * In memory, per process: the state is small and short-lived (forgotten after a quiet spell), a
 * restart only forgives some waiting (every guess still costs an argon2id hash), and keeping it
 * out of the database means a flood of failures for made-up usernames writes no rows. Behind
 * several server processes each keeps its own counts, which multiplies an attacker's budget by
 * the number of processes: put the login limit in the proxy as well then.
 */

export interface BackoffSettings {
  /** Failures of one username from one address before the first wait. */
  freeFailuresPerAccount: number;
  /** Failures from one address (any usernames) before the first wait: higher, offices share an address. */
  freeFailuresPerAddress: number;
  firstSeconds: number;
  maxSeconds: number;
  /** A key with no failure for this long is forgotten. */
  forgetAfterSeconds: number;
  /** Keys kept at most; the least recently failed are dropped first. */
  maxKeys: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = {
  freeFailuresPerAccount: 3,
  freeFailuresPerAddress: 30,
  firstSeconds: 1,
  maxSeconds: 300,
  forgetAfterSeconds: 3600,
  maxKeys: 100_000,
};

interface Failures {
  count: number;
  lastAt: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly settings: BackoffSettings = DEFAULT_BACKOFF,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds this attempt must still wait (0: it may go ahead). */
  waitSeconds(username: string, address: string): number {
    const waits = [
      this.waitOf(accountKey(username, address), this.settings.freeFailuresPerAccount),
      this.waitOf(addressKey(address), this.settings.freeFailuresPerAddress),
    ];
    return Math.max(...waits);
  }

  failed(username: string, address: string): void {
    for (const key of [accountKey(username, address), addressKey(address)]) this.count(key);
  }

  /** The owner got in from this address: their own earlier typos stop counting there. */
  succeeded(username: string, address: string): void {
    this.failures.delete(accountKey(username, address));
  }

  private waitOf(key: string, freeFailures: number): number {
    const entry = this.current(key);
    if (!entry || entry.count < freeFailures) return 0;
    const delayMs = Math.min(this.settings.maxSeconds, this.settings.firstSeconds * 2 ** (entry.count - freeFailures)) * 1000;
    const remainingMs = entry.lastAt + delayMs - this.now();
    return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
  }

  private current(key: string): Failures | undefined {
    const entry = this.failures.get(key);
    if (entry && this.now() - entry.lastAt > this.settings.forgetAfterSeconds * 1000) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }

  private count(key: string): void {
    const count = (this.current(key)?.count ?? 0) + 1;
    // Re-inserted so the map's order is least recently failed first.
    this.failures.delete(key);
    this.failures.set(key, { count, lastAt: this.now() });
    if (this.failures.size > this.settings.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }
}

const accountKey = (username: string, address: string) => `account:${address}:${username}`;
const addressKey = (address: string) => `address:${address}`;
