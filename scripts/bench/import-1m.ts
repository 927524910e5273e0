/**
 * Measures one import of a generated 1,000,000-row people CSV (GBK, Chinese headers, each row a
 * person moving into a unit) through the real HTTP API on a real PostgreSQL+PostGIS: upload,
 * validation and the one-transaction import, with the server process's peak RSS.
 *
 *   node --expose-gc --import tsx scripts/bench/import-1m.ts [rows] [--keep]
 *   BENCH_DATABASE_URL=postgres://renwu:renwu@127.0.0.1/postgres (default) names the server;
 *   a database renwu_bench_import is created there (dropped afterwards unless --keep).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import pg from 'pg';
import { createApp } from '../../server/app.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { readConfig } from '../../server/config.ts';
import { detectCapabilities } from '../../server/db/capabilities.ts';
import { openDatabase } from '../../server/db/connection.ts';
import { noteShapesWritten } from '../../server/db/data-version.ts';
import { migrateToLatest } from '../../server/db/migrator.ts';
import { withCheckCharacter } from '../../server/domain/id-number.ts';
import { addDays } from '../../server/domain/calendar.ts';

const ROWS = Number(process.argv.slice(2).find((argument) => /^\d+$/.test(argument)) ?? 1_000_000);
const KEEP = process.argv.includes('--keep');
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://renwu:renwu@127.0.0.1/postgres';
const DATABASE = 'renwu_bench_import';
const GRIDS = 10;
const BUILDINGS_PER_GRID = 20;
const UNITS_PER_BUILDING = 500; // 100,000 units: ten people to a unit
const COMMUNITY = '440307001001';
const PASSWORD = 'bench-password-1';

const databaseUrl = (name: string) => Object.assign(new URL(SERVER_URL), { pathname: `/${name}` }).toString();

async function recreateDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${DATABASE}`);
  await client.end();
}

/** One community of GRIDS grids (0.01° squares), each with its buildings and units, by set-based SQL. */
async function insertCity(db: Awaited<ReturnType<typeof openDatabase>>['db']): Promise<void> {
  const all = `MULTIPOLYGON(((114 22.7,${114 + GRIDS * 0.01} 22.7,${114 + GRIDS * 0.01} 22.71,114 22.71,114 22.7)))`;
  for (const [code, level, parent] of [
    ['440307', 'district', null],
    ['440307001', 'street', '440307'],
    [COMMUNITY, 'community', '440307001'],
  ] as const) {
    await sql`INSERT INTO admin_areas (code, level, parent_code, name, geom) VALUES (${code}, ${level}, ${parent}, ${code}, ST_GeomFromText(${all}, 4326))`.execute(
      db,
    );
  }
  await sql`
    INSERT INTO grids (code, community_code, name, geom, area_km2)
    SELECT ${COMMUNITY} || lpad(g::text, 2, '0'), ${COMMUNITY}, 'grid ' || g,
           ST_Multi(ST_MakeEnvelope(114 + (g - 1) * 0.01, 22.7, 114 + g * 0.01, 22.71, 4326)), 1.1
    FROM generate_series(1, ${GRIDS}) AS g`.execute(db);
  await noteShapesWritten(db);
  await sql`
    INSERT INTO buildings (code, street_code, grid_code, address, floors, use, management_mode, point)
    SELECT g.code || lpad(b::text, 5, '0'), left(g.code, 9), g.code, 'bench road ' || b, 20, 'residential', 'property',
           ST_SetSRID(ST_MakePoint(ST_X(ST_Centroid(g.geom)), ST_Y(ST_Centroid(g.geom))), 4326)
    FROM grids AS g, generate_series(1, ${BUILDINGS_PER_GRID}) AS b`.execute(db);
  await sql`
    INSERT INTO units (code, street_code, building_code, floor, room, area_m2, use)
    SELECT b.code || lpad(u::text, 6, '0'), b.street_code, b.code, 1 + u / 25, u::text, 40, 'rented'
    FROM buildings AS b, generate_series(1, ${UNITS_PER_BUILDING}) AS u`.execute(db);
  // The buildings and units carry no trigger (sql/0046, sql/0047): a bulk writer recounts every
  // grid at once (no building tile is kept yet in the bench's new database).
  await sql`SELECT recount_grid_units(NULL), recount_grid_cases(NULL)`.execute(db);
  await db
    .insertInto('users')
    .values({
      username: 'bench-admin',
      display_name: 'bench',
      role: 'admin',
      jurisdiction: [],
      password_hash: await hashPassword(PASSWORD),
      collector_id: null,
    })
    .execute();
}

const NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄强', '周杰', '吴霞'];
const unitCodeOf = (index: number) => {
  const unit = index % (GRIDS * BUILDINGS_PER_GRID * UNITS_PER_BUILDING);
  const building = Math.floor(unit / UNITS_PER_BUILDING);
  const grid = 1 + Math.floor(building / BUILDINGS_PER_GRID);
  return `${COMMUNITY}${String(grid).padStart(2, '0')}${String(1 + (building % BUILDINGS_PER_GRID)).padStart(5, '0')}${String(1 + (unit % UNITS_PER_BUILDING)).padStart(6, '0')}`;
};

