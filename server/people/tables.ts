import type { Generated, GeneratedAlways } from 'kysely';

/** Kysely types of the tables this feature owns (its migration in sql/). Composed into DB in server/db/schema.ts. */
// biome-ignore lint/suspicious/noEmptyInterface: composed into DB; the feature's columns arrive by declaration merging below.
export interface RegistrationTables {}

// sql/0002_registrations.sql adds columns to the core residencies table; declaration merging
// adds them to its Kysely type here, next to the migration that owns them.
declare module '../db/schema.ts' {
  interface ResidenciesTable {
    /** Under 16 on the day of moving in: linked to the household, no registration duty (default false). */
    registration_exempt: Generated<boolean>;
    /** Generated: registered more than 7 days after moving in (never for exempt rows). */
    registered_late: GeneratedAlways<boolean>;
    /** Generated: moved out and not deregistered within 7 days (or never). */
    departure_unregistered: GeneratedAlways<boolean>;
  }
}
