import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import type { Capabilities } from './db/capabilities.ts';
import type { Engine } from './db/connection.ts';
import type { DB } from './db/schema.ts';

/** What every feature gets: the database, what it can do, and the configuration. */
export interface AppContext {
  db: Kysely<DB>;
  engine: Engine;
  capabilities: Capabilities;
  config: Config;
}
