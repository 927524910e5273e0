import fs from 'node:fs';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointPath, readCheckpoints, startAuditCheckpoints, writeAuditCheckpoint } from '../../server/audit/checkpoints.ts';
import { chainHead } from '../../server/audit/repository.ts';
import { AUDIT_KEY_FILE, auditKeyFor, hmacHex, hmacPads } from '../../server/audit/key.ts';
import { linkPending } from '../../server/audit/sequencer.ts';
import { recordAudit, verifyAuditTrail } from '../../server/audit/service.ts';
import { readConfig } from '../../server/config.ts';
import type { DB } from '../../server/db/schema.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { openTestDatabase, TEST_AUDIT_HMAC_KEY } from '../helpers/database.ts';
import { insertUser } from '../helpers/fixture-city.ts';

/**
 * The audit chain is keyed (HMAC with a key from the environment, never in the database) and its
 * head is checkpointed to a file outside the database, so that a re-chained row, a truncation or
 * deleted newest rows are named by verify (engine-neutral part; the PostgreSQL roles and the five
 * attacks are in audit-tamper-postgres.test.ts).
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await insertUser(t.handle.db, 'auditor', 'auditor');
});
afterAll(async () => t?.close());

const db = () => t.handle.db;
const TEST_PADS = hmacPads(Buffer.from(TEST_AUDIT_HMAC_KEY, 'utf8'));
/** Gives a session back the test key's pads after a test took them away or replaced them. */
const restoreKey = sql`SELECT set_config('renwu.audit_ikey', ${TEST_PADS.inner}, false), set_config('renwu.audit_okey', ${TEST_PADS.outer}, false)`;
/** Appends rows and lets the sequencer link them, as the server does within AUDIT_LINK_INTERVAL_MS. */
async function record(count: number, database: Kysely<DB> = db()) {
  await Promise.all(
    Array.from({ length: count }, (_, index) => recordAudit(database, undefined, { action: 'read', targetType: 'person', targetId: index, purpose: '核查' })),
  );
  await linkPending(database);
}
const verify = () => verifyAuditTrail(db(), t.context.config);
/** As a superuser or owner going around the application (PGlite's one user is both). */
async function asOwnerWithoutTriggers(statement: ReturnType<typeof sql>, database: Kysely<DB> = db()) {
  await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(database);
  try {
    await statement.execute(database);
  } finally {
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(database);
  }
}

describe('the keyed audit chain', () => {
  it('hashes each row with HMAC-SHA256 under the configured key, and verifies', async () => {
    await record(5);
    const rows = await sql<{ chain_seq: number; hash: string; message: string }>`
      SELECT chain_seq, hash, audit_row_message(prev_hash, a) AS message FROM audit_log a ORDER BY chain_seq`.execute(db());
    expect(rows.rows).toHaveLength(5);
    for (const row of rows.rows) expect(row.hash).toBe(hmacHex(Buffer.from(TEST_AUDIT_HMAC_KEY, 'utf8'), row.message));
    expect(await verify()).toMatchObject({ ok: true, rows: 5, firstBrokenSeq: null, headSeq: 5, missingTail: null });
  });

  it('refuses to append from a session that does not hold the key', async () => {
    await db()
      .connection()
      .execute(async (session) => {
        await sql`SELECT set_config('renwu.audit_ikey', '', false), set_config('renwu.audit_okey', '', false)`.execute(session);
        try {
          await expect(sql`INSERT INTO audit_log (action, target_type) VALUES ('forged', 'person')`.execute(session)).rejects.toThrow(/audit key is not set/);
        } finally {
          await restoreKey.execute(session);
        }
      });
    expect(await verify()).toMatchObject({ ok: true, rows: 5 });
  });

  it('names the first row re-chained with another key (or with the old unkeyed digest)', async () => {
    const original = await sql<{ id: number; prev_hash: string; hash: string }>`SELECT id, prev_hash, hash FROM audit_log ORDER BY chain_seq`.execute(db());
    await db()
      .connection()
      .execute(async (session) => {
        await sql`SELECT set_config('renwu.audit_ikey', repeat('36', 64), false), set_config('renwu.audit_okey', repeat('5c', 64), false)`.execute(session);
        try {
          await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(session);
          await sql`UPDATE audit_log SET purpose = '篡改' WHERE chain_seq = 3`.execute(session);
          // Re-chain from row 3 on with the wrong key, in order, as a forger would.
          for (const seq of [3, 4, 5]) {
            await sql`UPDATE audit_log a SET prev_hash = p.hash, hash = audit_row_digest(p.hash, a)
            FROM audit_log p WHERE a.chain_seq = ${seq} AND p.chain_seq = ${seq - 1}`.execute(session);
          }
          await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(session);
        } finally {
          await restoreKey.execute(session);
        }
      });
    expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: 3 });
    // The unkeyed digest of sql/0001 fares no better.
    await asOwnerWithoutTriggers(
      sql`UPDATE audit_log SET hash = encode(sha256(convert_to(audit_row_message(prev_hash, audit_log), 'UTF8')), 'hex') WHERE chain_seq = 2`,
    );
    expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    for (const row of original.rows) {
      await asOwnerWithoutTriggers(sql`UPDATE audit_log SET prev_hash = ${row.prev_hash}, hash = ${row.hash}, purpose = '核查' WHERE id = ${row.id}`);
    }
    expect(await verify()).toMatchObject({ ok: true, rows: 5 });
  });
});

