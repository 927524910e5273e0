import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE, insertFixtureCity, insertUser } from '../helpers/fixture-city.ts';
import { rentedUnitsOfGrid, writeCounted } from '../helpers/hand-edits.ts';
import { directPopulation, expectPopulationAsCounted } from '../helpers/population-counts.ts';
import { chinaToday } from '../../server/domain/calendar.ts';
import { maskIdNumber, maskPhone } from '../../server/domain/id-number.ts';
import {
  freeWestUnit,
  importAndWait,
  importer,
  PEOPLE_HEADERS,
  peopleRows,
  rowCountsOfEveryTable,
  UNIT_HEADERS,
  utf8Csv,
  type Importer,
  type Table,
} from '../helpers/import-files.ts';

/**
 * Imports that update (issue 16.9): an office's updated register, imported with mode=upsert,
 * adds new rows and updates rows on file (matched by code); a preview says per row what would
 * be added / changed / unchanged and changes nothing; a bad row still changes nothing. Error
 * reasons come in English and Chinese (16.8). Templates parse back as valid empty imports.
 */

let t: TestApp;
let admin: Importer;

beforeAll(async () => {
  t = await startTestApp();
  await insertFixtureCity(t.handle.db);
  await insertUser(t.handle.db, 'admin', 'admin');
  admin = await importer(t, 'admin');
});
afterAll(async () => t?.close());

const [A, B, C, D] = [freeWestUnit(7001), freeWestUnit(7002), freeWestUnit(7003), freeWestUnit(7004)];
const onFile: Table = [UNIT_HEADERS, [A, 4, 'A1', 25, '出租', '是'], [B, 4, 'B1', 25, '出租', '否'], [C, 4, 'C1', 25, '空置', '否']];
const updated: Table = [UNIT_HEADERS, [A, 4, 'A1', 25, '出租', '是'], [B, 5, 'B9', 30, '出租', '否'], [D, 4, 'D1', 20, '自住', '否']];

const unitsOnFile = async () =>
  (
    await sql<
      Record<string, unknown>
    >`SELECT code, floor, room, area_m2, use, rental_registered FROM units WHERE code IN (${sql.join([A, B, C, D])}) ORDER BY code`.execute(t.handle.db)
  ).rows;

