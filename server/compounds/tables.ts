import type { ColumnType } from 'kysely';

/** Kysely types of the tables this feature owns (sql/0016_compounds.sql). Composed into DB in server/db/schema.ts. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface CompoundsTable {
  /** The community's 12 digits, a hyphen and 3 digits: 440307001001-001. */
  code: string;
  community_code: string;
  name: string;
  created_at: Timestamp;
}

export interface CompoundTables {
  compounds: CompoundsTable;
}