describe('checkpoints outside the database', () => {
  it('writes a keyed checkpoint of the head to a file under DATA_DIR only when the head moved', async () => {
    const config = t.context.config;
    expect(await writeAuditCheckpoint(db(), config, new Date('2026-12-01T00:00:00Z'))).toBe('written');
    expect(await writeAuditCheckpoint(db(), config)).toBe('unchanged');
    const file = checkpointPath(config);
    expect(path.dirname(file)).toBe(config.dataDir);
    const { valid, invalid } = readCheckpoints(config);
    expect(invalid).toBe(0);
    expect(valid).toEqual([expect.objectContaining({ at: '2026-12-01T00:00:00.000Z', seq: 5 })]);
    const head = await sql<{ hash: string }>`SELECT hash FROM audit_log WHERE chain_seq = 5`.execute(db());
    expect(valid[0]!.head).toBe(head.rows[0]!.hash);
  });

  it('offers the checkpoint file to the auditor as a download', async () => {
    // Logging in is audited too: checkpoint the head as it is after that.
    const auditor = await t.logIn('auditor');
    await writeAuditCheckpoint(db(), t.context.config);
    const head = await chainHead(db());
    const response = await auditor
      .get('/api/audit/checkpoints')
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => done(null, text));
      })
      .expect(200);
    expect(response.headers['content-disposition']).toContain('audit-checkpoints.jsonl');
    expect(response.body).toBe(fs.readFileSync(checkpointPath(t.context.config), 'utf8'));
    const verified = (await auditor.get('/api/audit/verify').expect(200)).body;
    expect(verified).toMatchObject({ ok: true, missingTail: null, checkpoints: { invalid: 0, latest: { seq: head.seq } } });
  });

  it('ignores and counts a checkpoint line not made with the key', async () => {
    const file = checkpointPath(t.context.config);
    const before = fs.readFileSync(file, 'utf8');
    fs.appendFileSync(
      file,
      `${JSON.stringify({ at: '2026-12-02T00:00:00.000Z', seq: 99, head: 'x', mac: hmacHex(Buffer.from('another key of 32 characters....'), 'x') })}\n`,
    );
    expect(await verify()).toMatchObject({ ok: true, missingTail: null, checkpoints: { invalid: 1 } });
    fs.writeFileSync(file, before);
  });

  it('takes checkpoints on a timer and a last one when stopped', async () => {
    const config = readConfig({ NODE_ENV: 'test', DATA_DIR: t.context.config.dataDir, AUDIT_HMAC_KEY: TEST_AUDIT_HMAC_KEY, AUDIT_CHECKPOINT_SECONDS: '1' });
    const timer = startAuditCheckpoints(db(), config);
    await record(1);
    const afterFirst = (await chainHead(db())).seq;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(readCheckpoints(config).valid.at(-1)).toMatchObject({ seq: afterFirst });
    await record(1);
    await timer.stop();
    expect(readCheckpoints(config).valid.at(-1)).toMatchObject({ seq: afterFirst + 1 });
  });

  it('names the missing tail when the newest rows are deleted, and refuses to checkpoint the shortened log', async () => {
    const recorded = (await chainHead(db())).seq;
    await asOwnerWithoutTriggers(sql`DELETE FROM audit_log WHERE chain_seq > ${recorded - 2}`);
    expect(await verify()).toMatchObject({
      ok: false,
      rows: recorded - 2,
      firstBrokenSeq: null,
      headSeq: recorded - 2,
      missingTail: { kind: 'missing', afterSeq: recorded - 2, checkpointSeq: recorded },
    });
    expect(await writeAuditCheckpoint(db(), t.context.config)).toBe('refused');
    // Appending again does not hide it: the new rows are not the rows the checkpoints recorded.
    await record(3);
    const again = await verify();
    expect(again).toMatchObject({ ok: false, firstBrokenSeq: null, missingTail: { kind: 'replaced' } });
    expect(again.missingTail!.afterSeq).toBeLessThanOrEqual(recorded - 2);
    expect(again.missingTail!.checkpointSeq).toBeGreaterThan(recorded - 2);
  });

  it('names the missing tail after TRUNCATE (0 rows is not "ok")', async () => {
    const recorded = Math.max(...readCheckpoints(t.context.config).valid.map((point) => point.seq));
    await sql`TRUNCATE audit_log`.execute(db());
    expect(await verify()).toMatchObject({ ok: false, rows: 0, missingTail: { kind: 'missing', afterSeq: 0, checkpointSeq: recorded } });
    const auditor = await t.logIn('auditor');
    expect((await auditor.get('/api/audit/verify').expect(200)).body).toMatchObject({ ok: false, missingTail: { kind: 'missing', checkpointSeq: recorded } });
  });
});

