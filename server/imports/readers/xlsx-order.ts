import fs from 'node:fs/promises';

/**
 * An XLSX file's bytes with its zip entries in reading order: every part but the worksheets
 * first (workbook, relationships, styles, shared strings), then the worksheets, then the central
 * directory as it was. exceljs's streaming reader parses a worksheet it meets before the shared
 * strings from a temporary file, and that path lost the shared strings now and then (3 of 1,000
 * concurrent reads of one workbook; a failed import in CI): Excel and most writers put the
 * worksheets first. A streaming zip reader goes by the local headers alone, so moving whole
 * entries (local header, data, data descriptor) is enough; the central directory's offsets are
 * not read. A file whose directory cannot be read that way (zip64, not a zip) is given unchanged,
 * and refused by the reader as before.
 */
export async function* xlsxInReadingOrder(file: string, chunkBytes = 256 * 1024): AsyncGenerator<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const ranges = (await entryRanges(handle, size)) ?? [{ start: 0, end: size }];
    for (const { start, end } of ranges) {
      for (let at = start; at < end; at += chunkBytes) {
        const length = Math.min(chunkBytes, end - at);
        const { buffer, bytesRead } = await handle.read(Buffer.alloc(length), 0, length, at);
        if (bytesRead < length) throw new Error('the file changed while it was read');
        yield buffer;
      }
    }
  } finally {
    await handle.close();
  }
}

interface Range {
  start: number;
  end: number;
}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
/** The end-of-directory record (22 bytes) and the longest comment it may carry. */
const TAIL_BYTES = 22 + 0xffff;
const WORKSHEET = /^xl\/worksheets\/sheet\d+\.xml$/;

/** The byte ranges to read in order, or undefined to read the file as it is. */
async function entryRanges(handle: fs.FileHandle, size: number): Promise<Range[] | undefined> {
  const directory = await centralDirectory(handle, size);
  if (!directory) return undefined;
  const entries = readDirectory(directory.bytes);
  if (!entries) return undefined;
  const byOffset = [...entries].sort((a, b) => a.offset - b.offset);
  const ranges = byOffset.map((entry, index) => ({
    name: entry.name,
    start: entry.offset,
    end: byOffset[index + 1]?.offset ?? directory.offset,
  }));
  // Entries must tile the bytes before the directory, from the first byte on.
  if (ranges[0]?.start !== 0 || ranges.some((range) => range.end > directory.offset || range.start > range.end)) return undefined;
  const isSheet = (range: { name: string }) => WORKSHEET.test(range.name);
  return [...ranges.filter((range) => !isSheet(range)), ...ranges.filter(isSheet), { start: directory.offset, end: size }];
}

/** The central directory's bytes and offset, from the end-of-directory record; undefined for zip64 or no zip. */
async function centralDirectory(handle: fs.FileHandle, size: number): Promise<{ offset: number; bytes: Buffer } | undefined> {
  const tailStart = Math.max(0, size - TAIL_BYTES);
  const { buffer: tail } = await handle.read(Buffer.alloc(size - tailStart), 0, size - tailStart, tailStart);
  for (let at = tail.length - 22; at >= 0; at -= 1) {
    if (tail.readUInt32LE(at) !== END_OF_DIRECTORY) continue;
    const length = tail.readUInt32LE(at + 12);
    const offset = tail.readUInt32LE(at + 16);
    if (length === 0xffffffff || offset === 0xffffffff || offset + length > tailStart + at) return undefined;
    const { buffer: bytes } = await handle.read(Buffer.alloc(length), 0, length, offset);
    return { offset, bytes };
  }
  return undefined;
}

/** Each entry's name and local header offset; undefined when a record is not where it should be. */
function readDirectory(bytes: Buffer): { name: string; offset: number }[] | undefined {
  const entries: { name: string; offset: number }[] = [];
  for (let at = 0; at < bytes.length; ) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== DIRECTORY_ENTRY) return undefined;
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const offset = bytes.readUInt32LE(at + 42);
    if (offset === 0xffffffff) return undefined;
    entries.push({ name: bytes.toString('utf8', at + 46, at + 46 + nameLength), offset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
