import { sql, type Kysely } from 'kysely';
import type { z } from 'zod';
import type { tokenView } from '../auth/contract.ts';
import type { DB } from '../db/schema.ts';

/** A token as its owner sees it: never the token itself (only its hash is kept). The wire shape is the contract's. */
export type TokenView = z.infer<typeof tokenView>;

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

export async function listTokens(db: Kysely<DB>, userId: number): Promise<TokenView[]> {
  const rows = await db.selectFrom('access_tokens').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').execute();
  return rows.map((row) => ({
    id: Number(row.id),
    name: row.name,
    createdAt: iso(row.created_at)!,
    expiresAt: iso(row.expires_at)!,
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  }));
}

export async function insertToken(db: Kysely<DB>, token: { userId: number; name: string; tokenHash: string; expiresAt: Date }) {
  return db
    .insertInto('access_tokens')
    .values({ user_id: token.userId, name: token.name, token_hash: token.tokenHash, expires_at: token.expiresAt })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
}

/** Revokes one of the user's own live tokens; false when they have no such token (or it is already revoked). */
export async function revokeToken(db: Kysely<DB>, userId: number, tokenId: number): Promise<boolean> {
  const result = await db
    .updateTable('access_tokens')
    .set({ revoked_at: sql<Date>`now()` })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The user behind a token that may still be used: not revoked, not expired (the caller checks the user's own state). */
export async function findTokenUser(db: Kysely<DB>, tokenHash: string) {
  return db
    .selectFrom('access_tokens')
    .innerJoin('users', 'users.id', 'access_tokens.user_id')
    .select([
      'access_tokens.id as token_id',
      'users.id',
      'users.username',
      'users.display_name',
      'users.role',
      'users.jurisdiction',
      'users.collector_id',
      'users.disabled',
      'users.must_change_password',
      'users.awaiting_approval',
    ])
    .where('access_tokens.token_hash', '=', tokenHash)
    .where('access_tokens.revoked_at', 'is', null)
    .where('access_tokens.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

export async function markTokenUsed(db: Kysely<DB>, tokenId: number): Promise<void> {
  await db.updateTable('access_tokens').set({ last_used_at: sql<Date>`now()` }).where('id', '=', tokenId).execute();
}
