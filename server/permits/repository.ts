import { sql, type Kysely, type Selectable } from 'kysely';
import { codeWithin } from '../db/code-prefix.ts';
import { factsWritten, writeCounted } from '../db/counted-writes.ts';
import type { DB, PermitsTable } from '../db/schema.ts';
import { PERSON_COLUMNS } from '../person-data/visibility.ts';

/** Residence permits (sql/0002_registrations.sql) and their settings row. Writes run inside the caller's transaction. */

export type PermitRow = Selectable<PermitsTable>;

/** The raw 'permits' settings value, undefined when the row is missing. */
export async function permitSettingsValue(db: Kysely<DB>): Promise<unknown> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', 'permits').executeTakeFirst();
  return row?.value;
}

/** Issues a permit and counts it (the permits carry no trigger, sql/0048). */
export async function insertPermit(trx: Kysely<DB>, personId: number, issuedOn: string, expiresOn: string, years: number, renewedFrom: number | null) {
  const permit = await trx
    .insertInto('permits')
    .values({
      person_id: personId,
      permit_no: sql<string>`'JZZ' || lpad(nextval('permit_number_seq')::text, 10, '0')`,
      issued_on: issuedOn,
      expires_on: expiresOn,
      years,
      revoked_on: null,
      renewed_from: renewedFrom,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await factsWritten(trx, 'permits', [], [permit.id]);
  return permit;
}

/** A valid permit of the person that has not expired on `onDay`. */
export async function heldPermit(trx: Kysely<DB>, personId: number, onDay: string) {
  return trx
    .selectFrom('permits')
    .select(['permit_no', 'expires_on'])
    .where('person_id', '=', personId)
    .where('status', '=', 'valid')
    .where('expires_on', '>=', onDay)
    .executeTakeFirst();
}

export async function permitHolder(trx: Kysely<DB>, permitId: number): Promise<number | undefined> {
  const row = await trx.selectFrom('permits').select('person_id').where('id', '=', permitId).executeTakeFirst();
  return row?.person_id;
}

export async function lockPermitRow(trx: Kysely<DB>, permitId: number): Promise<PermitRow> {
  return trx.selectFrom('permits').selectAll().where('id', '=', permitId).forUpdate().executeTakeFirstOrThrow();
}

/** The old permit's status alone: no figure reads it, so nothing is recounted. */
export async function markRenewed(trx: Kysely<DB>, permitId: number): Promise<void> {
  await trx.updateTable('permits').set({ status: 'renewed' }).where('id', '=', permitId).execute();
}

/** Revokes a permit and counts its holder without it from the day it was revoked (sql/0048). */
export async function markRevoked(trx: Kysely<DB>, permitId: number, revokedOn: string): Promise<PermitRow> {
  return writeCounted(trx, 'permits', [permitId], () =>
    trx.updateTable('permits').set({ status: 'revoked', revoked_on: revokedOn }).where('id', '=', permitId).returningAll().executeTakeFirstOrThrow(),
  );
}

/** Valid permits of the grid's current residents expiring between `from` and `until`, with their holders. */
export async function expiringInGrid(db: Kysely<DB>, grid: string, from: string, until: string) {
  return db
    .selectFrom('residencies as r')
    .innerJoin('persons as p', 'p.id', 'r.person_id')
    .innerJoin('permits as pm', 'pm.person_id', 'r.person_id')
    .select([...PERSON_COLUMNS, 'r.unit_code', 'pm.id as permit_id'])
    .select(['pm.person_id', 'pm.permit_no', 'pm.issued_on', 'pm.expires_on', 'pm.years', 'pm.status', 'pm.revoked_on', 'pm.renewed_from'])
    .where(codeWithin('r.unit_code', [grid]))
    .where('r.moved_out', 'is', null)
    .where('pm.status', '=', 'valid')
    .where('pm.expires_on', '>=', from)
    .where('pm.expires_on', '<=', until)
    .orderBy('pm.expires_on')
    .orderBy('pm.id')
    .execute();
}
