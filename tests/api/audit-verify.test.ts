import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSessionSettings } from '../../server/audit/key.ts';
import { linkPending } from '../../server/audit/sequencer.ts';
import { recordAudit, verifyAuditChain, type ChainVerification } from '../../server/audit/service.ts';
import { openDatabase, type DatabaseHandle } from '../../server/db/connection.ts';
import { migrateToLatest, SQL_DIR } from '../../server/db/migrator.ts';
import { TEST_DATABASE_URL } from '../helpers/database.ts';

/**
 * Issue #19, sql/0027: verification is set-based with the row message inlined (audit_row_message
 * declared STABLE), and the sequencer links a batch in one UPDATE. Rows linked before 0027 and
 * after it form one chain that verifies, and every tampering is still named at its row.
 */
const KEY = Buffer.from('renwu-verify-test-key-0123456789abcdef', 'utf8');
const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
const databaseName = `renwu_verify_${suffix}`;
const before0027 = fs.mkdtempSync(path.join(os.tmpdir(), 'renwu-before-0027-'));
let handle: DatabaseHandle;
const db = () => handle.db;

async function asSuperuser(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(statement).finally(() => client.end());
}

async function record(count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) await recordAudit(db(), undefined, { action: 'read', targetType: 'person', targetId: index, purpose: '核查' });
  await linkPending(db());
}

const ROLLED_BACK = new Error('rolled back');

/** Verify as it answers after a tampering by the owner going around the application (the triggers disabled); the tampering is then rolled back. */
async function verifyAfter(...tampering: Array<ReturnType<typeof sql>>): Promise<ChainVerification> {
  let verified: ChainVerification | undefined;
  await db()
    .transaction()
    .execute(async (trx) => {
      await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(trx);
      for (const statement of tampering) await statement.execute(trx);
      verified = await verifyAuditChain(trx);
      throw ROLLED_BACK;
    })
    .catch((error: unknown) => {
      if (error !== ROLLED_BACK) throw error;
    });
  return verified!;
}

beforeAll(async () => {
  for (const name of fs.readdirSync(SQL_DIR).filter((file) => file.endsWith('.sql') && file < '0027'))
    fs.copyFileSync(path.join(SQL_DIR, name), path.join(before0027, name));
  if (TEST_DATABASE_URL) await asSuperuser(`CREATE DATABASE ${databaseName}`);
  const databaseUrl = TEST_DATABASE_URL ? Object.assign(new URL(TEST_DATABASE_URL), { pathname: `/${databaseName}` }).toString() : undefined;
  handle = await openDatabase({ databaseUrl, pgliteDir: 'memory://', sessionSettings: auditSessionSettings(KEY) });
  await migrateToLatest(handle.db, before0027);
}, 300_000);

afterAll(async () => {
  await handle?.close();
  if (TEST_DATABASE_URL) await asSuperuser(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  fs.rmSync(before0027, { recursive: true, force: true });
});

describe('verifying the chain across sql/0027', () => {
  it('links new rows onto a chain linked before 0027 with the same keyed hashes, and verifies both', async () => {
    await record(5);
    await migrateToLatest(db());
    await record(4);
    await record(3);
    const rehashed = await sql<{ differing: number }>`
      SELECT count(*)::int AS differing FROM audit_log WHERE hash IS DISTINCT FROM audit_row_digest(prev_hash, audit_log)`.execute(db());
    expect(rehashed.rows[0]!.differing).toBe(0);
    expect(await verifyAuditChain(db())).toEqual({ ok: true, rows: 12, firstBrokenSeq: null, unlinked: { rows: 0, oldestAt: null, oldestAgeSeconds: null } });
  });

  it('inlines the row message into set-based queries (no SQL-function call per row)', async () => {
    const plan = await sql<Record<string, string>>`EXPLAIN (VERBOSE) SELECT audit_row_message(a.prev_hash, a) FROM audit_log a`.execute(db());
    const text = plan.rows.map((row) => Object.values(row).join(' ')).join('\n');
    expect(text).toContain('concat_ws');
    expect(text).not.toContain('audit_row_message');
  });

  it('names an edited row, old or new, a forged link and two rows swapped', async () => {
    expect(await verifyAfter(sql`UPDATE audit_log SET purpose = '篡改' WHERE chain_seq = 2`)).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    expect(await verifyAfter(sql`UPDATE audit_log SET purpose = '篡改' WHERE chain_seq = 8`)).toMatchObject({ ok: false, firstBrokenSeq: 8 });
    expect(await verifyAfter(sql`UPDATE audit_log SET prev_hash = repeat('0', 64) WHERE chain_seq = 10`)).toMatchObject({ ok: false, firstBrokenSeq: 10 });
    const swapped = [
      sql`UPDATE audit_log SET chain_seq = -chain_seq WHERE chain_seq IN (7, 8)`,
      sql`UPDATE audit_log SET chain_seq = CASE chain_seq WHEN -7 THEN 8 ELSE 7 END WHERE chain_seq IN (-7, -8)`,
    ];
    expect(await verifyAfter(...swapped)).toMatchObject({ ok: false, firstBrokenSeq: 7 });
  });

  it('names the row after a deleted one, but not a cut tail (the checkpoints outside the database name that)', async () => {
    expect(await verifyAfter(sql`DELETE FROM audit_log WHERE chain_seq = 5`)).toMatchObject({ ok: false, firstBrokenSeq: 6 });
    expect(await verifyAfter(sql`DELETE FROM audit_log WHERE chain_seq BETWEEN 6 AND 9`)).toMatchObject({ ok: false, firstBrokenSeq: 10 });
    expect(await verifyAfter(sql`DELETE FROM audit_log WHERE chain_seq > 11`)).toMatchObject({ ok: true, rows: 11, firstBrokenSeq: null });
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true, rows: 12 });
  });
});