/** Row `index`: a distinct ID number (birth day × sequence), moved in during 2023–2025. */
function personLine(index: number): string {
  const birth = addDays('1950-01-01', index % 20_000).replaceAll('-', '');
  const idNumber = withCheckCharacter(`440306${birth}${String(Math.floor(index / 20_000)).padStart(3, '0')}`);
  const male = Math.floor(index / 20_000) % 2 === 1;
  const movedIn = addDays('2023-01-01', index % 1000);
  return (
    [
      NAMES[index % NAMES.length],
      idNumber,
      male ? '男' : '女',
      index % 5 === 0 ? '寄住' : '流动人口',
      unitCodeOf(index),
      movedIn,
      addDays(movedIn, index % 12),
      '13800138000',
    ].join(',') + '\r\n'
  );
}

async function writeCsv(file: string): Promise<number> {
  const out = fs.createWriteStream(file);
  const write = (text: string) => new Promise<void>((resolve) => (out.write(iconv.encode(text, 'gbk')) ? resolve() : out.once('drain', resolve)));
  await write('姓名,身份证号,性别,人员类别,房屋编码,入住日期,登记日期,联系电话\r\n');
  let chunk = '';
  for (let index = 0; index < ROWS; index += 1) {
    chunk += personLine(index);
    if (chunk.length > 256 * 1024) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise((resolve) => out.end(resolve));
  return fs.statSync(file).size;
}

/** Streams the file from disk into the upload: the client side holds no more of it than the server. */
function upload(port: number, cookie: string, csrf: string, file: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        port,
        method: 'POST',
        path: '/api/imports?kind=people&crs=wgs84&format=csv&filename=bench.csv',
        headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'text/csv', 'content-length': fs.statSync(file).size },
      },
      (response) => {
        let body = '';
        response.on('data', (part) => (body += part));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    fs.createReadStream(file).pipe(request);
  });
}

async function main(): Promise<void> {
  await recreateDatabase();
  const handle = await openDatabase({ databaseUrl: databaseUrl(DATABASE), statementTimeoutMs: 60_000 });
  await migrateToLatest(handle.db);
  await insertCity(handle.db);
  const file = path.join(os.tmpdir(), `renwu-bench-people-${process.pid}.csv`);
  const bytes = await writeCsv(file);
  console.log(`generated ${ROWS.toLocaleString('en')} rows, ${(bytes / 1024 / 1024).toFixed(0)} MB GBK CSV`);

  const config = readConfig({ NODE_ENV: 'production', RATE_LIMIT_USER_PER_MINUTE: '100000' });
  const app = createApp({ db: handle.db, engine: 'postgres', capabilities: await detectCapabilities(handle.db), config });
  const server = app.listen(0);
  const port = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench-admin', password: PASSWORD }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  // With node --expose-gc: the heap still held after a full collection, every 5 s (RSS also counts garbage not yet collected).
  const collectGarbage = (globalThis as { gc?: () => void }).gc;
  let peakHeldHeap = 0;
  const heldSampler = setInterval(() => {
    collectGarbage?.();
    peakHeldHeap = Math.max(peakHeldHeap, process.memoryUsage().heapUsed);
  }, 5000);
  const started = performance.now();
  const accepted = await upload(port, cookie, csrfToken, file);
  if (accepted.status !== 202) throw new Error(`upload refused: ${accepted.status} ${accepted.body}`);
  const uploaded = performance.now();
  const jobId = (JSON.parse(accepted.body) as { job: { id: number } }).job.id;
  const phases: Record<string, number> = {};
  let job: { status: string; rowsProcessed: number; errorCount: number; message: string | null };
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    job = ((await (await fetch(`${base}/api/imports/${jobId}`, { headers: { cookie } })).json()) as { job: typeof job }).job;
    phases[job.status] ??= performance.now();
    process.stderr.write(
      `\r  ${job.status.padEnd(10)} ${job.rowsProcessed.toLocaleString('en').padStart(10)} rows  rss ${(peakRss / 1024 / 1024).toFixed(0)} MB   `,
    );
    if (job.status === 'done' || job.status === 'failed') break;
  }
  const finished = performance.now();
  clearInterval(sampler);
  clearInterval(heldSampler);
  process.stderr.write('\n');
  const persons = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM persons`.execute(handle.db)).rows[0]!.n;
  const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(1);
  console.log(
    JSON.stringify(
      {
        rows: ROWS,
        fileMB: Math.round(bytes / 1024 / 1024),
        status: job.status,
        errors: job.errorCount,
        message: job.message,
        personsStored: persons,
        seconds: {
          total: seconds(started, finished),
          upload: seconds(started, uploaded),
          toImporting: phases.importing ? seconds(uploaded, phases.importing) : null,
          importing: phases.importing ? seconds(phases.importing, finished) : null,
        },
        peakRssMB: Math.round(peakRss / 1024 / 1024),
        peakHeapHeldMB: collectGarbage ? Math.round(peakHeldHeap / 1024 / 1024) : 'run with node --expose-gc --import tsx to measure',
        machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 1024 ** 3)} GB RAM, Node ${process.version}`,
      },
      null,
      2,
    ),
  );

  server.close();
  await handle.close();
  fs.rmSync(file, { force: true });
  if (!KEEP) {
    const client = new pg.Client({ connectionString: SERVER_URL });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await client.end();
  }
}

await main();
