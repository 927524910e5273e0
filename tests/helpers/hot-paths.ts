import {
  PostgresQueryCompiler,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { addDays, chinaToday, lastDayOfMonth } from '../../server/domain/calendar.ts';
import type { TestApp } from './app.ts';
import { FIXTURE } from './fixture-city.ts';
import { floatingAdult, idCard, REGISTRATION, signedIn, startRegistrationApp } from './registration-fixture.ts';

/**
 * The hot paths of docs/scale.md, as the application runs them: each is one HTTP request against
 * the registration fixture city, and what it sends to the database is recorded by a Kysely plugin
 * on the app's own Kysely. Nothing here imports a repository or a service, so moving code between
 * features changes no snapshot unless the SQL itself changes.
 * Used by tests/api/sql-snapshots.test.ts (the SQL text, checked in under sql/snapshots/) and
 * tests/api/sql-plans.test.ts (the indexes each plan must use).
 */

export interface RecordedQuery {
  sql: string;
  parameters: readonly unknown[];
}

export interface HotPath {
  name: string;
  /** The request, with placeholders for what changes from run to run (ids, dates). */
  request: string;
  /**
   * 'sent': in the order first sent, each with how often; 'sorted': each distinct statement once,
   * sorted, for a path whose request and the background work it starts run at once.
   */
  order: 'sent' | 'sorted';
  /** The statements differ between the engines (tiles: ST_AsMVT on PostgreSQL, a JS encoder on PGlite): one file per engine. */
  perEngine?: boolean;
  statements: RecordedQuery[];
}

/** How long nothing may be sent before a path's recording ends. */
const QUIET_MS = 400;

/** Compiles every query the app's Kysely runs (builder and sql`` alike) while a recording is open. */
export class QueryRecorder implements KyselyPlugin {
  readonly #compiler = new PostgresQueryCompiler();
  #recording: RecordedQuery[] | undefined;

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (this.#recording) {
      const compiled = this.#compiler.compileQuery(node, queryId);
      this.#recording.push({ sql: compiled.sql, parameters: compiled.parameters });
    }
    return node;
  }

  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }

  async record(run: () => Promise<unknown>): Promise<RecordedQuery[]> {
    const recording: RecordedQuery[] = [];
    this.#recording = recording;
    try {
      await run();
      // Work a response leaves behind (a cache filled, months precomputed) belongs to its request:
      // the recording ends once nothing has been sent for a while.
      for (let seen = -1, waited = 0; seen !== recording.length && waited < 30_000; waited += QUIET_MS) {
        seen = recording.length;
        await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      }
    } finally {
      this.#recording = undefined;
    }
    return recording;
  }
}

export interface HotPathRun {
  app: TestApp;
  paths: HotPath[];
}

const PURPOSE = 'purpose=' + encodeURIComponent('治安检查');

/**
 * Starts the fixture app with a recorder, registers a few people (not recorded), then runs each hot
 * path once, in this order, from a cold start (caches empty). Statements every logged-in request
 * sends (the session lookup, as GET /api/auth/me sends it) are taken out of each path and kept as
 * their own path, `authenticated-request`.
 */