describe('several databases under one DATA_DIR', () => {
  it("ignores another database's checkpoints (no false alarm) and still names the tail a database really lost", async () => {
    const config = readConfig({
      NODE_ENV: 'test',
      DATA_DIR: fs.mkdtempSync(path.join(t.context.config.dataDir, 'two-databases-')),
      AUDIT_HMAC_KEY: TEST_AUDIT_HMAC_KEY,
    });
    const [first, second] = [await openTestDatabase(), await openTestDatabase()];
    try {
      await record(4, first.db);
      expect(await writeAuditCheckpoint(first.db, config)).toBe('written');
      // The server pointed at another database, with the same DATA_DIR: its shorter log is not a loss.
      await record(1, second.db);
      expect(await writeAuditCheckpoint(second.db, config)).toBe('written');
      expect(await writeAuditCheckpoint(second.db, config)).toBe('unchanged');
      expect(await verifyAuditTrail(second.db, config)).toMatchObject({
        ok: true,
        headSeq: 1,
        missingTail: null,
        checkpoints: { valid: 1, invalid: 0, otherDatabases: 1, latest: { seq: 1 } },
      });
      expect(await verifyAuditTrail(first.db, config)).toMatchObject({
        ok: true,
        missingTail: null,
        checkpoints: { valid: 1, otherDatabases: 1, latest: { seq: 4 } },
      });
      expect(readCheckpoints(config).valid).toHaveLength(2);

      // The first database, whose identity the checkpoints carry, loses its newest rows: still named.
      await asOwnerWithoutTriggers(sql`DELETE FROM audit_log WHERE chain_seq > 2`, first.db);
      expect(await verifyAuditTrail(first.db, config)).toMatchObject({
        ok: false,
        headSeq: 2,
        missingTail: { kind: 'missing', afterSeq: 2, checkpointSeq: 4 },
      });
      expect(await writeAuditCheckpoint(first.db, config)).toBe('refused');
      expect(await verifyAuditTrail(second.db, config)).toMatchObject({ ok: true, missingTail: null });

      // A line moved to another database by editing its name no longer verifies.
      const file = checkpointPath(config);
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
      const secondsOwn = JSON.parse(lines[1]!) as Record<string, unknown>;
      fs.appendFileSync(file, `${JSON.stringify({ ...JSON.parse(lines[0]!), database: secondsOwn.database })}\n`);
      expect(await verifyAuditTrail(second.db, config)).toMatchObject({ ok: true, checkpoints: { valid: 1, invalid: 1, otherDatabases: 1 } });
      // A line written before checkpoints named their database judges whichever database is served.
      const key = Buffer.from(TEST_AUDIT_HMAC_KEY, 'utf8');
      const older = { at: '2026-12-01T00:00:00.000Z', seq: 3, head: 'recorded-before-the-upgrade' };
      fs.appendFileSync(file, `${JSON.stringify({ ...older, mac: hmacHex(key, `checkpoint|${older.at}|${older.seq}|${older.head}`) })}\n`);
      expect(await verifyAuditTrail(second.db, config)).toMatchObject({ ok: false, missingTail: { kind: 'missing', afterSeq: 1, checkpointSeq: 3 } });
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe('the key', () => {
  it('outside production, without AUDIT_HMAC_KEY, is a random key file under DATA_DIR (mode 0600), the same on the next start', () => {
    const dataDir = fs.mkdtempSync(path.join(t.context.config.dataDir, 'key-'));
    const first = auditKeyFor(readConfig({ NODE_ENV: 'development', DATA_DIR: dataDir }));
    const again = auditKeyFor(readConfig({ NODE_ENV: 'development', DATA_DIR: dataDir }));
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(again.equals(first)).toBe(true);
    expect(fs.statSync(path.join(dataDir, AUDIT_KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('in production, without AUDIT_HMAC_KEY, refuses', () => {
    expect(() => auditKeyFor(readConfig({ NODE_ENV: 'production', DATA_DIR: t.context.config.dataDir }))).toThrow(/AUDIT_HMAC_KEY is required in production/);
  });
});
