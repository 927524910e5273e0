import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceMetres, fromWgs84, type LonLat } from '../../server/domain/coordinates.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE, fixtureUnitCode, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import {
  csvText,
  freeWestUnit,
  gbkCsv,
  geoJsonFile,
  idNumberFor,
  importAndWait,
  ImportGate,
  importer,
  PEOPLE_HEADERS,
  peopleRows,
  rowCountsOfEveryTable,
  UNIT_HEADERS,
  unitRows,
  utf8Csv,
  xlsxFile,
  type ImportJob,
  type Importer,
  type Table,
} from '../helpers/import-files.ts';
import { editShapesByHand, writeCounted } from '../helpers/hand-edits.ts';
import { expectPopulationAsCounted } from '../helpers/population-counts.ts';

/**
 * Imports over HTTP against the real database: an office's GBK spreadsheet goes in whole or
 * not at all, with a report naming every bad row; declared GCJ-02/BD-09 points are stored as
 * WGS84; collectors import only inside their grids; large files stream with visible progress.
 */

let t: TestApp;
let admin: Importer;
let collector: Importer;
const gate = new ImportGate();

beforeAll(async () => {
  // Small batches, and a gate the 20,000-row test holds its job at, part-way, while it looks.
  t = await startTestApp({ IMPORT_BATCH_ROWS: '500' }, { afterImportBatch: gate.afterBatch });
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'admin', 'admin');
  await insertUser(t.handle.db, 'collector', 'collector', [FIXTURE.gridWest]);
  admin = await importer(t, 'admin');
  collector = await importer(t, 'collector');
});
afterAll(async () => t?.close());

const pointOf = async (table: 'buildings' | 'cases', where: string) => {
  const column = table === 'buildings' ? 'code' : 'case_no';
  const row = await sql<{
    lon: number;
    lat: number;
  }>`SELECT ST_X(point) AS lon, ST_Y(point) AS lat FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${where}`.execute(t.handle.db);
  return [row.rows[0]!.lon, row.rows[0]!.lat] as LonLat;
};

const newBuilding = (number: number) => `${FIXTURE.gridWest}${String(number).padStart(5, '0')}`;
const BUILDING_HEADERS = ['建筑物编码', '地址', '楼层数', '建筑用途', '管理模式', '门禁', '视频监控', '治安责任书', '经度', '纬度'];