export async function runHotPaths(): Promise<HotPathRun> {
  const recorder = new QueryRecorder();
  const t = await startRegistrationApp({ plugins: [recorder] });
  const [collector, police, leader, planner] = await Promise.all([
    signedIn(t, 'collector_west'),
    signedIn(t, 'police'),
    signedIn(t, 'leader'),
    signedIn(t, 'planner'),
  ]);
  const today = chinaToday();
  for (const [index, name] of ['王一', '李二'].entries()) {
    await collector
      .post('/api/registrations/move-in', {
        unitCode: REGISTRATION.westUnit(1, 1),
        movedIn: addDays(today, -30 - index),
        person: floatingAdult(idCard('1990-01-01', 1 + 2 * index), name),
      })
      .expect(201);
  }
  const lastMonthEnd = lastDayOfMonth(addDays(`${today.slice(0, 8)}01`, -1));
  const monthEndBefore = lastDayOfMonth(addDays(`${lastMonthEnd.slice(0, 8)}01`, -1));
  let movedInId = 0;
  const paths: (Omit<HotPath, 'statements' | 'order'> & { order?: HotPath['order']; warmUp?: () => Promise<unknown>; run: () => Promise<unknown> })[] = [
    {
      name: 'authenticated-request',
      request: 'GET /api/auth/me (what every logged-in request sends first: taken out of the others)',
      run: () => leader.get('/api/auth/me').expect(200),
    },
    {
      name: 'move-in',
      request: 'POST /api/registrations/move-in (collector, one floating adult into a rented unit)',
      run: async () => {
        const response = await collector
          .post('/api/registrations/move-in', {
            unitCode: REGISTRATION.westUnit(1, 2),
            movedIn: addDays(today, -2),
            person: floatingAdult(idCard('1991-02-03', 5), '张三'),
          })
          .expect(201);
        movedInId = response.body.personId;
      },
    },
    { name: 'person-read', request: 'GET /api/people/:id?purpose=… (police)', run: () => police.get(`/api/people/${movedInId}?${PURPOSE}`).expect(200) },
    {
      name: 'drilldown-building',
      request: 'GET /api/drilldown/buildings/:code?purpose=… (police: floors → units → occupants)',
      run: () => police.get(`/api/drilldown/buildings/${FIXTURE.westHouse}?${PURPOSE}`).expect(200),
    },
    {
      name: 'drilldown-unit',
      request: 'GET /api/units/:code (police: one unit of the floor plan)',
      run: () => police.get(`/api/units/${REGISTRATION.westUnit(1, 1)}`).expect(200),
    },
    {
      name: 'drilldown-occupants',
      request: 'GET /api/units/:code/occupants?purpose=… (police: a unit’s occupants and past residents)',
      run: () => police.get(`/api/units/${REGISTRATION.westUnit(1, 1)}/occupants?${PURPOSE}`).expect(200),
    },
    {
      name: 'heatmap',
      request: 'GET /api/heatmaps/floating_density?level=grid (leader, today)',
      run: () => leader.get('/api/heatmaps/floating_density?level=grid').expect(200),
    },
    {
      name: 'tile-grids',
      perEngine: true,
      request: 'GET /tiles/grids/12/x/y.mvt (leader)',
      run: () => leader.get('/tiles/grids/12/3347/1782.mvt').expect(200),
    },
    {
      name: 'tile-statistics',
      perEngine: true,
      request: 'GET /tiles/statistics/13/x/y.mvt (leader)',
      run: () => leader.get('/tiles/statistics/13/6694/3565.mvt').expect(200),
    },
    {
      name: 'tile-buildings',
      perEngine: true,
      request: 'GET /tiles/buildings/15/x/y.mvt (leader)',
      run: () => leader.get('/tiles/buildings/15/26779/14261.mvt').expect(200),
    },
    { name: 'health', request: 'GET /api/health (public)', run: () => collector.get('/api/health').expect(200) },
    {
      name: 'move-out',
      request: 'POST /api/registrations/move-out (collector)',
      run: () => collector.post('/api/registrations/move-out', { personId: movedInId, movedOut: addDays(today, -1) }).expect(200),
    },
    // Last: the first slide starts the precomputation of the slider's months (its race with the
    // request decides whether the request sums in SQL), and on PostgreSQL a watcher that asks for the
    // data version every few seconds from then on. Recorded: a slide once the months are kept.
    {
      name: 'time-slider',
      order: 'sorted',
      request: "GET /api/heatmaps/floating_density?level=grid&asOf=<a month end> (leader; the slider's months already precomputed by an earlier slide)",
      warmUp: () => leader.get(`/api/heatmaps/floating_density?level=grid&asOf=${lastMonthEnd}`).expect(200),
      run: () => leader.get(`/api/heatmaps/floating_density?level=grid&asOf=${monthEndBefore}`).expect(200),
    },
    {
      name: 'time-slider-summed',
      order: 'sorted',
      request: 'GET /api/heatmaps/floating_density?level=grid&asOf=<a day not precomputed> (leader; as a slide before the months are kept: summed in SQL)',
      run: () => leader.get(`/api/heatmaps/floating_density?level=grid&asOf=${addDays(lastMonthEnd, -14)}`).expect(200),
    },
    // After the slides: on PostgreSQL a hot-spot request also asks for the kept figures (the slider's
    // months and the cases per day), which the slides have already read for this data version; sorted,
    // since the watcher started by the slides may ask for the data version meanwhile.
    {
      name: 'hotspots',
      order: 'sorted',
      request: 'GET /api/hotspots?metric=floating_density (planner, today; the kept figures already read by the slides)',
      run: () => planner.get('/api/hotspots?metric=floating_density').expect(200),
    },
  ];
  const recorded: HotPath[] = [];
  for (const { run, warmUp, order = 'sent', ...path } of paths) {
    if (warmUp) await recorder.record(warmUp);
    recorded.push({ ...path, order, statements: await recorder.record(run) });
  }
  const session = new Set(recorded[0]!.statements.map((statement) => statement.sql));
  const [baseline, ...rest] = recorded;
  return { app: t, paths: [baseline!, ...rest.map((path) => ({ ...path, statements: path.statements.filter((statement) => !session.has(statement.sql)) }))] };
}

