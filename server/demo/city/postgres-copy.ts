/**
 * City-scale load into PostgreSQL: the generator's rows go straight into COPY … FROM STDIN, one
 * connection per table so the server parses several tables at once while this process draws the
 * next rows. Memory stays bounded (rows are dropped once sent; what is kept is the compact
 * register of buildings and units, the ID registry, planned permits and cases).
 *
 * The load runs with what would make it slow set aside and rebuilt once at the end:
 * - the rows go in without their writers' recounts (the tables carry no statistics trigger,
 *   sql/0049); the statistics are computed from the loaded rows as refresh_grid_stats() would
 *   (bulk-statistics.ts), as the writers would have kept them;
 * - secondary indexes and foreign keys are dropped and rebuilt (bulk-indexes.ts);
 * - then ANALYZE, so the first queries get good plans.
 * It is not one transaction: a failed load leaves a partial city, so load into a fresh database.
 */
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';
import { openDatabase } from '../../db/connection.ts';
import { migrateToLatest } from '../../db/migrator.ts';
import { chinaToday } from '../../domain/calendar.ts';
import { restoreIndexes, setAsideIndexes } from './bulk-indexes.ts';
import { groupCompounds } from './compounds.ts';
import { rebuildGridStatistics } from './bulk-statistics.ts';
import { CityGenerator, STREAMED_TABLES, type CityRows, type CitySummary, type RowSink, type StreamedTable } from './generator.ts';
import { firstIdsIn, refuseIfNotEmpty, type CityOptions } from './index.ts';
import { copySql, copyText } from './insert.ts';
import * as store from './store.ts';
import { validateCity } from './validate.ts';

export interface CopyLoadOptions extends CityOptions {
  databaseUrl: string;
  /** Connections building indexes at once (default 2: one per core of the reference machine). */
  workers?: number;
  /** Run the generator's geometry checks (validate.ts) after the load (default true); references are the validated foreign keys'. */
  validate?: boolean;
  /** Called when a phase ends, with its wall-clock seconds. */
  onPhase?: (phase: string, seconds: number) => void;
}

export interface CopyLoadResult {
  summary: CitySummary;
  /** Wall-clock seconds of each phase, in order. */
  seconds: Record<string, number>;
}

export async function loadCityWithCopy(options: CopyLoadOptions): Promise<CopyLoadResult> {
  const today = options.today ?? chinaToday();
  const report = options.onProgress ?? (() => {});
  const phases = new PhaseClock(options.onPhase);
  const connect = async () => {
    const client = new pg.Client({ connectionString: options.databaseUrl });
    await client.connect();
    return client;
  };
  const handle = await openDatabase({ databaseUrl: options.databaseUrl, poolSize: 2, statementTimeoutMs: 0 });
  try {
    const { db } = handle;
    await migrateToLatest(db);
    await refuseIfNotEmpty(db);
    const firstIds = await firstIdsIn(db);
    const city = new CityGenerator(options.seed, options.scale, today, firstIds);
    await db.transaction().execute((trx) => store.storeAreas({ db: trx }, city.layout, (done, total) => report('areas', done, total)));
    phases.end('areas');

    const admin = await connect();
    const aside = await setAsideIndexes(admin, STREAMED_TABLES).finally(() => admin.end());
    const sink = new CopySink(connect);
    await city.writeRows(sink, report).then(
      () => sink.finish(),
      (error: unknown) => sink.abort(error),
    );
    phases.end('rows');

    await db.transaction().execute(async (trx) => {
      await store.continueSequences(trx, { count: city.rowCounts.permits, firstNumber: firstIds.permitNumber });
      await store.storeCollectors({ db: trx }, city.staff.collectors, city.staff.assignments, (done, total) => report('collectors', done, total));
    });
    phases.end('collectors');
    await restoreIndexes(connect, aside, STREAMED_TABLES, options.workers ?? 2, (done, total) => report('indexes', done, total));
    phases.end('indexes');
    // After the indexes: grouping joins buildings to grids by code.
    await groupCompounds(db);

    const summary = city.summary();
    if (options.validate ?? true) {
      await validateCity(db, summary.districtCode, (done, total) => report('checks', done, total), { references: false });
      phases.end('checks');
    }
    // Each step of the rebuild is a phase of its own in the timings.
    await rebuildGridStatistics(connect, today, options.workers ?? 2, (step, done, total) => {
      report(step, done, total);
      if (done === total) phases.end(step);
    });
    await store.forgetBuildingTiles(db);
    await store.storeSetting(db, 'demo_city', {
      seed: options.seed,
      scale: options.scale,
      today,
      generatedAt: new Date().toISOString(),
      summary,
      loader: 'copy',
    });
    return { summary, seconds: phases.seconds };
  } finally {
    await handle.close();
  }
}

/** One COPY … FROM STDIN per table, each on its own connection, opened on the table's first rows. */
class CopySink implements RowSink {
  private readonly open = new Map<StreamedTable, { client: pg.Client; stream: CopyStreamQuery; failure?: unknown }>();

  constructor(private readonly connect: () => Promise<pg.Client>) {}

  async write<T extends StreamedTable>(table: T, rows: readonly CityRows[T][]): Promise<void> {
    const copy = this.open.get(table) ?? (await this.start(table));
    if (copy.failure) throw copy.failure;
    const spec = store.CITY_COLUMNS[table];
    if (!copy.stream.write(copyText(spec.columns, rows))) await once(copy.stream, 'drain');
  }

  /** Ends every COPY and waits until the server has taken all rows. */
  async finish(): Promise<void> {
    for (const copy of this.open.values()) {
      copy.stream.end();
      await finished(copy.stream);
      await copy.client.end();
    }
    this.open.clear();
  }

  async abort(error: unknown): Promise<never> {
    for (const copy of this.open.values()) {
      copy.stream.destroy();
      await copy.client.end().catch(() => {});
    }
    this.open.clear();
    throw error;
  }

  private async start<T extends StreamedTable>(table: T) {
    const client = await this.connect();
    // Losing the last commits in a crash is harmless here: a failed load is started over.
    await client.query('SET synchronous_commit = off');
    const stream = client.query(copyFrom(copySql(store.CITY_COLUMNS[table], 'STDIN')));
    const copy: { client: pg.Client; stream: CopyStreamQuery; failure?: unknown } = { client, stream };
    stream.on('error', (error) => (copy.failure = error));
    this.open.set(table, copy);
    return copy;
  }
}

/** Wall-clock seconds per phase. */
class PhaseClock {
  readonly seconds: Record<string, number> = {};
  private last = Date.now();

  constructor(private readonly onPhase?: (phase: string, seconds: number) => void) {}

  end(phase: string): void {
    const now = Date.now();
    this.seconds[phase] = (now - this.last) / 1000;
    this.last = now;
    this.onPhase?.(phase, this.seconds[phase]);
  }
}
