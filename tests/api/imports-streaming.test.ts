import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { csvRecords } from '../../server/imports/readers/csv.ts';
import { geoJsonFeatures } from '../../server/imports/readers/geojson.ts';
import { decodedText, Utf8Detector } from '../../server/imports/readers/text.ts';
import { removeFile, saveStream } from '../../server/imports/upload.ts';
import { freeWestUnit } from '../helpers/import-files.ts';

/**
 * The readers stream: a file many times larger than the memory they use passes through them.
 * The files are generated on the fly (never held whole, here either) and the heap is sampled
 * (after a full collection) while the rows come out; what is held must stay far below the size
 * of the text read.
 */

const MB = 1024 * 1024;

/** A generated file: `count` rows made by `rowText`, in ~64 KB chunks, encoded by `encode`. */
function generatedFile(
  count: number,
  header: string,
  rowText: (index: number) => string,
  footer = '',
  encode: (text: string) => Buffer = (text) => Buffer.from(text, 'utf8'),
) {
  let bytes = 0;
  async function* chunks() {
    let text = header;
    for (let index = 0; index < count; index += 1) {
      text += rowText(index);
      if (text.length > 64 * 1024) {
        const chunk = encode(text);
        bytes += chunk.length;
        yield chunk;
        text = '';
      }
    }
    const last = encode(text + footer);
    bytes += last.length;
    yield last;
  }
  return { stream: Readable.from(chunks()), bytes: () => bytes };
}

// A full collection before each sample measures what is still held, not garbage awaiting collection.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
const heldBytes = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

/** Reads `items` to the end, measuring the heap held every `every` items; the largest growth in bytes. */
async function peakHeapGrowth<T>(items: AsyncIterable<T>, every: number, check: (item: T, index: number) => void): Promise<{ count: number; growth: number }> {
  const baseline = heldBytes();
  let peak = baseline;
  let count = 0;
  for await (const item of items) {
    check(item, count);
    count += 1;
    if (count % every === 0) peak = Math.max(peak, heldBytes());
  }
  return { count, growth: peak - baseline };
}

describe('streaming readers', () => {
  it('parses 1,000,000 GBK CSV rows in memory far smaller than the file', async () => {
    const rows = 1_000_000;
    const file = generatedFile(
      rows,
      '房屋编码,所在楼层,房号,面积,房屋用途\r\n',
      (index) => `${freeWestUnit(index)},4,"A,${index}",25.5,出租\r\n`,
      '',
      (text) => iconv.encode(text, 'gbk'),
    );
    const { count, growth } = await peakHeapGrowth(csvRecords(decodedText(file.stream, 'gbk')), 50_000, (record, index) => {
      if (index === 0) expect(record).toEqual(['房屋编码', '所在楼层', '房号', '面积', '房屋用途']);
      else if (index === rows) expect(record).toEqual([freeWestUnit(rows - 1), '4', `A,${rows - 1}`, '25.5', '出租']);
    });
    expect(count).toBe(rows + 1);
    expect(file.bytes()).toBeGreaterThan(45 * MB);
    console.log(`CSV: ${(file.bytes() / MB).toFixed(0)} MB of GBK text, heap held at most ${(growth / MB).toFixed(1)} MB`);
    expect(growth).toBeLessThan(file.bytes() / 10);
  }, 120_000);

  it('cuts 200,000 GeoJSON features out of one FeatureCollection in memory far smaller than the file', async () => {
    const features = 200_000;
    const feature = (index: number) =>
      `${index === 0 ? '' : ','}{"type":"Feature","properties":{"案件编号":"C-${index}","note":"a \\"quoted\\" } ] text"},"geometry":{"type":"Point","coordinates":[114.2,22.7]}}`;
    const file = generatedFile(features, '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"features":[', feature, ']}');
    const { count, growth } = await peakHeapGrowth(geoJsonFeatures(decodedText(file.stream, 'utf-8')), 20_000, (parsed, index) => {
      expect(parsed.index).toBe(index + 1);
      if (index % 50_000 === 0) expect(parsed.properties).toEqual({ 案件编号: `C-${index}`, note: 'a "quoted" } ] text' });
    });
    expect(count).toBe(features);
    expect(file.bytes()).toBeGreaterThan(25 * MB);
    console.log(`GeoJSON: ${(file.bytes() / MB).toFixed(0)} MB, heap held at most ${(growth / MB).toFixed(1)} MB`);
    expect(growth).toBeLessThan(file.bytes() / 10);
  }, 120_000);

  it('refuses an upload over the limit with 413, leaving no temporary file behind', async () => {
    const folder = path.join(os.tmpdir(), 'renwu-imports');
    const filesBefore = fs.existsSync(folder) ? fs.readdirSync(folder).length : 0;
    const body = Readable.from(
      (function* () {
        for (let chunk = 0; chunk < 10; chunk += 1) yield Buffer.alloc(1000, 0x41);
      })(),
    );
    await expect(saveStream(body, 5000)).rejects.toMatchObject({ status: 413, code: 'file_too_large' });
    expect(fs.readdirSync(folder).length).toBe(filesBefore);
    const saved = await saveStream(Readable.from([Buffer.from('房屋编码\r\n', 'utf8')]), 5000, 'C:\\Users\\clerk\\房屋.csv');
    expect(saved).toMatchObject({ bytes: 14, encoding: 'utf-8', fileName: '房屋.csv' });
    await removeFile(saved.path);
  });

  it('tells UTF-8 from GBK across chunk boundaries', () => {
    const text = '房屋编码,姓名\r\n4403,张三\r\n';
    for (const [bytes, expected] of [
      [Buffer.from(text, 'utf8'), 'utf-8'],
      [iconv.encode(text, 'gbk'), 'gbk'],
    ] as const) {
      const detector = new Utf8Detector();
      for (let offset = 0; offset < bytes.length; offset += 1) detector.push(bytes.subarray(offset, offset + 1));
      expect(detector.finish()).toBe(expected);
    }
    const truncated = new Utf8Detector();
    truncated.push(Buffer.from('张', 'utf8').subarray(0, 2));
    expect(truncated.finish()).toBe('gbk');
  });
});
