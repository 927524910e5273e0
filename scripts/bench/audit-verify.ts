/**
 * Audit chain at scale (issue #19): inserts N synthetic audit rows into a scratch PostgreSQL
 * database, times the sequencer linking them and verifyAuditChain checking them, then drops it.
 *   BENCH_DATABASE_URL=postgres://…/postgres npx tsx scripts/bench/audit-verify.ts 200000
 */
import pg from 'pg';
import { sql } from 'kysely';
import { auditSessionSettings } from '../../server/audit/key.ts';
import { linkPending } from '../../server/audit/sequencer.ts';
import { verifyAuditChain } from '../../server/audit/service.ts';
import { openDatabase } from '../../server/db/connection.ts';
import { migrateToLatest } from '../../server/db/migrator.ts';

const admin = process.env.BENCH_DATABASE_URL ?? 'postgres://renwu_ci:renwu_ci@127.0.0.1:5432/renwu_ci';
const name = 'renwu_audit_verify_scratch';
const rows = Number(process.argv[2] ?? 200000);
const client = new pg.Client({ connectionString: admin });
await client.connect();
await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await client.query(`CREATE DATABASE ${name}`);
const scratchUrl = Object.assign(new URL(admin), { pathname: `/${name}` }).toString();
const sessionSettings = auditSessionSettings(Buffer.from('scratch-key-0123456789abcdef0123456789', 'utf8'));
// Loading millions of rows takes longer than a request may: no statement timeout for the setup.
const handle = await openDatabase({ databaseUrl: scratchUrl, sessionSettings, statementTimeoutMs: 0 });
// Verify runs as the server runs it, under the server's default statement timeout.
const server = await openDatabase({ databaseUrl: scratchUrl, sessionSettings });
try {
  await migrateToLatest(handle.db);
  let t = Date.now();
  await sql`INSERT INTO audit_log (action, target_type, target_id, username, role, purpose, details)
    SELECT 'read', 'person', g::text, 'police1', 'police', '核查', jsonb_build_object('unit', '440307001001010000' || (g % 10)::text, 'n', g)
    FROM generate_series(1, ${rows}) g`.execute(handle.db);
  console.log('insert', rows, (Date.now() - t) / 1000, 's');
  t = Date.now();
  const linked = await linkPending(handle.db);
  console.log('link', linked, (Date.now() - t) / 1000, 's');
  await sql`VACUUM ANALYZE audit_log`.execute(handle.db);
  for (let i = 0; i < 2; i += 1) {
    t = Date.now();
    const v = await verifyAuditChain(server.db);
    console.log('verify', JSON.stringify(v), (Date.now() - t) / 1000, 's');
  }
} finally {
  await server.close();
  await handle.close();
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.end();
}