describe('mode=upsert', () => {
  beforeAll(async () => {
    const { job } = await importAndWait(admin, { kind: 'units', crs: 'wgs84', filename: 'units.csv' }, utf8Csv(onFile));
    expect(job.status).toBe('done');
  });

  it('still refuses a row already on file in the default mode (add)', async () => {
    const { job, errors } = await importAndWait(admin, { kind: 'units', crs: 'wgs84', filename: 'u.csv' }, utf8Csv(updated));
    expect(job.status).toBe('failed');
    expect(errors.map((error) => error.row)).toEqual([2, 3]);
  });

  it('previews added / changed (old → new) / unchanged per row and totals, changing nothing', async () => {
    const before = await unitsOnFile();
    const counts = await rowCountsOfEveryTable(t);
    const accepted = await admin.upload({ kind: 'units', crs: 'wgs84', filename: 'u.csv', mode: 'upsert', preview: 'true' }, utf8Csv(updated)).expect(202);
    const body = await admin.follow(accepted.body.job.id);
    expect(body.job).toMatchObject({ status: 'done', mode: 'upsert', preview: true, rowsTotal: 3, rowsImported: 0 });
    expect(body.preview).toEqual({
      totals: { added: 1, changed: 1, unchanged: 1 },
      rows: [
        { row: 2, key: A, outcome: 'unchanged', changes: [] },
        {
          row: 3,
          key: B,
          outcome: 'changed',
          changes: [
            { field: 'floor', column: '所在楼层', old: 4, new: 5 },
            { field: 'room', column: '房号', old: 'B1', new: 'B9' },
            { field: 'areaM2', column: '面积(㎡)', old: 25, new: 30 },
          ],
        },
        { row: 4, key: D, outcome: 'added', changes: [] },
      ],
      truncated: false,
    });
    expect(await unitsOnFile()).toEqual(before);
    expect(await rowCountsOfEveryTable(t)).toEqual(counts);
  });

  it('one bad row: nothing changes, and the row report says why in English and Chinese', async () => {
    const before = await unitsOnFile();
    const bad: Table = [...updated, [C, 0.5, 'C1', 25, '空置', '否']];
    const { job, errors } = await importAndWait(admin, { kind: 'units', crs: 'wgs84', filename: 'u.csv', mode: 'upsert' }, utf8Csv(bad));
    expect(job.status).toBe('failed');
    expect(errors).toEqual([
      {
        row: 5,
        field: '所在楼层',
        reason: 'must be a whole number from -5 to 200',
        message: 'must be a whole number from -5 to 200',
        messageZh: '须为 -5 到 200 之间的整数',
      },
    ]);
    expect(await unitsOnFile()).toEqual(before);
    const report = await admin.get(job.reportUrl).expect(200);
    expect(report.text.replace(/^\uFEFF/, '').split(/\r\n/)[0]).toBe('row,field,reason,原因');
  });

  it('applies: rows on file are updated, new rows added, each update audited with its fields', async () => {
    const { job } = await importAndWait(admin, { kind: 'units', crs: 'wgs84', filename: 'u.csv', mode: 'upsert' }, utf8Csv(updated));
    expect(job).toMatchObject({ status: 'done', mode: 'upsert', preview: false, rowsImported: 3 });
    expect(await unitsOnFile()).toEqual([
      { code: A, floor: 4, room: 'A1', area_m2: 25, use: 'rented', rental_registered: true },
      { code: B, floor: 5, room: 'B9', area_m2: 30, use: 'rented', rental_registered: false },
      { code: C, floor: 4, room: 'C1', area_m2: 25, use: 'vacant', rental_registered: false },
      { code: D, floor: 4, room: 'D1', area_m2: 20, use: 'self_occupied', rental_registered: false },
    ]);
    const audit = await t.handle.db
      .selectFrom('audit_log')
      .select(['action', 'target_type', 'target_id', 'details'])
      .where('target_type', '=', 'unit')
      .where('target_id', 'in', [A, B, D])
      .execute();
    expect(audit).toEqual([{ action: 'update', target_type: 'unit', target_id: B, details: { importJob: job.id, fields: ['floor', 'room', 'areaM2'] } }]);
  });

  it('counts the units it adds and the uses it changes in their grid (the units carry no trigger, sql/0046)', async () => {
    const before = await rentedUnitsOfGrid(t.handle.db, FIXTURE.gridWest);
    expect(before.kept).toBe(before.counted);
    const letOut: Table = [UNIT_HEADERS, [C, 4, 'C1', 25, '出租', '否'], [freeWestUnit(7005), 4, 'E1', 20, '出租', '否']];
    const { job } = await importAndWait(admin, { kind: 'units', crs: 'wgs84', filename: 'u.csv', mode: 'upsert' }, utf8Csv(letOut));
    expect(job).toMatchObject({ status: 'done', rowsImported: 2 });
    expect(await rentedUnitsOfGrid(t.handle.db, FIXTURE.gridWest)).toEqual({ kept: before.kept + 2, counted: before.kept + 2 });
  });
});

