import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkPending, startAuditSequencer } from '../../server/audit/sequencer.ts';
import { recordAudit, verifyAuditChain } from '../../server/audit/service.ts';
import { readConfig } from '../../server/config.ts';
import type { TestApp } from '../helpers/app.ts';
import { ENGINE_UNDER_TEST, TEST_AUDIT_HMAC_KEY } from '../helpers/database.ts';
import { bornYearsAgo, daysAgo, floatingAdult, idCard, REGISTRATION, signedIn, startRegistrationApp } from '../helpers/registration-fixture.ts';

/**
 * Issue #19: an audited request appends its row unlinked and takes no lock; the sequencer links
 * committed rows to the keyed chain in batches within AUDIT_LINK_INTERVAL_MS, and verify reports
 * the tail it has not linked yet. (The crash test with a real server process: audit-crash-postgres.test.ts.)
 */
let t: TestApp;
beforeAll(async () => {
  t = await startRegistrationApp();
}, 120_000);
afterAll(async () => t?.close());

const db = () => t.handle.db;
const CHAIN_LOCK = 86420001; // the advisory lock sql/0001's chain trigger took around every append
const concurrentOnly = ENGINE_UNDER_TEST === 'postgres' ? undefined : 'PGlite has one connection: transactions never overlap there';
if (concurrentOnly) process.stdout.write(`[renwu tests] skipping the concurrent-transaction audit tests: ${concurrentOnly}\n`);

let sequence = 0;
/** A move-in of a new person by collector_west, as the HTTP form sends it; answers the status. */
async function moveInNewPerson(): Promise<number> {
  const mine = (sequence += 1);
  const collector = await signedIn(t, 'collector_west');
  const person = floatingAdult(idCard(bornYearsAgo(20 + (mine % 30)), 100 + mine), `测试${mine}`);
  const response = await collector.post('/api/registrations/move-in', {
    unitCode: REGISTRATION.westUnit(1 + (mine % 3), 1 + (mine % 2)),
    movedIn: daysAgo(1),
    person,
  });
  if (response.status !== 201) throw new Error(`move-in answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.status;
}

describe('unlinked appends and the sequencer', () => {
  it('appends rows unlinked; verify reports them as the tail, and the sequencer links them within its interval', async () => {
    await linkPending(db());
    expect(await moveInNewPerson()).toBe(201);
    const before = await verifyAuditChain(db());
    expect(before.ok).toBe(true);
    expect(before.unlinked.rows).toBeGreaterThan(0);
    const unlinkedRows = await db().selectFrom('audit_log').select(['chain_seq', 'prev_hash', 'hash']).where('action', '=', 'move_in').execute();
    expect(unlinkedRows.at(-1)).toEqual({ chain_seq: null, prev_hash: null, hash: null });

    const config = readConfig({ NODE_ENV: 'test', DATA_DIR: t.context.config.dataDir, AUDIT_HMAC_KEY: TEST_AUDIT_HMAC_KEY, AUDIT_LINK_INTERVAL_MS: '200' });
    const sequencer = startAuditSequencer(db(), config);
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await moveInNewPerson()).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 2 * config.auditLinkIntervalMs + 100));
      const after = await verifyAuditChain(db());
      expect(after).toMatchObject({ ok: true, firstBrokenSeq: null, unlinked: { rows: 0, oldestAt: null } });
      expect(after.rows).toBeGreaterThan(before.rows + before.unlinked.rows);
    } finally {
      await sequencer.stop();
    }
  });
});

describe.skipIf(concurrentOnly)('concurrent audited requests (PostgreSQL)', () => {
  it('a request’s audit insert does not wait for another open transaction holding an unlinked audit row', async () => {
    let releaseOpen!: () => void;
    const held = new Promise<void>((resolve) => (releaseOpen = resolve));
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const open = db()
      .transaction()
      .execute(async (trx) => {
        await recordAudit(trx, undefined, { action: 'read', targetType: 'person', targetId: 3, purpose: '核查' });
        opened();
        await held;
      });
    await isOpen;
    try {
      // Under sql/0001's trigger this request queued behind the open transaction's chain lock.
      const started = Date.now();
      const response = await Promise.race([moveInNewPerson(), new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 3000))]);
      expect(response).toBe(201);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      releaseOpen();
      await open;
    }
  });

  it('8 clients write at once without taking the chain lock, and every row is linked once, in one unbroken chain', async () => {
    await linkPending(db());
    const linkedBefore = (await verifyAuditChain(db())).rows;
    let sampling = true;
    let chainLockSeen = 0;
    const sampler = (async () => {
      while (sampling) {
        const locks = await sql<{ held: number }>`SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory' AND objid = ${CHAIN_LOCK}`.execute(
          db(),
        );
        chainLockSeen += locks.rows[0]!.held;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const clients = Array.from({ length: 8 }, async () => {
      for (let index = 0; index < 6; index += 1) expect(await moveInNewPerson()).toBe(201);
    });
    await Promise.all(clients);
    sampling = false;
    await sampler;
    expect(chainLockSeen).toBe(0);
    await linkPending(db());
    const verified = await verifyAuditChain(db());
    expect(verified).toMatchObject({ ok: true, firstBrokenSeq: null, unlinked: { rows: 0 } });
    expect(verified.rows).toBeGreaterThanOrEqual(linkedBefore + 48);
    const seqs = await sql<{ gaps: number; total: number; max: number }>`
      SELECT count(*)::int AS total, max(chain_seq)::int AS max, count(DISTINCT chain_seq)::int AS gaps FROM audit_log`.execute(db());
    expect(seqs.rows[0]!.max).toBe(seqs.rows[0]!.total);
  });
});

// Last: it leaves a deliberately broken link behind.
describe('the append-only trigger and linking', () => {
  it('allows no change but linking: a row cannot be edited while linked, nor relinked, and a link with a wrong hash is named', async () => {
    await recordAudit(db(), undefined, { action: 'read', targetType: 'person', targetId: 1, purpose: '核查' });
    const pending = await sql<{ id: number }>`SELECT id FROM audit_log WHERE chain_seq IS NULL ORDER BY id DESC LIMIT 1`.execute(db());
    const id = pending.rows[0]!.id;
    // Linking may not change what the row says.
    await expect(sql`UPDATE audit_log SET chain_seq = 999999, prev_hash = 'x', hash = 'y', purpose = '篡改' WHERE id = ${id}`.execute(db())).rejects.toThrow(
      /append-only/,
    );
    await linkPending(db());
    // Once linked, the chain columns are fixed like the rest.
    await expect(sql`UPDATE audit_log SET chain_seq = chain_seq + 1000 WHERE id = ${id}`.execute(db())).rejects.toThrow(/append-only/);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true });

    // Someone who may UPDATE but lacks the key links a row with a made-up hash: verify names it.
    await recordAudit(db(), undefined, { action: 'read', targetType: 'person', targetId: 2, purpose: '核查' });
    const head = await sql<{
      seq: number;
      hash: string;
    }>`SELECT chain_seq AS seq, hash FROM audit_log WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1`.execute(db());
    const { seq, hash } = head.rows[0]!;
    await sql`UPDATE audit_log SET chain_seq = ${Number(seq) + 1}, prev_hash = ${hash}, hash = repeat('0', 64) WHERE chain_seq IS NULL`.execute(db());
    expect(await verifyAuditChain(db())).toMatchObject({ ok: false, firstBrokenSeq: Number(seq) + 1 });
  });
});
