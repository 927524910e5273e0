import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../server/imports/readers/source.ts';
import { xlsxInReadingOrder } from '../../server/imports/readers/xlsx-order.ts';
import { xlsxFile } from '../helpers/import-files.ts';

/**
 * An XLSX workbook's parts read in order (server/imports/readers/xlsx-order.ts): exceljs's streaming
 * reader lost the shared strings now and then when the worksheet came first in the zip, as Excel
 * and write-excel-file write it (an XLSX import failed in CI with "row 3 changed between
 * validation and import"; 3 to 45 of 2,000 concurrent reads of one workbook in a probe).
 */
const BUILDINGS = [
  ['建筑物编码', '地址', '楼层数', '建筑用途', '管理模式', '门禁', '视频监控', '治安责任书', '经度', '纬度'],
  ['440307001001010101', '测试路101号', 6, '城中村', '散居包片式', '是', '否', '是', 114.2031, 22.7031],
  ['440307001001010102', '测试路102号', 12, '住宅', '物业式', '否', '是', '否', 114.2042, 22.7042],
];
let directory: string;
let workbook: string;

beforeAll(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'renwu-xlsx-'));
  workbook = path.join(directory, 'buildings.xlsx');
  fs.writeFileSync(workbook, await xlsxFile(BUILDINGS));
});
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

/** The names of a zip's entries in the order of their local headers (as a streaming reader meets them). */
function localEntryNames(bytes: Buffer): string[] {
  const names: string[] = [];
  for (let at = 0; bytes.readUInt32LE(at) === 0x04034b50; ) {
    const nameLength = bytes.readUInt16LE(at + 26);
    names.push(bytes.toString('utf8', at + 30, at + 30 + nameLength));
    const next = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]), at + 30 + nameLength);
    const directory = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 30 + nameLength);
    at = next === -1 || (directory !== -1 && directory < next) ? directory : next;
  }
  return names;
}

const readAll = async (chunks: AsyncIterable<Buffer>) => {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
};

async function rowsOf(file: string): Promise<string> {
  const events: string[] = [];
  for await (const event of openSource(file, 'xlsx', null).events) events.push(JSON.stringify(event));
  return events.join('\n');
}

describe('XLSX workbooks read in order', () => {
  it('puts the worksheets after the shared strings, every entry kept byte for byte', async () => {
    const original = fs.readFileSync(workbook);
    expect(localEntryNames(original).indexOf('xl/worksheets/sheet1.xml')).toBeLessThan(localEntryNames(original).indexOf('xl/sharedStrings.xml'));
    const ordered = await readAll(xlsxInReadingOrder(workbook, 100));
    const names = localEntryNames(ordered);
    expect(names.indexOf('xl/sharedStrings.xml')).toBeLessThan(names.indexOf('xl/worksheets/sheet1.xml'));
    expect([...names].sort()).toEqual([...localEntryNames(original)].sort());
    expect(ordered.length).toBe(original.length);
    expect([...ordered].sort((a, b) => a - b)).toEqual([...original].sort((a, b) => a - b));
  });

  it('gives a file that is not a zip as it is', async () => {
    const text = path.join(directory, 'not-a-workbook.xlsx');
    fs.writeFileSync(text, 'id,name\n1,a\n');
    expect((await readAll(xlsxInReadingOrder(text))).toString()).toBe('id,name\n1,a\n');
  });

  it('reads the same rows 2,000 times, 20 at once', async () => {
    const first = await rowsOf(workbook);
    expect(first).toContain('"建筑用途":"住宅"');
    for (let round = 0; round < 100; round += 1) {
      const reads = await Promise.all(Array.from({ length: 20 }, () => rowsOf(workbook)));
      expect(reads.filter((rows) => rows !== first)).toEqual([]);
    }
  }, 120_000);
});
