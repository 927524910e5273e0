import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { logger } from '../logger.ts';

/**
 * Two database roles on PostgreSQL (docs/audit.md): the owner (MIGRATION_DATABASE_URL) owns the
 * schema and runs migrations; the server's role (DATABASE_URL) owns nothing and gets only what
 * the request path needs. On audit_log that is SELECT and INSERT: it can neither TRUNCATE, UPDATE,
 * DELETE nor disable the triggers that chain and protect the rows.
 */
const APPEND_ONLY_TABLES = ['audit_log'];

/** The role a postgres:// URL logs in as. */
export function roleOfUrl(databaseUrl: string): string {
  const user = decodeURIComponent(new URL(databaseUrl).username);
  if (!user) throw new Error('DATABASE_URL must name its user when MIGRATION_DATABASE_URL is set (the role to grant to)');
  return user;
}

/** Run as the owner after migrating: grants the server's role its privileges on everything that exists and will exist. */
export async function grantServerRole(ownerDb: Kysely<DB>, serverRole: string): Promise<void> {
  const role = sql.id(serverRole);
  const appendOnly = sql.join(APPEND_ONLY_TABLES.map((table) => sql.id(table)));
  await ownerDb.transaction().execute(async (trx) => {
    const statements = [
      sql`GRANT USAGE ON SCHEMA public TO ${role}`,
      sql`GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO ${role}`,
      sql`REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ${appendOnly} FROM ${role}`,
      sql`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${role}`,
      sql`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${role}`,
      // Tables a later migration creates get the same (audit_log's row above is revoked after each run).
      sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO ${role}`,
      sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${role}`,
    ];
    for (const statement of statements) await statement.execute(trx);
  });
}

/**
 * Says plainly when the server's own account could erase the audit trail: it owns audit_log or
 * is a superuser (then TRUNCATE, DISABLE TRIGGER and re-chaining are open to whoever has its password).
 */
export async function warnIfServerOwnsAuditLog(db: Kysely<DB>): Promise<boolean> {
  const result = await sql<{ owns: boolean; superuser: boolean; role: string }>`
    SELECT pg_get_userbyid(c.relowner) = current_user AS owns, r.rolsuper AS superuser, current_user AS role
    FROM pg_class c, pg_roles r
    WHERE c.oid = 'audit_log'::regclass AND r.rolname = current_user`.execute(db);
  const row = result.rows[0];
  const exposed = Boolean(row && (row.owns || row.superuser));
  if (exposed) {
    logger.warn(
      'the server connects as the owner of audit_log (or a superuser): its own account can truncate or rewrite the audit trail; ' +
        'set MIGRATION_DATABASE_URL to an owner role and DATABASE_URL to a role that owns nothing (docs/audit.md)',
      { role: row!.role },
    );
  }
  return exposed;
}