describe('file formats and encodings', () => {
  it('imports a GBK CSV of people with Chinese headers and values, and reads the Chinese back intact', async () => {
    const rows = peopleRows(12);
    const { job } = await importAndWait(admin, { kind: 'people', crs: 'wgs84', filename: '流动人口登记.csv' }, gbkCsv([PEOPLE_HEADERS, ...rows]));
    expect(job).toMatchObject({ status: 'done', encoding: 'gbk', rowsTotal: 12, rowsImported: 12, errorCount: 0 });
    const stored = await t.handle.db
      .selectFrom('persons')
      .innerJoin('residencies', 'residencies.person_id', 'persons.id')
      .select(['name', 'id_number', 'sex', 'category', 'floating_type', 'unit_code', 'moved_in', 'registered_at', 'birth_date'])
      .where(
        'id_number',
        'in',
        rows.map((row) => String(row[1])),
      )
      .orderBy('id_number')
      .execute();
    expect(stored).toHaveLength(12);
    for (const person of stored) {
      const row = rows.find((candidate) => candidate[1] === person.id_number)!;
      expect(person).toMatchObject({
        name: row[0],
        sex: row[2] === '男' ? 'M' : 'F',
        category: 'floating',
        floating_type: 'shared',
        unit_code: row[5],
        moved_in: '2024-03-01',
        registered_at: '2024-03-05',
        birth_date: '1990-01-01',
      });
    }
  });

  it('reads UTF-8 with a byte-order mark, English headers and quoted fields', async () => {
    const table: Table = [
      ['unit_code', 'floor', 'room', 'area', 'use', 'landlord name', 'ignored column'],
      [freeWestUnit(900_001), 5, '5-01', '31.5', 'rented', '房东, "老王"', 'x'],
      [freeWestUnit(900_002), 5, '5-02', '', 'vacant', '', 'y'],
    ];
    const { job } = await importAndWait(admin, { kind: 'units', crs: 'wgs84' }, utf8Csv(table, true), { contentType: 'text/csv', multipart: 'units.csv' });
    expect(job).toMatchObject({ status: 'done', encoding: 'utf-8', rowsImported: 2 });
    const units = await t.handle.db
      .selectFrom('units')
      .select(['code', 'floor', 'room', 'area_m2', 'use', 'landlord_name'])
      .where('code', 'in', [freeWestUnit(900_001), freeWestUnit(900_002)])
      .orderBy('code')
      .execute();
    expect(units).toEqual([
      { code: freeWestUnit(900_001), floor: 5, room: '5-01', area_m2: 31.5, use: 'rented', landlord_name: '房东, "老王"' },
      { code: freeWestUnit(900_002), floor: 5, room: '5-02', area_m2: null, use: 'vacant', landlord_name: null },
    ]);
  });

  it('imports an XLSX workbook of buildings (numbers, 是/否, Chinese vocabularies)', async () => {
    const workbook = await xlsxFile([
      BUILDING_HEADERS,
      [newBuilding(101), '测试路101号', 6, '城中村', '散居包片式', '是', '否', '是', 114.2031, 22.7031],
      [newBuilding(102), '测试路102号', 12, '住宅', '物业式', '否', '是', '否', 114.2042, 22.7042],
    ]);
    const { job } = await importAndWait(admin, { kind: 'buildings', crs: 'wgs84', filename: '楼栋.xlsx' }, workbook);
    expect(job).toMatchObject({ status: 'done', format: 'xlsx', encoding: null, rowsImported: 2 });
    const buildings = await t.handle.db
      .selectFrom('buildings')
      .select(['code', 'grid_code', 'address', 'floors', 'use', 'management_mode', 'has_access_control', 'has_video', 'responsibility_letter_signed'])
      .where('code', 'in', [newBuilding(101), newBuilding(102)])
      .orderBy('code')
      .execute();
    expect(buildings).toEqual([
      {
        code: newBuilding(101),
        grid_code: FIXTURE.gridWest,
        address: '测试路101号',
        floors: 6,
        use: 'urban_village',
        management_mode: 'patrol',
        has_access_control: true,
        has_video: false,
        responsibility_letter_signed: true,
      },
      {
        code: newBuilding(102),
        grid_code: FIXTURE.gridWest,
        address: '测试路102号',
        floors: 12,
        use: 'residential',
        management_mode: 'property',
        has_access_control: false,
        has_video: true,
        responsibility_letter_signed: false,
      },
    ]);
    expect(distanceMetres(await pointOf('buildings', newBuilding(101)), [114.2031, 22.7031])).toBeLessThan(0.01);
  });

  it('imports GeoJSON cases in BD-09, placing each in its grid by point or code', async () => {
    const truthInWest: LonLat = [114.2055, 22.7055];
    const truthInEast: LonLat = [114.2155, 22.7055];
    const file = geoJsonFile([
      { properties: { 案件编号: 'A-2024-001', 案件类型: '刑事案件', 案由: '盗窃', 发案时间: '2024-05-01 21:30' }, point: fromWgs84(truthInWest, 'bd09') },
      {
        properties: { caseNo: 'A-2024-002', kind: 'public_order', category: '噪音', occurredAt: '2024-05-02T08:00:00+08:00', buildingCode: FIXTURE.eastHouse },
        point: fromWgs84(truthInEast, 'bd09'),
      },
    ]);
    const { job, errors } = await importAndWait(admin, { kind: 'cases', crs: 'bd09' }, file, { multipart: '案件.geojson' });
    expect(errors).toEqual([]);
    expect(job).toMatchObject({ status: 'done', format: 'geojson', rowsImported: 2 });
    const cases = await t.handle.db
      .selectFrom('cases')
      .select(['case_no', 'kind', 'category', 'grid_code', 'building_code', 'occurred_at'])
      .where('case_no', 'like', 'A-2024-%')
      .orderBy('case_no')
      .execute();
    expect(cases.map(({ occurred_at, ...rest }) => ({ ...rest, at: new Date(occurred_at).toISOString() }))).toEqual([
      { case_no: 'A-2024-001', kind: 'criminal', category: '盗窃', grid_code: FIXTURE.gridWest, building_code: null, at: '2024-05-01T13:30:00.000Z' },
      {
        case_no: 'A-2024-002',
        kind: 'public_order',
        category: '噪音',
        grid_code: FIXTURE.gridEast,
        building_code: FIXTURE.eastHouse,
        at: '2024-05-02T00:00:00.000Z',
      },
    ]);
    expect(distanceMetres(await pointOf('cases', 'A-2024-001'), truthInWest)).toBeLessThan(1);
    expect(distanceMetres(await pointOf('cases', 'A-2024-002'), truthInEast)).toBeLessThan(1);
    // Counted in their grids' statistics by the import itself (the cases carry no trigger, sql/0045).
    const counted = await sql<{ grid_code: string; day: string; cases: number }>`
      SELECT grid_code, day::text AS day, cases FROM grid_case_daily WHERE day IN ('2024-05-01', '2024-05-02') ORDER BY day`.execute(t.handle.db);
    expect(counted.rows).toEqual([
      { grid_code: FIXTURE.gridWest, day: '2024-05-01', cases: 1 },
      { grid_code: FIXTURE.gridEast, day: '2024-05-02', cases: 1 },
    ]);
  });

  it('stores declared GCJ-02 points within 1 m of their WGS84 truth (published Shenzhen pair and fixture points)', async () => {
    // googollee/eviltransform's Shenzhen pair: WGS84 truth and its published GCJ-02 point.
    const published = { wgs84: [113.912316, 22.543847] as LonLat, gcj02: [113.9171764808363, 22.540796131694766] as LonLat };
    const truths: LonLat[] = [published.wgs84, [114.2011, 22.7011], [114.2089, 22.7093]];
    const gcj02Points = [published.gcj02, fromWgs84(truths[1]!, 'gcj02'), fromWgs84(truths[2]!, 'gcj02')];
    // A building's point must lie in its grid (issue 15.5): the published pair gets a grid around it.
    const shenzhenGrid = `${FIXTURE.community}09`;
    await editShapesByHand(
      t.handle.db,
      sql`INSERT INTO grids (code, community_code, name, geom, area_km2)
              VALUES (${shenzhenGrid}, ${FIXTURE.community}, '南山测试网格',
                      ST_GeomFromText('MULTIPOLYGON(((113.90 22.53,113.92 22.53,113.92 22.55,113.90 22.55,113.90 22.53)))', 4326), 4.6)`,
    );
    const codes = [`${shenzhenGrid}00201`, newBuilding(202), newBuilding(203)];
    const table: Table = [
      BUILDING_HEADERS,
      ...gcj02Points.map((point, index) => [codes[index]!, `火星路${index}号`, 3, '住宅', '物业式', '', '', '', point[0], point[1]]),
    ];
    const { job } = await importAndWait(admin, { kind: 'buildings', crs: 'gcj02', filename: 'amap.csv' }, utf8Csv(table));
    expect(job.status).toBe('done');
    for (const [index, truth] of truths.entries()) {
      const stored = await pointOf('buildings', codes[index]!);
      expect(distanceMetres(stored, truth)).toBeLessThan(1);
      expect(distanceMetres(gcj02Points[index]!, truth)).toBeGreaterThan(100);
    }
  });
});

