import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Role } from '../domain/roles.ts';
import type { BuildingStatus, BuildingUse, FloatingType, ManagementMode, PersonCategory, UnitCheckReason, UnitUse } from '../domain/word-lists.ts';

/**
 * Table types for Kysely, written to match sql/*.sql. Geometry columns are read through
 * ST_AsGeoJSON/ST_X in queries and written from WKT/GeoJSON, so they appear here as text.
 */
type Geometry = ColumnType<string, string, string>;
type DateText = string; // 'YYYY-MM-DD'
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface AdminAreasTable {
  code: string;
  level: 'district' | 'street' | 'community';
  parent_code: string | null;
  name: string;
  geom: Geometry;
}

export interface GridsTable {
  code: string;
  community_code: string;
  name: string;
  geom: Geometry;
  area_km2: number;
}

// The word lists live in domain/word-lists.ts (the contracts and the web read them there);
// re-exported for the readers of this file that the feature moves of issue 17 have not reached yet.
export {
  BUILDING_USES,
  FLOATING_TYPES,
  MANAGEMENT_MODES,
  PERSON_CATEGORIES,
  UNIT_USES,
  type BuildingUse,
  type FloatingType,
  type ManagementMode,
  type PersonCategory,
  type UnitCheckReason,
  type UnitUse,
} from '../domain/word-lists.ts';
// Roles live in a leaf module (users/tables.ts reads them too); re-exported for the many readers of this file.
export { ROLES, type Role } from '../domain/roles.ts';

export interface BuildingsTable {
  code: string;
  /** left(code, 9): named by every writer, Citus' distribution key to be (sql/0050). */
  street_code: string;
  grid_code: string;
  address: string;
  floors: number;
  use: BuildingUse;
  management_mode: ManagementMode;
  has_access_control: Generated<boolean>;
  has_video: Generated<boolean>;
  responsibility_letter_signed: Generated<boolean>;
  landlord_name: string | null;
  landlord_phone: string | null;
  status: Generated<BuildingStatus>;
  point: Geometry;
  footprint: Geometry | null;
  created_at: Timestamp;
  /** The compound (小区 / 院落) it belongs to, in its own community (sql/0016_compounds.sql). */
  compound_code: string | null;
}

export interface UnitsTable {
  code: string;
  /** left(code, 9): named by every writer, Citus' distribution key to be (sql/0050). */
  street_code: string;
  building_code: string;
  floor: number;
  room: string;
  area_m2: number | null;
  use: UnitUse;
  rental_registered: Generated<boolean>;
  landlord_name: string | null;
  /** Households the unit is let to (分租 inside one unit); 1 unless let to several (sql/0014_rental_houses.sql). */
  let_households: Generated<number>;
  /** Why a collector should visit the unit (sql/0015_unit_checks.sql); null: nothing to check. */
  to_check: Generated<UnitCheckReason | null>;
  to_check_since: Generated<DateText | null>;
}

export interface PersonsTable {
  id: Generated<number>;
  id_type: 'id_card' | 'passport';
  id_number: string;
  nationality: Generated<string>;
  name: string;
  sex: 'M' | 'F';
  birth_date: DateText;
  ethnicity: string | null;
  hukou_address: string | null;
  phone: string | null;
  category: PersonCategory;
  floating_type: FloatingType | null;
  employer: string | null;
  created_at: Timestamp;
}

export interface ResidenciesTable {
  id: Generated<number>;
  person_id: number;
  unit_code: string;
  /** left(unit_code, 9): named by every writer, Citus' distribution key to be (sql/0050). */
  street_code: string;
  moved_in: DateText;
  moved_out: DateText | null;
  registered_at: DateText;
  deregistered_at: DateText | null;
}

export interface PermitsTable {
  id: Generated<number>;
  person_id: number;
  permit_no: string;
  issued_on: DateText;
  expires_on: DateText;
  years: number;
  status: Generated<'valid' | 'renewed' | 'revoked'>;
  revoked_on: DateText | null;
  renewed_from: number | null;
}

export interface CasesTable {
  id: Generated<number>;
  case_no: string;
  kind: 'criminal' | 'public_order';
  category: string;
  occurred_at: Timestamp;
  point: Geometry;
  grid_code: string | null;
  building_code: string | null;
  unit_code: string | null;
}

export interface CollectorsTable {
  id: Generated<number>;
  name: string;
  phone: string | null;
  photo_url: string | null;
  employment: 'full_time' | 'part_time';
  employer: string | null;
  active: Generated<boolean>;
}

export interface CollectorAssignmentsTable {
  id: Generated<number>;
  collector_id: number;
  grid_code: string;
  /** left(grid_code, 9): named by every writer, Citus' distribution key to be (sql/0051). */
  street_code: string;
  assigned_on: DateText;
  ended_on: DateText | null;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  jurisdiction: ColumnType<string[], string[] | undefined, string[]>;
  collector_id: number | null;
  is_demo: Generated<boolean>;
  disabled: Generated<boolean>;
  created_at: Timestamp;
  /** Set by a trigger when a session opens (sql/0007_users.sql). */
  last_login_at: Timestamp | null;
  /** An administrator set the password: nothing but a password change until the user picks their own (sql/0013). */
  must_change_password: Generated<boolean>;
  /** Created with a role that waits for a second person's approval: cannot log in yet (sql/0013). */
  awaiting_approval: Generated<boolean>;
}

export interface SessionsTable {
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  chain_seq: Generated<number>;
  at: Timestamp;
  user_id: number | null;
  username: string | null;
  role: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  purpose: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  prev_hash: Generated<string>;
  hash: Generated<string>;
}

export interface SettingsTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_at: Timestamp;
}

import type { CollectorTables } from '../collectors/tables.ts';
import type { HeatmapTables } from '../heatmaps/tables.ts';
import type { CompoundTables } from '../compounds/tables.ts';
import type { ImportTables } from '../imports/tables.ts';
import type { RegistrationTables } from '../people/tables.ts';
import type { RentalTables } from '../rentals/tables.ts';
import type { UserTables } from '../users/tables.ts';
import type { TokenTables } from '../tokens/tables.ts';

/** Every table: the core ones here, each feature's from its own tables.ts. */
export interface DB extends RegistrationTables, HeatmapTables, RentalTables, CollectorTables, ImportTables, UserTables, CompoundTables, TokenTables {
  admin_areas: AdminAreasTable;
  grids: GridsTable;
  buildings: BuildingsTable;
  units: UnitsTable;
  persons: PersonsTable;
  residencies: ResidenciesTable;
  permits: PermitsTable;
  cases: CasesTable;
  collectors: CollectorsTable;
  collector_assignments: CollectorAssignmentsTable;
  users: UsersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
}

export type User = Selectable<UsersTable>;
export type NewBuilding = Insertable<BuildingsTable>;
