import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Principal } from '../auth/session.ts';
import type { DB, Role } from '../db/schema.ts';
import { chinaToday } from '../domain/calendar.ts';
import { visiblePrefixes } from '../heatmaps/service.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { codeWithin } from '../registrations/visibility.ts';

/**
 * Who exports what, and over which codes.
 *
 * Layers (aggregates, never persons) go to the roles whose work is the whole picture: leaders
 * (with the k-suppression of their screens), planners, and police inside their jurisdiction.
 * Collectors enter data for their own grid and have no brief for files of it; admin and auditor
 * hold no brief for population figures (三权分立), as for the heatmaps.
 * Person lists go to police only (DOMAIN.md: nothing withheld inside their jurisdiction, every
 * look audited); everyone else gets 403.
 */
export const LAYER_EXPORTERS: readonly Role[] = ['leader', 'planner', 'police'];
export const PERSON_EXPORTERS: readonly Role[] = ['police'];

/** Row caps: a file is built in memory, so a request for more is refused with the field to narrow. */
export const MAX_LAYER_FEATURES = 100_000;
export const MAX_PERSON_ROWS = 5_000;

/** Code prefixes an export covers; null = the whole city. */
export type ExportScope = readonly string[] | null;

async function areaExists(db: Kysely<DB>, code: string): Promise<boolean> {
  const found = code.length === 14
    ? await db.selectFrom('grids').select('code').where('code', '=', code).executeTakeFirst()
    : await db.selectFrom('admin_areas').select('code').where('code', '=', code).executeTakeFirst();
  return found !== undefined;
}

/**
 * The area asked for, cut to the caller's jurisdiction: a station asking for its whole district
 * gets its own streets of it; an area wholly outside answers 404 like any code outside one's area.
 */
export async function exportScope(db: Kysely<DB>, principal: Principal, area: string | undefined): Promise<ExportScope> {
  const bounded = visiblePrefixes(principal);
  if (area === undefined) return bounded;
  const overlap = bounded === null
    ? [area]
    : bounded.flatMap((prefix) => (area.startsWith(prefix) ? [area] : prefix.startsWith(area) ? [prefix] : []));
  if (overlap.length === 0 || !(await areaExists(db, area))) throw notFound('Area', area);
  return [...new Set(overlap)];
}

/** SQL: the code column lies in the scope. */
export const inScope = (column: string, scope: ExportScope): RawBuilder<SqlBool> => (scope === null ? sql<SqlBool>`true` : codeWithin(column, scope));

/** Refuses a result past its cap (the query reads one row more than the cap to know). */
export function assertWithinCap(rows: number, cap: number, field: string): void {
  if (rows <= cap) return;
  const message = `the export would hold more than ${cap} rows; choose a smaller ${field}`;
  throw badRequest('export_too_large', message, { fields: [{ field, message }], limit: cap });
}

/** e.g. 'grids-440307001-2025-06-30-gcj02': what, where, when, and the coordinate system when not WGS84. */
export function fileStem(what: string, scopeLabel: string, crs?: string): string {
  return [what, scopeLabel, chinaToday(), ...(crs && crs !== 'wgs84' ? [crs] : [])].join('-');
}
