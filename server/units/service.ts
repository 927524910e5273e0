import type { Kysely } from 'kysely';
import { recordAudit, type AuditEntry } from '../audit/service.ts';
import type { Principal } from '../auth/session.ts';
import type { DB, PersonCategory, UnitCheckReason, UnitUse } from '../db/schema.ts';
import { notFound } from '../http/errors.ts';
import { ruleViolation } from '../http/problems.ts';
import { presentStay, rentalStatusOf } from '../person-data/stays.ts';
import { auditPersonReads } from '../person-data/visibility.ts';
import { findUnit, flagEmptied, hasCurrentOccupant, lockUnitCheck, recordFoundUse, setUseAfterMoveIn, unitStays } from './repository.ts';

/** A unit's occupants (police drill-down) and the unit flags the register raises and a visit clears. */

/** A unit with its current occupants and everyone who lived there before, newest first. */
export async function unitOccupants(db: Kysely<DB>, principal: Principal, unitCode: string, purpose: string) {
  const unit = await findUnit(db, unitCode);
  if (!unit) throw notFound('Unit', unitCode);
  const stays = await unitStays(db, unitCode);
  const views = stays.map((stay) => presentStay(stay, principal));
  await auditPersonReads(
    db,
    principal,
    { view: 'unit_occupants', targetType: 'unit', targetId: unitCode },
    stays.map((stay) => stay.id),
    purpose,
  );
  return {
    unit: { ...unit, rentalStatus: rentalStatusOf(unit.use, unit.rentalRegistered) },
    current: views.filter((view) => view.movedOut === null),
    past: views.filter((view) => view.movedOut !== null),
  };
}

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
  trx: Kysely<DB>,
  unitCode: string,
  previousUse: UnitUse,
  categories: readonly PersonCategory[],
  residencyIds: number[],
  today: string,
): Promise<AuditEntry | null> {
  if (previousUse !== 'vacant') return null;
  const { use, toCheck } = useAfterMoveIn(categories);
  await setUseAfterMoveIn(trx, unitCode, use, toCheck, today);
  return {
    action: 'unit_use_change',
    targetType: 'unit',
    targetId: unitCode,
    details: { from: previousUse, to: use, toCheck, cause: 'move_in', residencyIds },
  };
}

/** After a departure: a unit nobody lives in any more is flagged for a visit. */
export async function flagIfEmptied(trx: Kysely<DB>, unitCode: string, today: string): Promise<AuditEntry | null> {
  if (await hasCurrentOccupant(trx, unitCode)) return null;
  await flagEmptied(trx, unitCode, today);
  return { action: 'unit_flagged', targetType: 'unit', targetId: unitCode, details: { toCheck: 'emptied', cause: 'last_occupant_left' } };
}

/** What the collector found at a flagged unit: its actual use, on the day of the visit. */
export interface UnitCheckFinding {
  visitedOn: string;
  use: UnitUse;
}

export interface UnitCheckResult {
  unitCode: string;
  previousUse: UnitUse;
  use: UnitUse;
  clearedCheck: UnitCheckReason;
  visitedOn: string;
}

/**
 * The collector's visit to a flagged unit: the register takes the use they found and the flag is
 * cleared, audited with both uses. A unit the register still has people living in cannot be
 * found vacant: their move-out is registered first (which flags it again if it empties it).
 */
export async function recordUnitCheck(db: Kysely<DB>, principal: Principal, unitCode: string, finding: UnitCheckFinding): Promise<UnitCheckResult> {
  return db.transaction().execute(async (trx) => {
    const unit = await lockUnitCheck(trx, unitCode);
    if (!unit) throw notFound('Unit', unitCode);
    if (unit.to_check === null) throw ruleViolation(409, [{ field: 'code', code: 'no_check_due', message: `Unit ${unitCode} is not flagged for a visit` }]);
    const since = unit.to_check_since!;
    if (finding.visitedOn < since) {
      throw ruleViolation(400, [
        { field: 'visitedOn', code: 'visit_before_flag', message: `visitedOn ${finding.visitedOn} is before the unit was flagged (${since})` },
      ]);
    }
    if (finding.use === 'vacant' && (await hasCurrentOccupant(trx, unitCode))) {
      throw ruleViolation(409, [
        {
          field: 'use',
          code: 'occupied',
          message: `Unit ${unitCode} has people living in it on the register: register their move-out before finding it vacant`,
        },
      ]);
    }
    await recordFoundUse(trx, unitCode, finding.use);
    await recordAudit(trx, principal, {
      action: 'update',
      targetType: 'unit',
      targetId: unitCode,
      details: { cause: 'unit_check', clearedCheck: unit.to_check, flaggedSince: since, visitedOn: finding.visitedOn, from: unit.use, to: finding.use },
    });
    return { unitCode, previousUse: unit.use, use: finding.use, clearedCheck: unit.to_check, visitedOn: finding.visitedOn };
  });
}
