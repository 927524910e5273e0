import type { ColumnType, Generated } from 'kysely';
import type { Role } from '../domain/roles.ts';

/** Kysely types of the tables this feature owns (sql/0013_login_and_grants.sql). Composed into DB in server/db/schema.ts. */
export type GrantStatus = 'pending' | 'approved' | 'rejected' | 'superseded';

export interface RoleGrantsTable {
  id: Generated<number>;
  user_id: number;
  kind: 'create' | 'change';
  role: Role;
  jurisdiction: string[];
  collector_id: number | null;
  previous_role: Role | null;
  previous_jurisdiction: string[] | null;
  requested_by: number;
  requested_at: Generated<Date>;
  status: Generated<GrantStatus>;
  decided_by: number | null;
  decided_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface UserTables {
  role_grants: RoleGrantsTable;
}
