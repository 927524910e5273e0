import type { Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { DB } from '../db/schema.ts';
import { visiblePrefixes } from '../http/jurisdiction.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { areaExists, type ExportScope } from './repository.ts';

// Who may export (LAYER_EXPORTERS, PERSON_EXPORTERS) is in domain/roles.ts; file names (fileStem) in http/attachments.ts.

/** Row caps: a file is built in memory, so a request for more is refused with the field to narrow. */
export const MAX_LAYER_FEATURES = 100_000;
export const MAX_PERSON_ROWS = 5_000;

/**
 * The area asked for, cut to the caller's jurisdiction: a station asking for its whole district
 * gets its own streets of it; an area wholly outside answers 404 like any code outside one's area.
 */
export async function exportScope(db: Kysely<DB>, principal: Principal, area: string | undefined): Promise<ExportScope> {
  const bounded = visiblePrefixes(principal);
  if (area === undefined) return bounded;
  const overlap = bounded === null ? [area] : bounded.flatMap((prefix) => (area.startsWith(prefix) ? [area] : prefix.startsWith(area) ? [prefix] : []));
  if (overlap.length === 0 || !(await areaExists(db, area))) throw notFound('Area', area);
  return [...new Set(overlap)];
}

/** Refuses a result past its cap (the query reads one row more than the cap to know). */
export function assertWithinCap(rows: number, cap: number, field: string): void {
  if (rows <= cap) return;
  const message = `the export would hold more than ${cap} rows; choose a smaller ${field}`;
  throw badRequest('export_too_large', message, { fields: [{ field, message }], limit: cap });
}