describe('mode=upsert for buildings', () => {
  const HEADERS = ['建筑物编码', '地址', '楼层数', '建筑用途', '管理模式', '门禁', '房东电话', '经度', '纬度'];
  const code = (number: number) => `${FIXTURE.gridWest}${String(number).padStart(5, '0')}`;
  const register: Table = [
    HEADERS,
    [code(301), '测试路301号', 6, '住宅', '物业式', '是', '13800138000', 114.2031, 22.7031],
    [code(302), '测试路302号', 4, '住宅', '物业式', '否', '', 114.2042, 22.7042],
  ];

  /** The building tiles marked changed that draw a building (sql/0047: the buildings carry no trigger, their writers mark them). */
  const generationsOf = async (building: string) =>
    (
      await sql<{ generation: number }>`
      SELECT t.generation FROM buildings AS b, building_tiles_of(b.point) AS z JOIN building_tiles AS t USING (z, x, y)
      WHERE b.code = ${building} ORDER BY z.z`.execute(t.handle.db)
    ).rows.map((row) => row.generation);
  /** A grid's buildings as its unit statistics keep them and as the active buildings count them. */
  const buildingsOfWestGrid = async () =>
    (
      await sql<{ kept: number; counted: number }>`
      SELECT (SELECT buildings FROM grid_unit_stats WHERE grid_code = ${FIXTURE.gridWest}) AS kept,
             (SELECT count(*)::int FROM buildings WHERE grid_code = ${FIXTURE.gridWest} AND status = 'active') AS counted`.execute(t.handle.db)
    ).rows[0]!;

  it('reads points and booleans back as written (unchanged), shows a moved point and masks a landlord phone for an admin', async () => {
    const buildingsBefore = await buildingsOfWestGrid();
    expect((await importAndWait(admin, { kind: 'buildings', crs: 'wgs84', filename: 'b.csv' }, utf8Csv(register))).job.status).toBe('done');
    // Counted in their grid and drawn anew by the import itself.
    expect(await buildingsOfWestGrid()).toEqual({ kept: buildingsBefore.kept + 2, counted: buildingsBefore.kept + 2 });
    const drawnBefore = await generationsOf(code(302));
    expect(drawnBefore.length).toBeGreaterThan(0);
    const moved: Table = [HEADERS, register[1]!, [code(302), '测试路302号', 4, '住宅', '物业式', '否', '13900139000', 114.2043, 22.7042]];
    const accepted = await admin.upload({ kind: 'buildings', crs: 'wgs84', filename: 'b.csv', mode: 'upsert', preview: 'true' }, utf8Csv(moved)).expect(202);
    const { preview } = await admin.follow(accepted.body.job.id);
    expect(preview!.rows).toEqual([
      { row: 2, key: code(301), outcome: 'unchanged', changes: [] },
      {
        row: 3,
        key: code(302),
        outcome: 'changed',
        changes: [
          { field: 'landlordPhone', column: '房东电话', old: null, new: maskPhone('13900139000') },
          { field: 'point', column: '经度/纬度', old: '114.2042,22.7042', new: '114.2043,22.7042' },
        ],
      },
    ]);
    const { job } = await importAndWait(admin, { kind: 'buildings', crs: 'wgs84', filename: 'b.csv', mode: 'upsert' }, utf8Csv(moved));
    expect(job.status).toBe('done');
    const stored = await sql<{
      phone: string;
      lon: number;
    }>`SELECT landlord_phone AS phone, ST_X(point) AS lon FROM buildings WHERE code = ${code(302)}`.execute(t.handle.db);
    expect(stored.rows).toEqual([{ phone: '13900139000', lon: 114.2043 }]);
    // The moved building's tiles are marked changed by the upsert.
    expect(await generationsOf(code(302))).toEqual(drawnBefore.map((generation) => generation + 1));
  });
});

