/**
 * Deterministic synthetic city: one district of coded grids, buildings and units, its real
 * population with three years of residency history, permits, cases and collectors. The same
 * seed, scale and `today` always give the same rows, whichever way they are written:
 * generateCity (one transaction, either engine) or loadCityWithCopy (PostgreSQL, city scale).
 */
import { sql, type Kysely } from 'kysely';
import type { DatabaseHandle } from '../../db/connection.ts';
import type { DB } from '../../db/schema.ts';
import { chinaToday } from '../../domain/calendar.ts';
import type { Scale } from './config.ts';
import {
  CityGenerator,
  STREAMED_TABLES,
  type CityRows,
  type CitySummary,
  type FirstIds,
  type Progress,
  type RowSink,
  type StreamedTable,
} from './generator.ts';
import { groupCompounds } from './compounds.ts';
import { bulkInsert, type Target } from './insert.ts';
import * as store from './store.ts';
import { validateCity } from './validate.ts';

export { parseScale, resolveScale, SCALE_NAMES, type Scale } from './config.ts';
export type { CitySummary } from './generator.ts';

export interface CityOptions {
  seed: number;
  scale: Scale;
  /** YYYY-MM-DD; defaults to today in China (Asia/Shanghai), like the application's city_today(). */
  today?: string;
  onProgress?: Progress;
}

/** Writes a whole city in one transaction: a failure leaves the database as it was. */
export async function generateCity(handle: DatabaseHandle, options: CityOptions): Promise<CitySummary> {
  const today = options.today ?? chinaToday();
  const report = options.onProgress ?? (() => {});
  const step = (name: string) => (done: number, total: number) => report(name, done, total);
  return handle.db.transaction().execute(async (trx) => {
    await refuseIfNotEmpty(trx);
    const firstIds = await firstIdsIn(trx);
    const city = new CityGenerator(options.seed, options.scale, today, firstIds);
    await writeCity({ db: trx, pglite: handle.pglite }, city, firstIds, report);
    const summary = city.summary();
    await validateCity(trx, summary.districtCode, step('validate'));
    report('statistics', 0, 1);
    await store.refreshGridStats(trx, today);
    report('statistics', 1, 1);
    await store.storeSetting(trx, 'demo_city', { seed: options.seed, scale: options.scale, today, generatedAt: new Date().toISOString(), summary });
    return summary;
  });
}

/**
 * Loads the rows without their writers' recounts (refreshGridStats rebuilds the statistics once
 * at the end; the tables carry no statistics trigger, sql/0049). PGlite checks foreign keys row by row in slow WASM, so there the
 * load also skips the per-row triggers (session_replication_role = replica) and validateCity
 * checks every reference set-wise afterwards; grids (whose writer notes the shapes, sql/0044) and
 * collector assignments (whose trigger checks a rule) are written outside that.
 */
async function writeCity(target: Target, city: CityGenerator, firstIds: FirstIds, report: Progress): Promise<void> {
  const { db, pglite } = target;
  await store.storeAreas(target, city.layout, (done, total) => report('areas', done, total));
  if (pglite) await sql`SET LOCAL session_replication_role = replica`.execute(db);
  const sink = new BufferedSink(target);
  await city.writeRows(sink, report);
  await sink.flush();
  await groupCompounds(db);
  await store.continueSequences(db, { count: city.rowCounts.permits, firstNumber: firstIds.permitNumber });
  if (pglite) await sql`SET LOCAL session_replication_role = origin`.execute(db);
  await store.storeCollectors(target, city.staff.collectors, city.staff.assignments, (done, total) => report('collectors', done, total));
  await store.forgetBuildingTiles(db);
}

/**
 * Gathers batches into statements of a few thousand rows. Whenever one table's rows are due,
 * every table's are written, parents first, so a row never arrives before the row it references.
 */
class BufferedSink implements RowSink {
  private readonly pending: { [T in StreamedTable]: CityRows[T][] } = { buildings: [], units: [], persons: [], residencies: [], permits: [], cases: [] };
  private readonly chunkSize: number;

  constructor(private readonly target: Target) {
    this.chunkSize = target.pglite ? 20_000 : 5000;
  }

  async write<T extends StreamedTable>(table: T, rows: readonly CityRows[T][]): Promise<void> {
    const buffer = this.pending[table];
    for (const row of rows) buffer.push(row);
    if (buffer.length >= this.chunkSize) await this.flush();
  }

  async flush(): Promise<void> {
    for (const table of STREAMED_TABLES) await this.flushTable(table);
  }

  private async flushTable<T extends StreamedTable>(table: T): Promise<void> {
    const rows = this.pending[table];
    if (rows.length === 0) return;
    this.pending[table] = [];
    await bulkInsert(this.target, store.CITY_COLUMNS[table], rows);
  }
}

export async function firstIdsIn(db: Kysely<DB>): Promise<FirstIds> {
  return {
    person: await store.nextId(db, 'persons'),
    permit: await store.nextId(db, 'permits'),
    collector: await store.nextId(db, 'collectors'),
    permitNumber: await store.nextPermitNumber(db),
  };
}

export async function refuseIfNotEmpty(db: Kysely<DB>): Promise<void> {
  const result = await sql<{ any: boolean }>`SELECT EXISTS (SELECT 1 FROM buildings) AS any`.execute(db);
  if (result.rows[0]?.any) {
    throw new Error('the database already has buildings: the city generator only writes into an empty database (use a fresh DATA_DIR or database)');
  }
}
