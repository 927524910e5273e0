import { pipeline, type Readable } from 'node:stream';
import iconv from 'iconv-lite';
import type { TextEncoding } from '../../domain/word-lists.ts';

/**
 * Text files (CSV, GeoJSON) arrive in UTF-8 or, from Chinese Windows and older office software,
 * in GBK. The rule: a file that is valid UTF-8 throughout is UTF-8, anything else is GBK. GBK
 * text is almost never valid UTF-8 (its lead bytes 0x81–0xFE are followed by bytes UTF-8 does
 * not allow there), so the rule is safe in practice.
 */
export class Utf8Detector {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private valid = true;

  /** Feed the file's bytes in order; stops checking at the first invalid sequence. */
  push(chunk: Uint8Array): void {
    if (!this.valid) return;
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      this.valid = false;
    }
  }

  /** The encoding once every byte has been seen (a truncated sequence at the end is not UTF-8). */
  finish(): TextEncoding {
    if (this.valid) this.push(new Uint8Array(0));
    try {
      if (this.valid) this.decoder.decode();
    } catch {
      this.valid = false;
    }
    return this.valid ? 'utf-8' : 'gbk';
  }
}

/**
 * The bytes as decoded text chunks, read lazily: the whole file is never in memory. A UTF-8 byte
 * order mark is dropped. GBK is decoded as GB18030, its superset, so rarer characters survive.
 */
export function decodedText(bytes: Readable, encoding: TextEncoding): AsyncIterable<string> {
  const decoder = iconv.decodeStream(encoding === 'gbk' ? 'gb18030' : 'utf8', { stripBOM: true });
  // pipeline destroys the decoder with the read error, so a failing read ends the iteration with it.
  // iconv-lite's decoding stream emits strings only; its type says string | Buffer.
  return pipeline(bytes, decoder, () => {}) as AsyncIterable<string>;
}