describe('mode=upsert for people', () => {
  const [stays, moves] = peopleRows(2, 500);
  const idOf = (row: Table[number]) => String(row[1]);
  const withPhone = (row: Table[number], phone: string) => row.map((cell, index) => (index === PEOPLE_HEADERS.indexOf('联系电话') ? phone : cell));
  const withUnit = (row: Table[number], unit: string) => row.map((cell, index) => (index === PEOPLE_HEADERS.indexOf('房屋编码') ? unit : cell));
  const personOnFile = async (row: Table[number]) =>
    (
      await sql<{ id: number; phone: string; stays: number }>`
    SELECT p.id, p.phone, (SELECT count(*)::int FROM residencies AS r WHERE r.person_id = p.id) AS stays FROM persons AS p WHERE p.id_number = ${idOf(row)}`.execute(
        t.handle.db,
      )
    ).rows[0]!;

  /** The row as a lodger (寄住), who has no floating type. */
  const asLodger = (row: Table[number]) =>
    row.map((cell, index) => (index === PEOPLE_HEADERS.indexOf('人员类别') ? '寄住人口' : index === PEOPLE_HEADERS.indexOf('流动类型') ? '' : cell));
  // Before, on and after the rows' move-in (2024-03-01) and today: what the counts of an import change.
  const DAYS = ['2024-02-29', '2024-03-01', '2025-01-01', chinaToday()];

  beforeAll(async () => {
    const { job } = await importAndWait(admin, { kind: 'people', crs: 'wgs84', filename: 'p.csv' }, utf8Csv([PEOPLE_HEADERS, stays!, moves!]));
    expect(job.status).toBe('done');
  });

  it('counts the people it added in their grid’s statistics (sql/0049: no trigger does)', async () => {
    expect((await directPopulation(t.handle.db, '2025-01-01'))[FIXTURE.gridWest]?.floating).toBeGreaterThanOrEqual(2);
    await expectPopulationAsCounted(t.handle.db, DAYS, 'people added');
  });

  it('counts a category an upsert changed in the grid’s statistics', async () => {
    const { job } = await importAndWait(
      admin,
      { kind: 'people', crs: 'wgs84', filename: 'p.csv', mode: 'upsert' },
      utf8Csv([PEOPLE_HEADERS, asLodger(moves!)]),
    );
    expect(job.status).toBe('done');
    expect((await sql<{ category: string }>`SELECT category FROM persons WHERE id_number = ${idOf(moves!)}`.execute(t.handle.db)).rows).toEqual([
      { category: 'lodging' },
    ]);
    await expectPopulationAsCounted(t.handle.db, DAYS, 'category upserted');
  });

  it('previews a changed phone with the ID number and phones masked for an admin, changing nothing', async () => {
    const before = await personOnFile(stays!);
    const accepted = await admin
      .upload({ kind: 'people', crs: 'wgs84', filename: 'p.csv', mode: 'upsert', preview: 'true' }, utf8Csv([PEOPLE_HEADERS, withPhone(stays!, '13900139000')]))
      .expect(202);
    const { job, preview } = await admin.follow(accepted.body.job.id);
    expect(job).toMatchObject({ status: 'done', preview: true });
    expect(preview).toEqual({
      totals: { added: 0, changed: 1, unchanged: 0 },
      rows: [
        {
          row: 2,
          key: maskIdNumber(idOf(stays!)),
          outcome: 'changed',
          changes: [{ field: 'phone', column: '联系电话', old: maskPhone('13800138000'), new: maskPhone('13900139000') }],
        },
      ],
      truncated: false,
    });
    expect(JSON.stringify(preview)).not.toContain(idOf(stays!));
    expect(await personOnFile(stays!)).toEqual(before);
  });

  it('refuses a person living in another unit (an import does not rewrite a registered stay)', async () => {
    const elsewhere = withUnit(moves!, String(stays![PEOPLE_HEADERS.indexOf('房屋编码')]));
    const { job, errors } = await importAndWait(
      admin,
      { kind: 'people', crs: 'wgs84', filename: 'p.csv', mode: 'upsert' },
      utf8Csv([PEOPLE_HEADERS, elsewhere]),
    );
    expect(job.status).toBe('failed');
    expect(errors).toMatchObject([
      { row: 2, field: '房屋编码', reason: expect.stringContaining('lives in another unit'), messageZh: expect.stringContaining('现住另一房屋') },
    ]);
  });

  it('applies: the phone is updated, the stay kept as registered, the update audited without the ID number', async () => {
    const before = await personOnFile(stays!);
    const { job } = await importAndWait(
      admin,
      { kind: 'people', crs: 'wgs84', filename: 'p.csv', mode: 'upsert' },
      utf8Csv([PEOPLE_HEADERS, withPhone(stays!, '13900139000')]),
    );
    expect(job.status).toBe('done');
    expect(await personOnFile(stays!)).toEqual({ ...before, phone: '13900139000' });
    const audit = await t.handle.db
      .selectFrom('audit_log')
      .select(['action', 'target_id', 'details'])
      .where('target_type', '=', 'person')
      .where('target_id', '=', String(before.id))
      .where('action', '=', 'update')
      .execute();
    expect(audit).toEqual([{ action: 'update', target_id: String(before.id), details: { importJob: job.id, fields: ['phone'] } }]);
  });

  it('moves a person on file who has moved out into the unit the row names, counted in the statistics', async () => {
    const { id } = await personOnFile(stays!);
    const earlier = (await t.handle.db.selectFrom('residencies').select('id').where('person_id', '=', id).execute()).map((stay) => stay.id);
    await writeCounted(t.handle.db, 'residencies', earlier, (trx) =>
      trx.updateTable('residencies').set({ moved_out: '2024-05-01', deregistered_at: '2024-05-01' }).where('id', 'in', earlier).execute(),
    );
    const dated: Record<string, string> = { 入住日期: '2024/6/1', 登记日期: '2024/6/2' };
    const back = stays!.map((cell, index) => dated[PEOPLE_HEADERS[index]!] ?? cell);
    const { job, errors } = await importAndWait(admin, { kind: 'people', crs: 'wgs84', filename: 'p.csv', mode: 'upsert' }, utf8Csv([PEOPLE_HEADERS, back]));
    expect(errors).toEqual([]);
    expect(job.status).toBe('done');
    expect((await personOnFile(stays!)).stays).toBe(earlier.length + 1);
    await expectPopulationAsCounted(t.handle.db, [...DAYS, '2024-05-15', '2024-06-01'], 'moved back in by an upsert');
  });
});

