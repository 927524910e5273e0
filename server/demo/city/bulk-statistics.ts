/**
 * The maintained grid statistics of sql/0003_heatmaps.sql, rebuilt after a COPY load to exactly
 * what refresh_grid_stats() would leave (tests/bench/city-bulk-load.test.ts compares the two), but
 * on several connections and set-based where refresh_grid_stats() goes day by day:
 *
 * - population changes: the same population_deltas() over the same 2,000-people chunks, the
 *   chunks shared out between connections, and occupancy_changes_of_grids() per range of grids
 *   (sql/0028_occupied_units.sql), their sums added up at the end (range of grids by range of
 *   grids, side by side);
 * - daily populations: one statement per range of grids computing their running sums (what
 *   materialize_grid_population() does for a few grids), written in day order like
 *   carry_grid_population() writes them, with the secondary index built afterwards. Carrying day
 *   by day probes the changes once per grid and day: minutes at 20,000 grids × 1,100 days;
 * - cases and units: recount_grid_cases() and recount_grid_units(), beside the daily rows.
 *
 * Nothing else may write to the database meanwhile (it holds no lock that writers would wait on).
 */
import type pg from 'pg';
import { inParallel, restoreIndexes, setAsideIndexes } from './bulk-indexes.ts';

/** As refresh_grid_stats(): people are processed 2,000 at a time. */
const CHUNK_PEOPLE = 2000;
/** Chunks per job handed to a connection: small enough to share the work out evenly. */
const CHUNKS_PER_JOB = 50;
const MEASURES = ['registered', 'lodging', 'floating', 'overseas', 'floating_registered', 'floating_permitted', 'occupied_units'] as const;
const STAGING = 'city_load_population_changes';

export async function rebuildGridStatistics(
  connect: () => Promise<pg.Client>,
  today: string,
  workers: number,
  report: (step: string, done: number, total: number) => void,
): Promise<void> {
  const admin = await connect();
  try {
    // The kept window as store.refreshGridStats asks refresh_grid_stats() for it.
    await admin.query(`UPDATE grid_population_window SET first_day = least($1::date, city_today()) - 1100, last_day = city_today()`, [today]);
    await admin.query('TRUNCATE grid_population_changes, grid_population_daily, grid_case_daily, grid_unit_stats');
    const ranges = await gridRanges(admin, workers);
    await populationChanges(admin, connect, workers, ranges, report);
    const aside = await setAsideIndexes(admin, ['grid_population_daily']);
    report('statistics: daily', 0, ranges.length + 1);
    let done = 0;
    await inParallel(connect, workers, [
      ...ranges.map((range) => async (client: pg.Client) => {
        await client.query(`SET work_mem = '1GB'`);
        await client.query(DAILY_POPULATION, range);
        report('statistics: daily', (done += 1), ranges.length + 1);
      }),
      async (client: pg.Client) => {
        await client.query('SELECT recount_grid_cases(NULL)');
        await client.query('SELECT recount_grid_units(NULL)');
        report('statistics: daily', (done += 1), ranges.length + 1);
      },
    ]);
    await restoreIndexes(
      connect,
      aside,
      ['grid_population_changes', 'grid_population_daily', 'grid_case_daily', 'grid_unit_stats'],
      workers,
      (indexed, total) => report('statistics: indexes', indexed, total),
    );
    // The tables carry no triggers (sql/0036): the data version moves and every day counts as changed.
    await admin.query(`SELECT note_statistics_written('-infinity')`);
  } finally {
    await admin.end();
  }
}

/** [first, last] grid codes of `count` ranges holding about as many grids each. */
async function gridRanges(admin: pg.Client, count: number): Promise<[string, string][]> {
  const { rows } = await admin.query<{ first: string; last: string }>(
    `
    SELECT min(code) AS first, max(code) AS last
    FROM (SELECT code, ntile($1) OVER (ORDER BY code) AS part FROM grids) AS parts GROUP BY part ORDER BY part`,
    [count],
  );
  return rows.map((row) => [row.first, row.last]);
}

