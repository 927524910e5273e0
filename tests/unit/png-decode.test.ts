import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../e2e/support/png.ts';

// The screenshots' decoder (tests/e2e/support/png.ts): every scanline filter of the PNG spec, RGB
// and RGBA, against pixels known in advance. The encoder below follows the spec's definitions.

function paeth(left: number, up: number, upLeft: number): number {
  const p = left + up - upLeft;
  const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
  if (pa <= pb && pa <= pc) return left;
  return pb <= pc ? up : upLeft;
}

function chunk(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  // The decoder does not check CRCs (Chromium's are right): zeros stand in.
  return Buffer.concat([length, Buffer.from(type, 'latin1'), body, Buffer.alloc(4)]);
}

function encodePng(width: number, height: number, channels: 3 | 4, pixels: Uint8Array, filterOfRow: (row: number) => number): Buffer {
  const stride = width * channels;
  const rows: number[] = [];
  for (let row = 0; row < height; row += 1) {
    const filter = filterOfRow(row);
    rows.push(filter);
    for (let index = 0; index < stride; index += 1) {
      const at = row * stride + index;
      const left = index >= channels ? pixels[at - channels]! : 0;
      const up = row > 0 ? pixels[at - stride]! : 0;
      const upLeft = row > 0 && index >= channels ? pixels[at - stride - channels]! : 0;
      const predicted = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter]!;
      rows.push((pixels[at]! - predicted) & 0xff);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, channels === 4 ? 6 : 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.from(rows))), chunk('IEND', Buffer.alloc(0))]);
}

describe('PNG decoding of screenshots', () => {
  for (const channels of [3, 4] as const) {
    it(`reads ${channels === 4 ? 'RGBA' : 'RGB'} pixels through every filter`, () => {
      const [width, height] = [7, 10];
      const pixels = Uint8Array.from({ length: width * height * channels }, (_, index) => (index * 37 + (index >> 3) * 11) & 0xff);
      const decoded = decodePng(encodePng(width, height, channels, pixels, (row) => row % 5));
      expect([decoded.width, decoded.height]).toEqual([width, height]);
      for (let pixel = 0; pixel < width * height; pixel += 1) {
        const expected = [...pixels.subarray(pixel * channels, pixel * channels + 3), channels === 4 ? pixels[pixel * channels + 3]! : 255];
        expect([...decoded.rgba.subarray(pixel * 4, pixel * 4 + 4)], `pixel ${pixel}`).toEqual(expected);
      }
    });
  }

  it('refuses what is not an 8-bit PNG', () => {
    expect(() => decodePng(Buffer.from('GIF89a'))).toThrow(/not a PNG/);
  });
});