describe('error reasons in both languages', () => {
  it('names a missing column in Chinese too', async () => {
    const { errors } = await importAndWait(
      admin,
      { kind: 'units', crs: 'wgs84', filename: 'u.csv' },
      utf8Csv([
        ['房屋编码', '房号'],
        [freeWestUnit(7100), '1'],
      ]),
    );
    expect(errors[0]).toMatchObject({ row: 1, field: '所在楼层', messageZh: expect.stringContaining('缺少列（请写其中之一：所在楼层、楼层') });
  });

  it('translates a repeated key and a row already on file', async () => {
    const { errors } = await importAndWait(
      admin,
      { kind: 'units', crs: 'wgs84', filename: 'u.csv' },
      utf8Csv([UNIT_HEADERS, [A, 4, 'A1', 25, '出租', '是'], [freeWestUnit(7101), 4, 'X', 25, '出租', '否'], [freeWestUnit(7101), 4, 'X', 25, '出租', '否']]),
    );
    expect(errors.map((error) => error.messageZh)).toEqual(['该编码的房屋已在册（编码不重复使用）', '与第 3 行重复']);
  });
});

describe('templates', () => {
  for (const kind of ['buildings', 'units', 'people', 'cases', 'compounds']) {
    it(`${kind}: the CSV and XLSX templates name every column in Chinese and English and import as valid empty files`, async () => {
      const csv = await admin
        .get(`/api/imports/templates/${kind}.csv`)
        .expect(200)
        .expect('Content-Type', /text\/csv/)
        .buffer(true);
      const header = csv.text.replace(/^\uFEFF/, '').split(/\r\n/)[0]!;
      expect(header).toMatch(/[\u4e00-\u9fff]+\([a-z_]+\)/i);
      const fromCsv = await importAndWait(admin, { kind, crs: 'wgs84', filename: `${kind}.csv` }, Buffer.from(csv.text, 'utf8'));
      expect(fromCsv.job).toMatchObject({ status: 'done', rowsTotal: 0, errorCount: 0 });

      const xlsx = await admin
        .get(`/api/imports/templates/${kind}.xlsx`)
        .expect(200)
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        });
      const fromXlsx = await importAndWait(admin, { kind, crs: 'wgs84', filename: `${kind}.xlsx` }, xlsx.body as Buffer);
      expect(fromXlsx.job).toMatchObject({ status: 'done', rowsTotal: 0, errorCount: 0 });
    });
  }

  it('answers 400 naming mode to an upsert of a kind that cannot be updated (cases)', async () => {
    const response = await admin.upload({ kind: 'cases', crs: 'wgs84', filename: 'c.csv', mode: 'upsert' }, utf8Csv([['案件编号'], ['X1']])).expect(400);
    expect(response.body.error.details.fields).toEqual([expect.objectContaining({ field: 'mode', messageZh: expect.stringContaining('不能通过导入更新') })]);
  });

  it('answers 404 to an unknown kind or format', async () => {
    await admin.get('/api/imports/templates/cats.csv').expect(404);
    await admin.get('/api/imports/templates/units.pdf').expect(404);
  });
});
