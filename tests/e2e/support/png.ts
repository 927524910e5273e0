import { inflateSync } from 'node:zlib';

/**
 * The pixels of a PNG as Chromium writes screenshots (8-bit RGB or RGBA, not interlaced), decoded
 * here rather than in the page: decoding there ran on the page's main thread, the thread whose
 * drawing is being timed (issue 18's first-paint figure), and cost each sample hundreds of
 * milliseconds in SwiftShader.
 */
export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, row by row. */
  rgba: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 2: 3, 6: 4 };

export function decodePng(png: Buffer): DecodedImage {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let offset = 8;
  let header: { width: number; height: number; channels: number } | undefined;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = headerOf(body);
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  if (!header) throw new Error('a PNG without IHDR');
  return { width: header.width, height: header.height, rgba: toRgba(unfilter(inflateSync(Buffer.concat(data)), header), header) };
}

function headerOf(body: Buffer) {
  const [bitDepth, colourType, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
  const channels = CHANNELS[colourType!];
  if (bitDepth !== 8 || channels === undefined || interlace !== 0)
    throw new Error(`unsupported PNG: depth ${bitDepth}, colour type ${colourType}, interlace ${interlace}`);
  return { width: body.readUInt32BE(0), height: body.readUInt32BE(4), channels };
}

/** Undoes each scanline's filter (PNG spec §9): None, Sub, Up, Average, Paeth. */
function unfilter(raw: Buffer, { width, height, channels }: { width: number; height: number; channels: number }): Uint8Array {
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let row = 0; row < height; row += 1) {
    const filter = raw[row * (stride + 1)]!;
    const source = row * (stride + 1) + 1;
    const target = row * stride;
    for (let index = 0; index < stride; index += 1) {
      const left = index >= channels ? pixels[target + index - channels]! : 0;
      const up = row > 0 ? pixels[target - stride + index]! : 0;
      const upLeft = row > 0 && index >= channels ? pixels[target - stride + index - channels]! : 0;
      pixels[target + index] = (raw[source + index]! + predictor(filter, left, up, upLeft)) & 0xff;
    }
  }
  return pixels;
}

function predictor(filter: number, left: number, up: number, upLeft: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return left;
    case 2:
      return up;
    case 3:
      return (left + up) >> 1;
    case 4: {
      const estimate = left + up - upLeft;
      const [toLeft, toUp, toUpLeft] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
      return toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft;
    }
    default:
      throw new Error(`unknown PNG filter ${filter}`);
  }
}

function toRgba(pixels: Uint8Array, { width, height, channels }: { width: number; height: number; channels: number }): Uint8Array {
  if (channels === 4) return pixels;
  const rgba = new Uint8Array(width * height * 4);
  for (let pixel = 0; pixel < width * height; pixel += 1) {
    rgba.set(pixels.subarray(pixel * 3, pixel * 3 + 3), pixel * 4);
    rgba[pixel * 4 + 3] = 255;
  }
  return rgba;
}
