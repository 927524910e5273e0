import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import { badRequest, HttpError } from '../http/errors.ts';
import { Utf8Detector } from './readers/text.ts';
import type { TextEncoding } from '../domain/word-lists.ts';

/**
 * The uploaded file, streamed to a temporary file as it arrives (never held in memory), its
 * bytes counted against the limit and checked for UTF-8 on the way. The body is either the
 * file itself (any content type but JSON) or multipart/form-data with the file in field "file".
 */

/** Imports are large; only this route takes them (the JSON limit of every other route stays 1 MB). */
export const IMPORT_MAX_BYTES = 512 * 1024 * 1024;
const UPLOAD_DIR = path.join(os.tmpdir(), 'renwu-imports');

export interface ReceivedFile {
  path: string;
  bytes: number;
  /** What the text would be read as (meaningless for XLSX, a zip). */
  encoding: TextEncoding;
  /** The first bytes, to tell a zip (XLSX) from text. */
  head: Buffer;
  fileName: string | undefined;
}

class UploadMeter extends Transform {
  bytes = 0;
  head = Buffer.alloc(0);
  readonly detector = new Utf8Detector();

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new HttpError(413, 'file_too_large', `The file is larger than ${Math.round(this.maxBytes / 1024 / 1024)} MB`));
      return;
    }
    if (this.head.length < 8) this.head = Buffer.concat([this.head, chunk.subarray(0, 8)]).subarray(0, 8);
    this.detector.push(chunk);
    callback(null, chunk);
  }
}

/** Streams `body` into a new temporary file; the file is removed again when anything fails. */
export async function saveStream(body: Readable, maxBytes: number, fileName?: string): Promise<ReceivedFile> {
  await fs.promises.mkdir(UPLOAD_DIR, { recursive: true, mode: 0o700 });
  const target = path.join(UPLOAD_DIR, `upload-${randomUUID()}`);
  const meter = new UploadMeter(maxBytes);
  try {
    await pipeline(body, meter, fs.createWriteStream(target, { mode: 0o600 }));
  } catch (error) {
    await removeFile(target);
    throw error;
  }
  return { path: target, bytes: meter.bytes, encoding: meter.detector.finish(), head: meter.head, fileName: cleanFileName(fileName) };
}

export async function receiveUpload(request: Request, maxBytes: number, fileName?: string): Promise<ReceivedFile> {
  if (request.is('application/json')) {
    // The JSON API's media type is not a file's: a GeoJSON file comes as application/geo+json or multipart.
    throw new HttpError(
      415,
      'unsupported_media_type',
      'Send the file as multipart/form-data (field "file") or as the raw body with its own content type (text/csv, application/geo+json …), not application/json',
    );
  }
  if (request.is('multipart/form-data')) return receiveMultipart(request, maxBytes, fileName);
  return saveStream(request, maxBytes, fileName);
}

function receiveMultipart(request: Request, maxBytes: number, fileName?: string): Promise<ReceivedFile> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { files: 1, fields: 20 } });
    } catch {
      reject(badRequest('invalid_request', 'Malformed multipart body', { fields: [{ field: 'file', message: 'malformed multipart body' }] }));
      return;
    }
    let sawFile = false;
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || sawFile) {
        stream.resume();
        return;
      }
      sawFile = true;
      saveStream(stream, maxBytes, fileName ?? info.filename).then(resolve, (error: unknown) => {
        request.unpipe(parser);
        request.resume();
        reject(error);
      });
    });
    parser.on('error', () =>
      reject(badRequest('invalid_request', 'Malformed multipart body', { fields: [{ field: 'file', message: 'malformed multipart body' }] })),
    );
    parser.on('close', () => {
      if (!sawFile) reject(badRequest('invalid_request', 'No file in field "file"', { fields: [{ field: 'file', message: 'is required' }] }));
    });
    request.pipe(parser);
  });
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** Only the last path segment, without control characters, at most 200 characters. */
function cleanFileName(fileName: string | undefined): string | undefined {
  const base = fileName?.split(/[\\/]/).pop()?.replace(CONTROL_CHARACTERS, '').trim().slice(0, 200);
  return base ? base : undefined;
}

export async function removeFile(file: string): Promise<void> {
  await fs.promises.rm(file, { force: true });
}
