import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, LoginThrottle } from '../../server/auth/login-throttle.ts';

/** The login backoff (issue 14, item 8) on a clock the test moves. */
function throttleAt(start = 0) {
  const clock = { now: start };
  const throttle = new LoginThrottle(DEFAULT_BACKOFF, () => clock.now);
  return { clock, throttle };
}

function failTimes(throttle: LoginThrottle, times: number, username = 'police', address = '10.0.0.9') {
  for (let index = 0; index < times; index += 1) throttle.failed(username, address);
}

describe('login backoff', () => {
  it('lets three failures through, then waits 1 s, doubling to a 5-minute cap', () => {
    const { clock, throttle } = throttleAt();
    failTimes(throttle, 2);
    expect(throttle.waitSeconds('police', '10.0.0.9')).toBe(0);
    const waits: number[] = [];
    for (let failure = 3; failure <= 13; failure += 1) {
      throttle.failed('police', '10.0.0.9');
      waits.push(throttle.waitSeconds('police', '10.0.0.9'));
      clock.now += waits.at(-1)! * 1000;
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
    expect(throttle.waitSeconds('police', '10.0.0.9')).toBe(0);
  });

  it('counts the username as typed whether or not it exists, and per address', () => {
    const { throttle } = throttleAt();
    failTimes(throttle, 3, 'no.such.user');
    failTimes(throttle, 3, 'police');
    expect(throttle.waitSeconds('no.such.user', '10.0.0.9')).toBe(throttle.waitSeconds('police', '10.0.0.9'));
    // The owner's own address is not slowed by failures from the attacker's.
    expect(throttle.waitSeconds('police', '10.0.0.1')).toBe(0);
  });

  it('slows an address trying many usernames after 30 failures', () => {
    const { throttle } = throttleAt();
    for (let index = 0; index < 29; index += 1) throttle.failed(`user${index}`, '10.0.0.9');
    expect(throttle.waitSeconds('someone.new', '10.0.0.9')).toBe(0);
    throttle.failed('user29', '10.0.0.9');
    expect(throttle.waitSeconds('someone.new', '10.0.0.9')).toBe(1);
    expect(throttle.waitSeconds('someone.new', '10.0.0.10')).toBe(0);
  });

  it('forgets the owner’s typos at that address once they get in, and everything after a quiet hour', () => {
    const { clock, throttle } = throttleAt();
    failTimes(throttle, 3);
    throttle.succeeded('police', '10.0.0.9');
    expect(throttle.waitSeconds('police', '10.0.0.9')).toBe(0);
    failTimes(throttle, 30, 'other');
    clock.now += 3601_000;
    expect(throttle.waitSeconds('other', '10.0.0.9')).toBe(0);
  });

  it('keeps at most maxKeys keys, dropping the least recently failed', () => {
    const clock = { now: 0 };
    const throttle = new LoginThrottle({ ...DEFAULT_BACKOFF, maxKeys: 4, freeFailuresPerAccount: 1, freeFailuresPerAddress: 100 }, () => clock.now);
    throttle.failed('a', '10.0.0.1');
    throttle.failed('b', '10.0.0.2');
    throttle.failed('c', '10.0.0.3');
    expect(throttle.waitSeconds('a', '10.0.0.1')).toBe(0);
    expect(throttle.waitSeconds('c', '10.0.0.3')).toBe(1);
  });
});
