import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';

/**
 * Writes a large JSON answer straight into bytes and gzips it (issue 21: a whole-city hot-spot
 * map, 20,000 cells, ~2.9 MB). Building 20,000 objects for JSON.stringify, or 20,000 strings that
 * carry a Chinese cell name (which makes every string they touch two-byte), costs more than the
 * statistic itself. Here the parts that repeat from request to request (a cell's code and name)
 * are encoded once and copied, and the per-request figures, plain ASCII, are written after them.
 *
 * The bytes are written into one scratch buffer, reused from answer to answer, and gzipped
 * before the writer returns (nothing else runs in between): 3 MB of fresh memory per answer
 * would make V8 collect its whole heap every dozen answers.
 */
export class GzippedJson {
  constructor(readonly gzip: Buffer) {}
}

/** How every kept answer is gzipped. Level 1: a fifth of the size for a few milliseconds; higher levels cost far more for little. */
export const ANSWER_GZIP = { level: 1 } as const;

const gzipOnPool = promisify(gzip);

/** Bytes gzipped as every kept answer is (or at another level), on libuv's thread pool rather than the server's thread. */
export const gzipKept = (bytes: Uint8Array, options: { level: number } = ANSWER_GZIP): Promise<Buffer> => gzipOnPool(bytes, options);

let scratch = Buffer.allocUnsafe(1 << 22);

export class JsonBytes {
  private length = 0;

  /** Appends text that is ASCII (numbers, keys, punctuation): one byte per character. */
  ascii(text: string): this {
    this.ensure(text.length);
    this.length += scratch.write(text, this.length, 'latin1');
    return this;
  }

  /** Appends bytes already encoded (UTF-8 JSON). */
  encoded(bytes: Buffer): this {
    this.ensure(bytes.length);
    this.length += bytes.copy(scratch, this.length);
    return this;
  }

  /** Appends any text as UTF-8. */
  text(text: string): this {
    return this.encoded(Buffer.from(text, 'utf8'));
  }

  gzipped(): GzippedJson {
    return new GzippedJson(gzipSync(scratch.subarray(0, this.length), ANSWER_GZIP));
  }

  private ensure(more: number): void {
    if (this.length + more <= scratch.length) return;
    const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, this.length + more));
    scratch.copy(grown, 0, 0, this.length);
    scratch = grown;
  }
}

/**
 * Encoded JSON fragments kept by a key (a cell's code) for as long as the value they were written
 * from (its name) is the same: a cell's `{"code":…,"name":…` is encoded once, not on every request.
 */
export class EncodedFragments {
  private readonly kept = new Map<string, { from: string | null; bytes: Buffer }>();

  constructor(private readonly limit: number) {}

  of(key: string, from: string | null, write: () => string): Buffer {
    const known = this.kept.get(key);
    if (known !== undefined && known.from === from) return known.bytes;
    if (this.kept.size >= this.limit) this.kept.clear();
    const bytes = Buffer.from(write(), 'utf8');
    this.kept.set(key, { from, bytes });
    return bytes;
  }
}
