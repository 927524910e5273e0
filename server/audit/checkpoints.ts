import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { DB } from '../db/schema.ts';
import { logger } from '../logger.ts';
import { auditKeyFor, hmacHex } from './key.ts';
import { chainHead, hashesAt } from './repository.ts';

/**
 * Keyed checkpoints of the audit chain's head, kept OUTSIDE the database (a JSON-lines file
 * under DATA_DIR, offered to the auditor as a download). Whoever can delete rows from the
 * database cannot also take back what the file already says, and without the key cannot forge
 * a line: so truncation and deletion of the newest rows show when verify compares the two.
 */
export const CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

export interface Checkpoint {
  /** When it was taken (ISO 8601). */
  at: string;
  /** The highest chain_seq at that moment (= rows in an intact chain). */
  seq: number;
  /** That row's hash ('genesis' for an empty log). */
  head: string;
  /** HMAC-SHA256 of 'checkpoint|at|seq|head' with the audit key. */
  mac: string;
}

export const checkpointPath = (config: Config) => path.join(config.dataDir, CHECKPOINT_FILE);

function checkpointMac(key: Buffer, point: Omit<Checkpoint, 'mac'>): string {
  return hmacHex(key, `checkpoint|${point.at}|${point.seq}|${point.head}`);
}

/** The file's checkpoints whose mac verifies, in file order, and how many lines did not. */
export function readCheckpoints(config: Config): { valid: Checkpoint[]; invalid: number } {
  const file = checkpointPath(config);
  if (!fs.existsSync(file)) return { valid: [], invalid: 0 };
  const key = auditKeyFor(config);
  const valid: Checkpoint[] = [];
  let invalid = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const point = parseCheckpoint(line);
    if (point && point.mac === checkpointMac(key, point)) valid.push(point);
    else invalid += 1;
  }
  return { valid, invalid };
}

function parseCheckpoint(line: string): Checkpoint | undefined {
  try {
    const value = JSON.parse(line) as Partial<Checkpoint>;
    if (typeof value.at === 'string' && Number.isSafeInteger(value.seq) && typeof value.head === 'string' && typeof value.mac === 'string') {
      return { at: value.at, seq: value.seq!, head: value.head, mac: value.mac };
    }
  } catch {
    // a torn or edited line: counted as invalid by the caller
  }
  return undefined;
}

export type CheckpointOutcome = 'written' | 'unchanged' | 'refused';

/**
 * Appends a checkpoint of the current head, unless the head has not moved since the last one.
 * Refuses (and logs) when the database no longer holds the last checkpoint's row as recorded:
 * a checkpoint of a truncated or cut-back log would make the loss look like the normal state.
 */
export async function writeAuditCheckpoint(db: Kysely<DB>, config: Config, now = new Date()): Promise<CheckpointOutcome> {
  const current = await chainHead(db);
  const last = readCheckpoints(config).valid.reduce<Checkpoint | undefined>(
    (latest, point) => (!latest || point.seq >= latest.seq ? point : latest),
    undefined,
  );
  if (last) {
    const stored = (await hashesAt(db, [last.seq])).get(last.seq);
    if (last.seq > 0 && stored !== last.head) {
      logger.error('audit log lost or replaced rows recorded by the last checkpoint; no new checkpoint written', {
        checkpointSeq: last.seq,
        headSeq: current.seq,
      });
      return 'refused';
    }
    if (last.seq === current.seq) return 'unchanged';
  }
  const point = { at: now.toISOString(), ...current };
  appendDurably(checkpointPath(config), `${JSON.stringify({ ...point, mac: checkpointMac(auditKeyFor(config), point) })}\n`);
  return 'written';
}

function appendDurably(file: string, line: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const descriptor = fs.openSync(file, 'a', 0o600);
  try {
    fs.writeSync(descriptor, line);
    fs.fsyncSync(descriptor);
  } finally {
    fs.closeSync(descriptor);
  }
}

/** Checkpoints now and every AUDIT_CHECKPOINT_SECONDS; stop() takes a last one (at shutdown). */
export function startAuditCheckpoints(db: Kysely<DB>, config: Config): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const take = () => {
    running = running
      .then(() => writeAuditCheckpoint(db, config))
      .catch((error: unknown) => logger.error('audit checkpoint failed', { error: error instanceof Error ? error.message : String(error) }));
    return running;
  };
  void take();
  const timer = setInterval(take, config.auditCheckpointSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await take();
    },
  };
}
