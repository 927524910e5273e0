import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkPending } from '../../server/audit/sequencer.ts';
import { recordAudit, verifyAuditChain } from '../../server/audit/service.ts';
import { openTestDatabase } from '../helpers/database.ts';
import type { DatabaseHandle } from '../../server/db/connection.ts';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => handle?.close());

describe('audit log hash chain', () => {
  it('chains rows, refuses UPDATE and DELETE, and detects a row edited behind its back', async () => {
    const writes = Array.from({ length: 20 }, (_, index) =>
      recordAudit(handle.db, undefined, { action: 'read', targetType: 'person', targetId: index, purpose: '核查' }),
    );
    await Promise.all(writes);
    const unlinked = await verifyAuditChain(handle.db);
    expect(unlinked).toMatchObject({ ok: true, rows: 0, firstBrokenSeq: null, unlinked: { rows: 20 } });
    expect(unlinked.unlinked.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(await linkPending(handle.db)).toEqual({ linked: 20, busy: false });
    expect(await verifyAuditChain(handle.db)).toEqual({
      ok: true,
      rows: 20,
      firstBrokenSeq: null,
      unlinked: { rows: 0, oldestAt: null, oldestAgeSeconds: null },
    });

    await expect(sql`UPDATE audit_log SET purpose = 'x' WHERE chain_seq = 5`.execute(handle.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE chain_seq = 5`.execute(handle.db)).rejects.toThrow(/append-only/);

    // A superuser who disables the trigger can still edit; the chain shows where.
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(handle.db);
    await sql`UPDATE audit_log SET purpose = '篡改' WHERE chain_seq = 7`.execute(handle.db);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(handle.db);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, firstBrokenSeq: 7 });
  });
});
