import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { distributeOnCitus } from './citus.ts';

export const SQL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sql');

/** Migrations are the numbered plain-SQL files in sql/, applied in name order. */
class SqlFileMigrationProvider implements MigrationProvider {
  constructor(private readonly directory: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const names = (await fs.readdir(this.directory)).filter((name) => /^\d{4}_.+\.sql$/.test(name)).sort();
    const migrations: Record<string, Migration> = {};
    for (const name of names) {
      const text = await fs.readFile(path.join(this.directory, name), 'utf8');
      migrations[name.replace(/\.sql$/, '')] = {
        // sql.raw runs the file as one multi-statement simple query on both engines.
        up: async (db: Kysely<unknown>) => {
          await sql.raw(text).execute(db);
        },
      };
    }
    return migrations;
  }
}

export async function migrateToLatest<Schema>(database: Kysely<Schema>, directory = SQL_DIR): Promise<string[]> {
  // The migrator only touches its own bookkeeping tables, whatever the schema type.
  const db = database as unknown as Kysely<unknown>;
  const migrator = new Migrator({ db, provider: new SqlFileMigrationProvider(directory) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    const which = failed ? ` in ${failed.migrationName}` : '';
    throw new Error(`Migration failed${which}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // On a Citus cluster the distributed tables follow the schema (server/db/citus.ts).
  await distributeOnCitus(db);
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
