import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Bbox } from '../domain/coordinates.ts';
import { cityExtent } from './repository.ts';

/** What other features ask of the administrative areas (the areas' own routes read ./repository.ts). */

/** The box every published feature lies in (the districts' extent); undefined before any district is imported. */
export async function cityBounds(db: Kysely<DB>): Promise<Bbox | undefined> {
  return cityExtent(db);
}
