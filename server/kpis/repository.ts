import { sql, type Kysely } from 'kysely';
import { codeWithin } from '../db/code-prefix.ts';
import type { DB } from '../db/schema.ts';
import type { Figures } from '../domain/heatmap-metrics.ts';
import type { TimeFrame } from '../heatmaps/service.ts';

/** The KPI figures heatmaps do not keep: person checks of one area (service.ts adds the rest). */

/** The latest 人户一致 check of each person inspected in the area during the period. */
export async function checkSums(db: Kysely<DB>, area: string, period: TimeFrame): Promise<Figures> {
  if (!('from' in period)) throw new Error('person checks are counted over a period');
  const result = await sql<{ consistent: number; checked: number }>`
    SELECT count(*) FILTER (WHERE found_here AND registered_here)::int AS consistent, count(*)::int AS checked
    FROM (SELECT DISTINCT ON (c.person_id) c.found_here, c.registered_here
          FROM inspection_person_checks c JOIN inspections i ON i.id = c.inspection_id
          WHERE i.visited_on BETWEEN ${period.from}::date AND ${period.to}::date AND ${codeWithin('i.building_code', [area])}
          ORDER BY c.person_id, i.visited_on DESC, i.id DESC) AS latest`.execute(db);
  return result.rows[0]!;
}
