import { describe, expect, it } from 'vitest';
import { sharedRead } from '../../server/db/shared-read.ts';

/** A read whose answers the test releases by hand: each read answers the number of writes it saw. */
function manualReads() {
  let writes = 0;
  const pending: { key: string; resolve: (value: string) => void; reject: (error: Error) => void; writesSeen: number }[] = [];
  const readOne = (key: string) =>
    new Promise<string>((resolve, reject) => {
      pending.push({ key, resolve, reject, writesSeen: writes });
    });
  const finishOldest = async () => {
    const oldest = pending.shift();
    if (!oldest) throw new Error('no read under way');
    oldest.resolve(`${oldest.key}:${oldest.writesSeen}`);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { readOne, pending, finishOldest, write: () => void writes++ };
}

describe('sharedRead', () => {
  it('starts a read at once when none is under way', async () => {
    const reads = manualReads();
    const read = sharedRead(reads.readOne);
    const answer = read('a');
    expect(reads.pending).toHaveLength(1);
    await reads.finishOldest();
    await expect(answer).resolves.toBe('a:0');
  });

  it('never hands a caller a read that began before it asked: callers arriving meanwhile share the next one', async () => {
    const reads = manualReads();
    const read = sharedRead(reads.readOne);
    const first = read('a');
    reads.write(); // acknowledged before the next callers ask: they must see it
    const second = read('a');
    const third = read('a');
    expect(reads.pending).toHaveLength(1);
    await reads.finishOldest();
    await expect(first).resolves.toBe('a:0');
    expect(reads.pending).toHaveLength(1);
    await reads.finishOldest();
    await expect(second).resolves.toBe('a:1');
    await expect(third).resolves.toBe('a:1');
    expect(reads.pending).toHaveLength(0);
  });

  it('keeps keys apart', async () => {
    const reads = manualReads();
    const read = sharedRead(reads.readOne);
    const a = read('a');
    const b = read('b');
    expect(reads.pending.map((pending) => pending.key)).toEqual(['a', 'b']);
    await reads.finishOldest();
    await reads.finishOldest();
    await expect(a).resolves.toBe('a:0');
    await expect(b).resolves.toBe('b:0');
  });

  it('gives a failed read to its own callers only; the callers waiting read again', async () => {
    const reads = manualReads();
    const read = sharedRead(reads.readOne);
    const failing = read('a');
    const waiting = read('a');
    reads.pending.shift()?.reject(new Error('connection lost'));
    await expect(failing).rejects.toThrow('connection lost');
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads.pending).toHaveLength(1);
    await reads.finishOldest();
    await expect(waiting).resolves.toBe('a:0');
  });

  it('forgets a key once nothing reads it', async () => {
    const reads = manualReads();
    const read = sharedRead(reads.readOne);
    const first = read('a');
    await reads.finishOldest();
    await first;
    reads.write();
    const later = read('a');
    expect(reads.pending).toHaveLength(1);
    await reads.finishOldest();
    await expect(later).resolves.toBe('a:1');
  });
});
