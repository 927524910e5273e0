import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

/**
 * One `T` per database handle, made on first use: state that every route of one app shares and
 * that must not leak into another app in the same process (the tests start many), such as tiles
 * rendered ahead or counts kept per data version.
 */
export function perDatabase<T>(create: (db: Kysely<DB>) => T): (db: Kysely<DB>) => T {
  const made = new WeakMap<Kysely<DB>, T>();
  return (db) => {
    let value = made.get(db);
    if (value === undefined) {
      value = create(db);
      made.set(db, value);
    }
    return value;
  };
}