/** grid_population_changes: population_deltas() per chunk of people, summed over all chunks. */
async function populationChanges(
  admin: pg.Client,
  connect: () => Promise<pg.Client>,
  workers: number,
  ranges: [string, string][],
  report: (step: string, done: number, total: number) => void,
): Promise<void> {
  const columns = MEASURES.join(', ');
  const sums = MEASURES.map((measure) => `sum(d.${measure})`).join(', ');
  await admin.query(`CREATE UNLOGGED TABLE ${STAGING} (LIKE grid_population_changes)`);
  try {
    const { rows } = await admin.query<{ last: number }>(`SELECT coalesce(max(id), 0) / ${CHUNK_PEOPLE} AS last FROM persons`);
    const lastChunk = Number(rows[0]!.last);
    const jobs = Math.ceil((lastChunk + 1) / CHUNKS_PER_JOB);
    let done = 0;
    await inParallel(connect, workers, [
      ...Array.from({ length: jobs }, (_, job) => async (client: pg.Client) => {
        // As in store.refreshGridStats: a cached generic plan of population_deltas joins the arrays badly.
        await client.query('SET plan_cache_mode = force_custom_plan');
        const first = job * CHUNKS_PER_JOB;
        await client.query(
          `
        INSERT INTO ${STAGING} (grid_code, day, ${columns})
        SELECT d.grid_code, d.day, ${sums}
        FROM generate_series($1::bigint, $2::bigint) AS chunk
        CROSS JOIN LATERAL population_deltas(
          stay_facts_of_id_range(chunk * ${CHUNK_PEOPLE}, (chunk + 1) * ${CHUNK_PEOPLE}),
          person_facts_of_id_range(chunk * ${CHUNK_PEOPLE}, (chunk + 1) * ${CHUNK_PEOPLE}),
          permit_facts_of_id_range(chunk * ${CHUNK_PEOPLE}, (chunk + 1) * ${CHUNK_PEOPLE})) AS d
        GROUP BY d.grid_code, d.day`,
          [first, Math.min(lastChunk, first + CHUNKS_PER_JOB - 1)],
        );
        report('statistics: changes', (done += 1), jobs + ranges.length);
      }),
      ...ranges.map((range) => async (client: pg.Client) => {
        await client.query(`INSERT INTO ${STAGING} SELECT * FROM occupancy_changes_of_grids($1, $2)`, range);
        report('statistics: changes', (done += 1), jobs + ranges.length);
      }),
    ]);
    // Summed per range of grids on every connection; written in key order, so the primary key
    // grows at its end and a grid's history lies together.
    const total = MEASURES.map((measure) => `sum(${measure})`).join(', ');
    let merged = 0;
    await inParallel(
      connect,
      workers,
      ranges.map((range) => async (client) => {
        await client.query(`SET work_mem = '1GB'`);
        await client.query(
          `
        INSERT INTO grid_population_changes (grid_code, day, ${columns})
        SELECT grid_code, day, ${total}
        FROM ${STAGING} WHERE grid_code BETWEEN $1 AND $2
        GROUP BY grid_code, day
        HAVING (${total}) <> (${MEASURES.map(() => '0').join(', ')})
        ORDER BY grid_code, day`,
          range,
        );
        report('statistics: merge', (merged += 1), ranges.length);
      }),
    );
  } finally {
    await admin.query(`DROP TABLE IF EXISTS ${STAGING}`);
  }
}

/**
 * Every day of the kept window for every grid (of the range $1 … $2) that ever had a resident:
 * the counts before the window plus the running sum of the changes (materialize_grid_population's
 * arithmetic), in day order, the order reads of one day want and carry_grid_population() writes.
 */
const DAILY_POPULATION = `
  INSERT INTO grid_population_daily (day, grid_code, ${MEASURES.join(', ')})
  WITH span AS (SELECT first_day, last_day FROM grid_population_window),
  opening AS (
    SELECT c.grid_code, ${MEASURES.map((measure) => `sum(c.${measure}) AS ${measure}`).join(', ')}
    FROM grid_population_changes AS c, span WHERE c.day < span.first_day AND c.grid_code BETWEEN $1 AND $2
    GROUP BY c.grid_code),
  calendar AS (
    SELECT g.grid_code, series.day::date AS day
    FROM (SELECT DISTINCT grid_code FROM grid_population_changes WHERE grid_code BETWEEN $1 AND $2) AS g, span,
         generate_series(span.first_day, span.last_day, interval '1 day') AS series (day))
  SELECT k.day, k.grid_code,
         ${MEASURES.map((measure) => `(coalesce(o.${measure}, 0) + sum(coalesce(c.${measure}, 0)) OVER running)::int`).join(',\n         ')}
  FROM calendar AS k
  LEFT JOIN grid_population_changes AS c ON c.grid_code = k.grid_code AND c.day = k.day
  LEFT JOIN opening AS o ON o.grid_code = k.grid_code
  WINDOW running AS (PARTITION BY k.grid_code ORDER BY k.day ROWS UNBOUNDED PRECEDING)
  ORDER BY k.day, k.grid_code`;
