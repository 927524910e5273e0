import { factsWritten, lockFacts, type CountedTable } from '../../db/counted-writes.ts';
import type { ImportUpdates } from './kind.ts';

/** An upsert's hook for a table whose writers recount the grid statistics (no triggers): lock the facts, recount after. */
export function countedUpdates(table: CountedTable): NonNullable<ImportUpdates<unknown>['counted']> {
  return {
    before: (trx, keys) => lockFacts(trx, table, keys),
    after: (trx, before, keys) => factsWritten(trx, table, before, keys),
  };
}
