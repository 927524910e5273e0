import type { ColumnType, Generated } from 'kysely';

/** Kysely types of the tables this feature owns (sql/0019_access_tokens.sql). Composed into DB in server/db/schema.ts. */
export interface AccessTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  created_at: Generated<Date>;
  expires_at: ColumnType<Date, Date, Date>;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  last_used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface TokenTables {
  access_tokens: AccessTokensTable;
}
