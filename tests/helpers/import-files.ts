import { sql } from 'kysely';
import iconv from 'iconv-lite';
import request from 'supertest';
import writeXlsxFile from 'write-excel-file/node';
import type { ImportBatchSaved } from '../../server/context.ts';
import { withCheckCharacter } from '../../server/domain/id-number.ts';
import type { ImportPreview } from '../../server/imports/previews.ts';
import type { ImportJobView as ImportJob } from '../../server/imports/view.ts';
import type { TestApp } from './app.ts';
import { FIXTURE, fixtureUnitCode } from './fixture-city.ts';

/** Files an office would send, and an agent that uploads them and follows the job. */

export type Table = (string | number | null)[][];

const csvCell = (cell: string | number | null) => {
  const text = cell === null ? '' : String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export const csvText = (table: Table) => table.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
export const utf8Csv = (table: Table, withBom = false) => Buffer.from((withBom ? '\uFEFF' : '') + csvText(table), 'utf8');
/** What Excel on Chinese Windows writes with "CSV (逗号分隔)": GBK bytes. */
export const gbkCsv = (table: Table) => iconv.encode(csvText(table), 'gbk');

export async function xlsxFile(table: Table): Promise<Buffer> {
  const data = table.map((row) => row.map((cell) => (cell === null ? null : { value: cell })));
  return writeXlsxFile([{ sheet: '导入', data }]).toBuffer();
}

export function geoJsonFile(features: { properties: Record<string, unknown>; point?: [number, number] }[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      type: 'FeatureCollection',
      name: 'office-export',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } },
      features: features.map(({ properties, point }) => ({
        type: 'Feature',
        properties,
        geometry: point ? { type: 'Point', coordinates: point } : null,
      })),
    }),
  );
}

/** A valid ID number for a person born on `birth` (YYYYMMDD) in Shenzhen Bao'an, sequence `sequence`. */
export const idNumberFor = (birth: string, sequence: number) => withCheckCharacter(`440306${birth}${String(sequence).padStart(3, '0')}`);

/** Unit codes in the fixture's west house that the fixture itself does not use (it uses rooms 101–302). */
export const freeWestUnit = (index: number) => FIXTURE.westHouse + String(1000 + index).padStart(6, '0');

export const UNIT_HEADERS = ['房屋编码', '所在楼层', '房号', '面积(㎡)', '房屋用途', '出租登记'];
export const unitRows = (count: number, from = 0): Table =>
  Array.from({ length: count }, (_, index) => [freeWestUnit(from + index), 4, `A${from + index}`, 25.5, '出租', '是']);

export type { ImportJobView as ImportJob } from '../../server/imports/view.ts';
export type { ImportPreview } from '../../server/imports/previews.ts';
/** A bad row as the API shows it: the reason in English (also `message`) and Chinese (issue 16.8). */
export interface ImportError {
  row: number;
  field: string;
  reason: string;
  message: string;
  messageZh: string;
}

export interface Importer {
  /** Uploads `body` as the raw request body (or multipart when `multipart`), answers the raw response. */
  upload(query: Record<string, string>, body: Buffer, options?: { contentType?: string; multipart?: string }): request.Test;
  get(url: string): request.Test;
  /** Polls the job until it is done or failed, recording every status seen on the way. */
  follow(id: number, seen?: ImportJob[]): Promise<{ job: ImportJob; errors: ImportError[]; preview: ImportPreview | null }>;
}

export async function importer(t: TestApp, username: string, password = FIXTURE.password): Promise<Importer> {
  const agent = request.agent(t.app);
  const login = await agent.post('/api/auth/login').send({ username, password });
  if (login.status !== 200) throw new Error(`login of ${username} failed: ${login.status}`);
  const csrf: string = login.body.csrfToken;
  const self: Importer = {
    upload(query, body, options = {}) {
      const call = agent.post(`/api/imports?${new URLSearchParams(query)}`).set('X-CSRF-Token', csrf);
      if (options.multipart) return call.attach('file', body, options.multipart);
      return call.set('Content-Type', options.contentType ?? 'application/octet-stream').send(body);
    },
    get: (url) => agent.get(url),
    async follow(id, seen = []) {
      for (let attempt = 0; attempt < 3000; attempt += 1) {
        const response = await agent.get(`/api/imports/${id}`);
        if (response.status !== 200) throw new Error(`job ${id}: ${response.status} ${JSON.stringify(response.body)}`);
        seen.push(response.body.job);
        if (response.body.job.status === 'done' || response.body.job.status === 'failed') return response.body;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`job ${id} did not finish`);
    },
  };
  return self;
}

/**
 * Holds import jobs between batches while a test looks at them: given to the test app as its
 * afterImportBatch hook. hold() closes it and answers when a job reaches it (after its first
 * validation batch is saved); release() lets that job and every later one run on.
 */
export class ImportGate {
  private closed: { reached: (saved: ImportBatchSaved) => void; released: Promise<void>; open: () => void } | undefined;

  hold(): Promise<ImportBatchSaved> {
    let open = () => {};
    const released = new Promise<void>((resolve) => (open = resolve));
    return new Promise((reached) => (this.closed = { reached, released, open }));
  }

  release(): void {
    this.closed?.open();
    this.closed = undefined;
  }

  readonly afterBatch = async (saved: ImportBatchSaved): Promise<void> => {
    const closed = this.closed;
    if (!closed) return;
    closed.reached(saved);
    await closed.released;
  };
}

/** Uploads and waits: the finished job and its first bad rows. */
export async function importAndWait(who: Importer, query: Record<string, string>, body: Buffer, options?: { contentType?: string; multipart?: string }) {
  const accepted = await who.upload(query, body, options);
  if (accepted.status !== 202) throw new Error(`upload refused: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  return who.follow(accepted.body.job.id);
}

/** Row counts of every table in the public schema but the import jobs' own bookkeeping. */
export async function rowCountsOfEveryTable(t: TestApp): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`
    SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'import\\_job%' ORDER BY tablename`.execute(t.handle.db);
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows) {
    counts[name] = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(name)}`.execute(t.handle.db)).rows[0]!.n;
  }
  return counts;
}

const GIVEN_NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄强', '周杰', '吴霞'];
export const PEOPLE_HEADERS = ['姓名', '身份证号', '性别', '人员类别', '流动类型', '房屋编码', '入住日期', '登记日期', '联系电话', '备注'];
/** Floating people moving into the west house's six units; odd sequence numbers are men (GB 11643). */
export const peopleRows = (count: number, from = 0): Table =>
  Array.from({ length: count }, (_, index) => {
    const sequence = from + index + 1;
    const unit = fixtureUnitCode(FIXTURE.westHouse, 1 + (sequence % 3), 1 + (sequence % 2));
    return [
      GIVEN_NAMES[sequence % GIVEN_NAMES.length]!,
      idNumberFor('19900101', sequence),
      sequence % 2 === 1 ? '男' : '女',
      '流动人口',
      '合租',
      unit,
      '2024/3/1',
      '2024-03-05',
      '13800138000',
      '外来务工',
    ];
  });