describe('all rows or none', () => {
  it('changes nothing when one row is bad, and its report names that row and field', async () => {
    const rows = peopleRows(40, 100);
    const badIndex = 26;
    const goodId = String(rows[badIndex]![1]);
    rows[badIndex]![1] = goodId.slice(0, 17) + (goodId[17] === '0' ? '1' : '0'); // wrong check character
    const before = await rowCountsOfEveryTable(t);
    const { job, errors } = await importAndWait(admin, { kind: 'people', crs: 'wgs84', filename: 'people.csv' }, gbkCsv([PEOPLE_HEADERS, ...rows]));
    expect(job).toMatchObject({ status: 'failed', rowsTotal: 40, rowsImported: 0, errorCount: 1 });
    // Header is row 1, so data row k (from 0) is spreadsheet row k + 2.
    expect(errors).toMatchObject([
      { row: badIndex + 2, field: '身份证号', reason: expect.stringContaining('check character'), messageZh: '身份证号：校验码不正确' },
    ]);
    expect(await rowCountsOfEveryTable(t)).toEqual(before);

    const report = await admin
      .get(job.reportUrl)
      .expect(200)
      .expect('Content-Type', /text\/csv/);
    const lines = report.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r\n/);
    expect(lines[0]).toBe('row,field,reason,原因');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${badIndex + 2},身份证号,.*check character`));
  });

  it('reports every bad row: rule breaks, unknown references, duplicates in the file and rows already on file', async () => {
    const table: Table = [
      UNIT_HEADERS,
      [freeWestUnit(500), 4, 'B1', 20, '出租', '是'], // good
      [freeWestUnit(501), 4, 'B2', -3, '出租', '否'], // area not positive
      [freeWestUnit(500), 4, 'B3', 20, '自住', '否'], // repeats row 2
      [`${FIXTURE.gridWest}99999000001`, 1, 'C1', 20, '空置', '否'], // building not on file
      [fixtureUnitCode(FIXTURE.westHouse, 1, 1), 1, '101', 30, '出租', '是'], // already on file
      ['4403070010010100001000xyz', 1, 'D1', 20, '宿舍', '否'], // not digits
      [freeWestUnit(502), 4, 'B4', 20, '自住', '是'], // rental registration of a unit not rented
      [freeWestUnit(503), 4, 'B5', 20, '仓库', '否'], // unknown use
    ];
    const before = await rowCountsOfEveryTable(t);
    const { job, errors } = await importAndWait(admin, { kind: 'units', crs: 'wgs84', filename: 'units.csv' }, utf8Csv(table));
    expect(job).toMatchObject({ status: 'failed', errorCount: 7 });
    expect(errors.map(({ row, field }) => [row, field])).toEqual([
      [3, '面积(㎡)'],
      [4, '房屋编码'],
      [5, '房屋编码'],
      [6, '房屋编码'],
      [7, '房屋编码'],
      [8, '出租登记'],
      [9, '房屋用途'],
    ]);
    expect(errors.find((error) => error.row === 4)!.reason).toBe('repeats row 2');
    expect(errors.find((error) => error.row === 5)!.reason).toMatch(/building .* not on file/);
    expect(errors.find((error) => error.row === 6)!.reason).toMatch(/already on file/);
    expect(errors.find((error) => error.row === 9)!.reason).toMatch(/出租 \(rented\)/);
    expect(await rowCountsOfEveryTable(t)).toEqual(before);
  });

  it('refuses a file without a required column, naming the column at row 1', async () => {
    const { job, errors } = await importAndWait(
      admin,
      { kind: 'units', crs: 'wgs84', filename: 'u.csv' },
      utf8Csv([
        ['房屋编码', '房号'],
        [freeWestUnit(600), '1'],
      ]),
    );
    expect(job.status).toBe('failed');
    expect(errors.map(({ row, field }) => [row, field])).toEqual([
      [1, '所在楼层'],
      [1, '房屋用途'],
    ]);
  });

  it('refuses a person already living somewhere, and a move-in before birth, as the move-in form does', async () => {
    const [alreadyHere] = peopleRows(1); // imported by the GBK test above
    const baby = [...peopleRows(1, 700)[0]!];
    baby[1] = idNumberFor('20240401', 701);
    baby[2] = '男';
    const { job, errors } = await importAndWait(admin, { kind: 'people', crs: 'wgs84', filename: 'p.csv' }, utf8Csv([PEOPLE_HEADERS, alreadyHere!, baby]));
    expect(job.status).toBe('failed');
    expect(errors).toMatchObject([
      { row: 2, field: '身份证号', reason: expect.stringContaining('already has a current residence') },
      { row: 3, field: '入住日期', reason: expect.stringContaining('before the person') },
    ]);
  });
  it('moves a person already on file (moved out before) into a new unit, updating what changes with a move', async () => {
    const [row] = peopleRows(1, 1); // sequence 2: imported by the GBK test above
    const idNumber = String(row![1]);
    const earlier = (
      await sql<{ id: number }>`SELECT r.id FROM residencies AS r JOIN persons AS p ON p.id = r.person_id WHERE p.id_number = ${idNumber}`.execute(t.handle.db)
    ).rows.map((stay) => stay.id);
    await writeCounted(t.handle.db, 'residencies', earlier, (trx) =>
      sql`UPDATE residencies SET moved_out = '2024-06-01', deregistered_at = '2024-06-02' WHERE id = ANY (${earlier}::bigint[])`.execute(trx),
    );
    const moved = [...row!];
    moved[3] = '寄住';
    moved[4] = '';
    moved[5] = fixtureUnitCode(FIXTURE.westShop, 1, 1);
    moved[6] = '2024-07-01';
    moved[7] = '2024-07-03';
    const renamed = [...moved];
    renamed[0] = '改名字';
    const refused = await importAndWait(admin, { kind: 'people', crs: 'wgs84', format: 'csv' }, utf8Csv([PEOPLE_HEADERS, renamed]));
    // Which detail differs is not said: that would tell anyone with a spreadsheet who holds an ID number.
    expect(refused.errors).toMatchObject([
      { row: 2, field: expect.stringMatching(/证件号码|身份证/), reason: expect.stringContaining('do not match the person on file') },
    ]);

    const { job } = await importAndWait(admin, { kind: 'people', crs: 'wgs84', format: 'csv' }, utf8Csv([PEOPLE_HEADERS, moved]));
    expect(job.status).toBe('done');
    const person = await t.handle.db
      .selectFrom('persons')
      .select(['id', 'category', 'floating_type'])
      .where('id_number', '=', idNumber)
      .executeTakeFirstOrThrow();
    expect(person).toMatchObject({ category: 'lodging', floating_type: null });
    const stays = await t.handle.db
      .selectFrom('residencies')
      .select(['unit_code', 'moved_in', 'moved_out'])
      .where('person_id', '=', person.id)
      .orderBy('moved_in')
      .execute();
    expect(stays).toEqual([
      { unit_code: String(row![5]), moved_in: '2024-03-01', moved_out: '2024-06-01' },
      { unit_code: fixtureUnitCode(FIXTURE.westShop, 1, 1), moved_in: '2024-07-01', moved_out: null },
    ]);
    // The person on file updated and their new stay, counted in the statistics (sql/0049: no trigger does).
    await expectPopulationAsCounted(t.handle.db, ['2024-04-01', '2024-06-30', '2024-07-01', '2025-01-01'], 'a person on file moved in by an import');
    const [audit] = await t.handle.db
      .selectFrom('audit_log')
      .select('details')
      .where('target_type', '=', 'import_job')
      .where('target_id', '=', String(job.id))
      .execute();
    expect(audit!.details).toMatchObject({ written: { personsCreated: 0, personsUpdated: 1, residencies: 1 } });
  });
});

describe('collectors', () => {
  it('imports rows inside their grid, and refuses each row outside it', async () => {
    const outside = fixtureUnitCode(FIXTURE.eastHouse, 3, 1);
    const table: Table = [
      UNIT_HEADERS,
      [freeWestUnit(800), 4, 'E1', 20, '出租', '否'],
      [outside, 3, '301', 20, '出租', '否'],
      [freeWestUnit(801), 4, 'E2', 20, '出租', '否'],
    ];
    const before = await rowCountsOfEveryTable(t);
    const refused = await importAndWait(collector, { kind: 'units', crs: 'wgs84', filename: 'u.csv' }, utf8Csv(table));
    expect(refused.job.status).toBe('failed');
    expect(refused.errors).toMatchObject([{ row: 3, field: '房屋编码', reason: 'is outside your grids', messageZh: '不在您负责的网格内' }]);
    expect(await rowCountsOfEveryTable(t)).toEqual(before);

    const accepted = await importAndWait(collector, { kind: 'units', crs: 'wgs84', filename: 'u.csv' }, utf8Csv([table[0]!, table[1]!, table[3]!]));
    expect(accepted.job).toMatchObject({ status: 'done', rowsImported: 2 });
  });

  it('refuses a case whose point lies outside their grid', async () => {
    const file = geoJsonFile([
      { properties: { caseNo: 'C-IN', kind: '治安', category: '纠纷', occurredAt: '2024-06-01 10:00' }, point: [114.205, 22.705] },
      { properties: { caseNo: 'C-OUT', kind: '治安', category: '纠纷', occurredAt: '2024-06-01 10:00' }, point: [114.215, 22.705] },
    ]);
    const { errors } = await importAndWait(collector, { kind: 'cases', crs: 'wgs84', format: 'geojson' }, file);
    expect(errors).toMatchObject([{ row: 2, field: 'lon', reason: 'the case lies outside your grids' }]);
  });

  it('sees only their own jobs', async () => {
    const mine = (await collector.get('/api/imports').expect(200)).body.jobs as ImportJob[];
    const all = (await admin.get('/api/imports').expect(200)).body.jobs as ImportJob[];
    expect(mine.length).toBeGreaterThan(0);
    expect(all.length).toBeGreaterThan(mine.length);
    expect(mine.every((job) => job.createdBy === 'collector')).toBe(true);
    const adminsJob = all.find((job) => job.createdBy === 'admin')!;
    await collector.get(`/api/imports/${adminsJob.id}`).expect(404);
    await collector.get(`/api/imports/${adminsJob.id}/report.csv`).expect(404);
  });
});

describe('refusals before a job starts', () => {
  const csv = utf8Csv([UNIT_HEADERS, ...unitRows(1, 9000)]);
  it.each([
    [{ kind: 'tenants', crs: 'wgs84', format: 'csv' }, 'kind'],
    [{ kind: 'units', crs: 'utm50', format: 'csv' }, 'crs'],
    [{ crs: 'wgs84', format: 'csv' }, 'kind'],
    [{ kind: 'units', crs: 'wgs84', format: 'shp' }, 'format'],
    [{ kind: 'units', crs: 'wgs84' }, 'format'],
    [{ kind: 'units', crs: 'wgs84', format: 'xlsx' }, 'file'],
  ])('answers 400 to %j naming %s, and creates no job', async (query, field) => {
    const jobsBefore = (await admin.get('/api/imports?limit=200').expect(200)).body.jobs.length;
    const response = await admin.upload(query, csv).expect(400);
    expect(response.body.error.details.fields.map((entry: { field: string }) => entry.field)).toContain(field);
    expect((await admin.get('/api/imports?limit=200').expect(200)).body.jobs.length).toBe(jobsBefore);
  });

  it('answers 400 to an empty file', async () => {
    const response = await admin.upload({ kind: 'units', crs: 'wgs84', format: 'csv' }, Buffer.alloc(0)).expect(400);
    expect(response.body.error.details.fields).toEqual([{ field: 'file', message: 'The file is empty', messageZh: expect.stringMatching(/^file：/) }]);
  });

  it('answers 415 to a file sent as JSON, so no body is parsed past the 1 MB JSON limit', async () => {
    await admin.upload({ kind: 'cases', crs: 'wgs84', format: 'geojson' }, geoJsonFile([]), { contentType: 'application/json' }).expect(415);
  });

  it('answers 400 to a bad job id and 404 to an unknown one', async () => {
    await admin.get('/api/imports/abc').expect(400);
    await admin.get('/api/imports/999999').expect(404);
    await admin.get('/api/imports?limit=0').expect(400);
  });
});

describe('large files', () => {
  it('streams 20,000 rows with progress visible while the job runs, audited once with counts', async () => {
    const rows = 20_000;
    const file = utf8Csv([UNIT_HEADERS, ...unitRows(rows, 10_000)]);
    const unitsBefore = (
      await t.handle.db
        .selectFrom('units')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    const seen: ImportJob[] = [];
    const reached = gate.hold();
    let id: number;
    try {
      const accepted = await admin.upload({ kind: 'units', crs: 'wgs84', filename: 'big.csv' }, file).expect(202);
      id = accepted.body.job.id;
      expect(accepted.headers.location).toBe(`/api/imports/${id}`);
      expect(['queued', 'validating']).toContain(accepted.body.job.status);
      // Held after its first batch: the status shows that batch's rows and no more.
      expect(await reached).toEqual({ jobId: id, rowsProcessed: 500 });
      const partWay: ImportJob = (await admin.get(`/api/imports/${id}`).expect(200)).body.job;
      expect(partWay).toMatchObject({ status: 'validating', rowsProcessed: 500 });
      expect(partWay.progress).toBeGreaterThan(0);
      expect(partWay.progress).toBeLessThan(1);
      seen.push(partWay);
    } finally {
      gate.release();
    }
    const { job } = await admin.follow(id, seen);
    expect(job).toMatchObject({ status: 'done', rowsTotal: rows, rowsImported: rows, progress: 1 });

    // Progress only moved forward, batch by batch, from the part-way snapshot to the end.
    const order = ['queued', 'validating', 'importing', 'done'];
    const progress = seen.map((snapshot) => [order.indexOf(snapshot.status), snapshot.progress ?? 0] as const);
    for (let index = 1; index < progress.length; index += 1) {
      expect(progress[index]![0]).toBeGreaterThanOrEqual(progress[index - 1]![0]);
      if (progress[index]![0] === progress[index - 1]![0]) expect(progress[index]![1]).toBeGreaterThanOrEqual(progress[index - 1]![1]);
    }

    const unitsAfter = (
      await t.handle.db
        .selectFrom('units')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    expect(unitsAfter - unitsBefore).toBe(rows);
    const audit = await t.handle.db
      .selectFrom('audit_log')
      .select(['action', 'target_type', 'details'])
      .where('target_type', '=', 'import_job')
      .where('target_id', '=', String(job.id))
      .execute();
    expect(audit).toEqual([
      {
        action: 'import',
        target_type: 'import_job',
        details: { kind: 'units', mode: 'add', format: 'csv', crs: 'wgs84', encoding: 'utf-8', rows, written: { units: rows } },
      },
    ]);
  });

  it('audits people imports with counts only, never an ID number or a name', async () => {
    const rows = peopleRows(3, 300);
    const { job } = await importAndWait(admin, { kind: 'people', crs: 'wgs84', filename: 'p.csv' }, utf8Csv([PEOPLE_HEADERS, ...rows]));
    expect(job.status).toBe('done');
    const [entry] = await t.handle.db
      .selectFrom('audit_log')
      .select(['details'])
      .where('target_type', '=', 'import_job')
      .where('target_id', '=', String(job.id))
      .execute();
    expect(entry!.details).toEqual({
      kind: 'people',
      mode: 'add',
      format: 'csv',
      crs: 'wgs84',
      encoding: 'utf-8',
      rows: 3,
      written: { personsCreated: 3, personsUpdated: 0, residencies: 3 },
    });
    const text = JSON.stringify(entry);
    for (const row of rows) {
      expect(text).not.toContain(String(row[1]));
      expect(text).not.toContain(String(row[0]));
    }
  });

  it('keeps CSV text exactly as written (round trip of the GBK helper itself)', () => {
    expect(
      csvText([
        ['a,b', '"q"'],
        ['中文', null],
      ]),
    ).toBe('"a,b","""q"""\r\n中文,\r\n');
  });
});

describe("a building's point and its grid (issue 15.5)", () => {
  it('refuses a point outside its grid polygon, naming row, field and distance, and imports nothing', async () => {
    const table: Table = [
      BUILDING_HEADERS,
      [newBuilding(151), '测试路151号', 3, '住宅', '物业式', '否', '否', '否', 114.2051, 22.7051],
      // About 4 km east of the west grid, beyond the east grid too.
      [newBuilding(152), '测试路152号', 3, '住宅', '物业式', '否', '否', '否', 114.25, 22.705],
      // About 10 m west of the west grid's edge: inside the 20 m tolerance.
      [newBuilding(153), '测试路153号', 3, '住宅', '物业式', '否', '否', '否', 114.1999, 22.705],
    ];
    const { job, errors } = await importAndWait(admin, { kind: 'buildings', crs: 'wgs84', filename: 'outside.csv' }, utf8Csv(table));
    expect(job).toMatchObject({ status: 'failed', rowsImported: 0 });
    expect(errors).toMatchObject([{ row: 3, field: '经度', reason: expect.stringMatching(/is 4\d{3} m outside its grid 44030700100101/) }]);
    const stored = await t.handle.db
      .selectFrom('buildings')
      .select('code')
      .where('code', 'in', [newBuilding(151), newBuilding(152), newBuilding(153)])
      .execute();
    expect(stored).toEqual([]);

    const { job: accepted } = await importAndWait(
      admin,
      { kind: 'buildings', crs: 'wgs84', filename: 'inside.csv' },
      utf8Csv([table[0]!, table[1]!, table[3]!]),
    );
    expect(accepted).toMatchObject({ status: 'done', rowsImported: 2 });
  });
});
