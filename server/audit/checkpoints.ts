import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { DB } from '../db/schema.ts';
import { logger } from '../logger.ts';
import { auditKeyFor, hmacHex } from './key.ts';
import { chainHead, ensureAuditDatabaseId, hashesAt } from './repository.ts';

/**
 * Keyed checkpoints of the audit chain's head, kept OUTSIDE the database (a JSON-lines file
 * under DATA_DIR, offered to the auditor as a download). Whoever can delete rows from the
 * database cannot also take back what the file already says, and without the key cannot forge
 * a line: so truncation and deletion of the newest rows show when verify compares the two.
 * Each line names the database it was taken of (its audit_database_id setting), so a server
 * pointed at another database with the same DATA_DIR judges that database by its own lines only.
 */
export const CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

export interface Checkpoint {
  /** The database's identity; absent on lines written before checkpoints named their database (they count for any). */
  database?: string;
  /** When it was taken (ISO 8601). */
  at: string;
  /** The highest chain_seq at that moment (= rows in an intact chain). */
  seq: number;
  /** That row's hash ('genesis' for an empty log). */
  head: string;
  /** HMAC-SHA256 of 'database-checkpoint|database|at|seq|head' (older lines: 'checkpoint|at|seq|head') with the audit key. */
  mac: string;
}

export const checkpointPath = (config: Config) => path.join(config.dataDir, CHECKPOINT_FILE);

function checkpointMac(key: Buffer, point: Omit<Checkpoint, 'mac'>): string {
  // Two tags, so no line of one form verifies as a line of the other.
  if (point.database === undefined) return hmacHex(key, `checkpoint|${point.at}|${point.seq}|${point.head}`);
  return hmacHex(key, `database-checkpoint|${point.database}|${point.at}|${point.seq}|${point.head}`);
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
    const { database, at, seq, head, mac } = value;
    if (typeof at === 'string' && Number.isSafeInteger(seq) && typeof head === 'string' && typeof mac === 'string') {
      if (typeof database === 'string') return { database, at, seq: seq!, head, mac };
      if (database === undefined) return { at, seq: seq!, head, mac };
    }
  } catch {
    // a torn or edited line: counted as invalid by the caller
  }
  return undefined;
}

/**
 * The checkpoints that judge this database: its own and those older lines that name none; the
 * others (another database once served from this DATA_DIR) are only counted.
 */
export function checkpointsOfDatabase(points: Checkpoint[], database: string | undefined): { own: Checkpoint[]; otherDatabases: number } {
  const own = points.filter((point) => point.database === undefined || point.database === database);
  return { own, otherDatabases: points.length - own.length };
}

/** The checkpoint of the highest chain_seq (the later line on a tie). */
export const latestCheckpoint = (points: Checkpoint[]) =>
  points.reduce<Checkpoint | undefined>((latest, point) => (!latest || point.seq >= latest.seq ? point : latest), undefined);

export type CheckpointOutcome = 'written' | 'unchanged' | 'refused';

/**
 * Appends a checkpoint of the current head, unless the head has not moved since the last one.
 * Refuses (and logs) when the database no longer holds the last checkpoint's row as recorded:
 * a checkpoint of a truncated or cut-back log would make the loss look like the normal state.
 */
export async function writeAuditCheckpoint(db: Kysely<DB>, config: Config, now = new Date()): Promise<CheckpointOutcome> {
  const database = await ensureAuditDatabaseId(db);
  const current = await chainHead(db);
  const last = latestCheckpoint(checkpointsOfDatabase(readCheckpoints(config).valid, database).own);
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
  const point = { database, at: now.toISOString(), ...current };
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
