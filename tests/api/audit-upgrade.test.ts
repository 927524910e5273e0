import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSessionSettings } from '../../server/audit/key.ts';
import { linkPending } from '../../server/audit/sequencer.ts';
import { recordAudit, verifyAuditChain } from '../../server/audit/service.ts';
import { openDatabase, type DatabaseHandle } from '../../server/db/connection.ts';
import { migrateToLatest, SQL_DIR } from '../../server/db/migrator.ts';
import { TEST_DATABASE_URL } from '../helpers/database.ts';

/**
 * A database made before the chain was keyed (sql/0012) keeps verifying after the upgrade: the
 * migration re-chains the old rows with the migrating session's key, but only as far as the old
 * unkeyed chain still verified, so a row edited before the upgrade is still named afterwards.
 */
const KEY = Buffer.from('renwu-upgrade-test-key-0123456789abcdef', 'utf8');
const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
const databaseName = `renwu_upgrade_${suffix}`;
const legacyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renwu-legacy-sql-'));
let handle: DatabaseHandle;

async function asSuperuser(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(statement).finally(() => client.end());
}

beforeAll(async () => {
  for (const name of fs.readdirSync(SQL_DIR).filter((file) => file < '0012')) fs.copyFileSync(path.join(SQL_DIR, name), path.join(legacyDir, name));
  if (TEST_DATABASE_URL) await asSuperuser(`CREATE DATABASE ${databaseName}`);
  const databaseUrl = TEST_DATABASE_URL ? Object.assign(new URL(TEST_DATABASE_URL), { pathname: `/${databaseName}` }).toString() : undefined;
  handle = await openDatabase({ databaseUrl, pgliteDir: 'memory://', sessionSettings: auditSessionSettings(KEY) });
  await migrateToLatest(handle.db, legacyDir);
}, 300_000);

afterAll(async () => {
  await handle?.close();
  if (TEST_DATABASE_URL) await asSuperuser(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  fs.rmSync(legacyDir, { recursive: true, force: true });
});

describe('upgrading an unkeyed audit chain', () => {
  it('re-chains intact rows with the key, and keeps naming a row edited before the upgrade', async () => {
    for (let index = 0; index < 6; index += 1) await recordAudit(handle.db, undefined, { action: 'read', targetType: 'person', targetId: index });
    const legacyHash = (await sql<{ hash: string }>`SELECT hash FROM audit_log WHERE chain_seq = 1`.execute(handle.db)).rows[0]!.hash;
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(handle.db);
    await sql`UPDATE audit_log SET purpose = '篡改' WHERE chain_seq = 5`.execute(handle.db);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(handle.db);

    await migrateToLatest(handle.db);
    const rekeyed = (await sql<{ hash: string }>`SELECT hash FROM audit_log WHERE chain_seq = 1`.execute(handle.db)).rows[0]!.hash;
    expect(rekeyed).not.toBe(legacyHash);
    expect(await verifyAuditChain(handle.db)).toEqual({ ok: false, rows: 6, firstBrokenSeq: 5, unlinked: { rows: 0, oldestAt: null, oldestAgeSeconds: null } });

    // Rows before the edit are keyed and sound; new rows chain on with the key.
    await recordAudit(handle.db, undefined, { action: 'read', targetType: 'person', targetId: 7 });
    await linkPending(handle.db);
    const brokenAt = await sql<{ seq: number }>`
      SELECT chain_seq AS seq FROM audit_log WHERE hash IS DISTINCT FROM audit_row_digest(prev_hash, audit_log) ORDER BY chain_seq`.execute(handle.db);
    expect(brokenAt.rows.map((row) => row.seq)).toEqual([5, 6]);
  });
});
