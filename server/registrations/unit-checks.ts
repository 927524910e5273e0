import type { Kysely } from 'kysely';
import type { AuditEntry } from '../audit/service.ts';
import type { DB, PersonCategory, UnitCheckReason, UnitUse } from '../db/schema.ts';

/**
 * The register follows the people (issue 15.4). A unit marked vacant (空置) that people move into
 * is no longer vacant: a floating household makes it a rental, not yet registered (出租登记), and
 * the owner's household (every arrival has 户籍, category 'registered') makes it self-occupied.
 * A unit its last occupant leaves is not silently vacant either. Each case flags the unit for
 * the collector's visit (units.to_check) and returns the audit entry to record with the move.
 */

/** The use a vacant unit takes from the categories of the people moving in. */
function useAfterMoveIn(categories: readonly PersonCategory[]): { use: UnitUse; toCheck: UnitCheckReason } {
  const ownersHousehold = categories.length > 0 && categories.every((category) => category === 'registered');
  return ownersHousehold ? { use: 'self_occupied', toCheck: 'use_changed' } : { use: 'rented', toCheck: 'unregistered_rental' };
}

export async function occupyVacantUnit(
  trx: Kysely<DB>, unitCode: string, previousUse: UnitUse, categories: readonly PersonCategory[], residencyIds: number[], today: string,
): Promise<AuditEntry | null> {
  if (previousUse !== 'vacant') return null;
  const { use, toCheck } = useAfterMoveIn(categories);
  await trx.updateTable('units').set({ use, rental_registered: false, to_check: toCheck, to_check_since: today }).where('code', '=', unitCode).execute();
  return { action: 'unit_use_change', targetType: 'unit', targetId: unitCode, details: { from: previousUse, to: use, toCheck, cause: 'move_in', residencyIds } };
}

/** After a departure: a unit nobody lives in any more is flagged for a visit. */
export async function flagIfEmptied(trx: Kysely<DB>, unitCode: string, today: string): Promise<AuditEntry | null> {
  const remaining = await trx.selectFrom('residencies').select('id').where('unit_code', '=', unitCode).where('moved_out', 'is', null).limit(1).executeTakeFirst();
  if (remaining) return null;
  await trx.updateTable('units').set({ to_check: 'emptied', to_check_since: today }).where('code', '=', unitCode).execute();
  return { action: 'unit_flagged', targetType: 'unit', targetId: unitCode, details: { toCheck: 'emptied', cause: 'last_occupant_left' } };
}
