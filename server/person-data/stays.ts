import type { Principal } from '../auth/session.ts';
import type { UnitUse } from '../db/schema.ts';
import type { RentalStatus } from '../domain/word-lists.ts';
import { presentPerson, type PersonRow, type PersonView } from './visibility.ts';

/**
 * A stay (one residency row) with its person, as the drill-down, a unit's occupants and the
 * reports list them. One query shape (selectStays in ./repository.ts) and one presentation, so
 * masking is applied the same way everywhere.
 */

/** The residency columns of a stay, for a select on `residencies as r`. */
export const STAY_COLUMNS = [
  'r.id as residency_id',
  'r.unit_code',
  'r.moved_in',
  'r.registered_at',
  'r.moved_out',
  'r.deregistered_at',
  'r.registration_exempt',
  'r.registered_late',
  'r.departure_unregistered',
] as const;

interface StayRow {
  residency_id: number;
  unit_code: string;
  moved_in: string;
  registered_at: string;
  moved_out: string | null;
  deregistered_at: string | null;
  registration_exempt: boolean;
  registered_late: boolean;
  departure_unregistered: boolean;
}

export interface StayRecord {
  residencyId: number;
  unitCode: string;
  movedIn: string;
  registeredAt: string;
  movedOut: string | null;
  deregisteredAt: string | null;
  registrationExempt: boolean;
  registeredLate: boolean;
  departureUnregistered: boolean;
}

export function stayRecordOf(row: StayRow): StayRecord {
  return {
    residencyId: row.residency_id,
    unitCode: row.unit_code,
    movedIn: row.moved_in,
    registeredAt: row.registered_at,
    movedOut: row.moved_out,
    deregisteredAt: row.deregistered_at,
    registrationExempt: row.registration_exempt,
    registeredLate: row.registered_late,
    departureUnregistered: row.departure_unregistered,
  };
}

export interface StayView extends StayRecord {
  person: PersonView;
}

export function presentStay(row: StayRow & PersonRow, principal: Principal): StayView {
  return { ...stayRecordOf(row), person: presentPerson(row, principal) };
}

/** 出租登记: a rented unit either is registered as a rental or is not. */
export function rentalStatusOf(use: UnitUse, rentalRegistered: boolean): RentalStatus {
  if (use !== 'rented') return 'not_rented';
  return rentalRegistered ? 'registered' : 'unregistered';
}