/** Where the snapshots and the index list live. */
export const SNAPSHOT_DIR = new URL('../../sql/snapshots/', import.meta.url).pathname;

/** A path's snapshot file: `<name>.sql`, or `<name>.<engine>.sql` for a path whose statements differ by engine. */
export function snapshotFile(path: HotPath, engine: 'pglite' | 'postgres'): string {
  return `${SNAPSHOT_DIR}${path.name}${path.perEngine ? `.${engine}` : ''}.sql`;
}

// Clauses that start a line in a snapshot: statements are written one clause a line whatever
// their source's layout (builder statements come as one line, sql`` templates as typed).
const CLAUSE =
  /(?<!\b(?:inner|left|right|full|cross|outer|natural|for|do|key))\s+(?=(?:with|select|from|(?:inner |left |right |full |cross )?join|where|group by|having|order by|limit|offset|union|returning|on conflict|values|set|insert into|update|delete from)\b)/gi;

/** One statement in a stable form: whitespace collapsed, one clause a line, parameters as Kysely numbers them ($1, $2 …). */
export function normalisedSql(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(CLAUSE, '\n');
}

/** Each distinct statement with how often the path sent it, in the path's order. */
function distinctStatements(path: HotPath): { text: string; times: number }[] {
  const times = new Map<string, number>();
  for (const statement of path.statements) {
    const text = normalisedSql(statement.sql);
    times.set(text, (times.get(text) ?? 0) + 1);
  }
  const entries = [...times].map(([text, count]) => ({ text, times: count }));
  return path.order === 'sorted' ? entries.sort((a, b) => (a.text < b.text ? -1 : 1)).map(({ text }) => ({ text, times: 1 })) : entries;
}

/** The checked-in text of a path: its request, then each statement it sends. */
export function snapshotText(path: HotPath): string {
  const statements = distinctStatements(path);
  const heading = (times: number, index: number) =>
    `-- statement ${index + 1} of ${statements.length}${path.order === 'sent' && times > 1 ? ` (sent ${times} times)` : ''}`;
  const order =
    path.order === 'sorted'
      ? '-- Each distinct statement once, sorted (the request and the work it starts in the background run at once).'
      : '-- In the order sent; a statement sent more than once is listed once.';
  return [
    `-- ${path.request}`,
    order,
    '-- Generated by `npm run sql:snapshots` (tests/api/sql-snapshots.test.ts): do not edit by hand.',
    '',
    statements.map(({ text, times }, index) => `${heading(times, index)}\n${text};`).join('\n\n'),
    '',
  ].join('\n');
}
