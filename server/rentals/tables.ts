/** Kysely types of the tables this feature owns (its migration in sql/). Composed into DB in server/db/schema.ts. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RentalTables {}
