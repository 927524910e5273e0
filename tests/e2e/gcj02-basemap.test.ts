import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wgs84ToGcj02, type LonLat } from '../../server/domain/coordinates.ts';
import { worldPixel } from '../../web/src/lib/map/gcj02-tiles.ts';
import { browserUnavailableReason } from '../helpers/browser.ts';
import { mapReady, startJourney, type Journey } from './support/journey.ts';

/**
 * An office basemap in GCJ-02 (BASEMAP_CRS=gcj02), served by the test from another origin: a
 * pale ground with one pure green square (a colour nothing else on the page uses) drawn where a landmark is in GCJ-02. Drawn under the WGS-84
 * map, the square must land on the landmark's WGS-84 position (the middle of the view the URL
 * asks for), not 300–600 m off where the unshifted tiles would put it.
 */
const unavailable = browserUnavailableReason();

const LANDMARK: LonLat = [116.39123, 39.90701]; // Beijing, far from the demo city: nothing else drawn there
const ZOOM = 17;
const TILE_SIZE = 256;
const SQUARE_HALF = 4;

const CRC_TABLE = Array.from({ length: 256 }, (_, byte) => {
  let crc = byte;
  for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  return crc >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** An RGBA PNG (no PNG library in the project: 8-bit, unfiltered rows). */
function encodePng(size: number, pixel: (column: number, row: number) => [number, number, number]): Buffer {
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let row = 0; row < size; row += 1) {
    for (let column = 0; column < size; column += 1) {
      const at = row * (size * 4 + 1) + 1 + column * 4;
      rows.set([...pixel(column, row), 255], at);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', zlib.deflateSync(rows)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** The office's GCJ-02 tile z/x/y: the green square around the landmark's GCJ-02 pixel, if it falls here. */
function gcj02Tile(z: number, x: number, y: number): Buffer {
  const [squareX, squareY] = worldPixel(wgs84ToGcj02(LANDMARK), z, TILE_SIZE).map(Math.floor) as [number, number];
  return encodePng(TILE_SIZE, (column, row) => {
    const inSquare = Math.abs(x * TILE_SIZE + column - squareX) <= SQUARE_HALF && Math.abs(y * TILE_SIZE + row - squareY) <= SQUARE_HALF;
    return inSquare ? [0, 255, 0] : [236, 236, 236];
  });
}

function startTileServer(): Promise<{ origin: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    // The office's tile server answers the dashboard's cross-origin fetches (CORS), as it must.
    response.setHeader('Access-Control-Allow-Origin', '*');
    const tile = /^\/gcj\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(request.url ?? '');
    if (request.url === '/style.json') {
      response.setHeader('Content-Type', 'application/json');
      response.end(
        JSON.stringify({
          version: 8,
          sources: { office: { type: 'raster', tiles: ['gcj/{z}/{x}/{y}.png'], tileSize: TILE_SIZE } },
          layers: [{ id: 'office', type: 'raster', source: 'office' }],
        }),
      );
    } else if (tile) {
      response.setHeader('Content-Type', 'image/png');
      response.end(gcj02Tile(Number(tile[1]), Number(tile[2]), Number(tile[3])));
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ origin: `http://127.0.0.1:${port}`, requests, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

/** Centre of the green pixels on the map's canvas, relative to the canvas's middle, and how many there are. */
async function markerOffset(page: Page): Promise<{ count: number; dx: number; dy: number; width: number; height: number }> {
  const box = (await page.locator('[data-testid=map-frame] canvas.maplibregl-canvas').boundingBox())!;
  const png = (await page.screenshot({ clip: box })).toString('base64');
  const { count, sumX, sumY } = await page.evaluate(async (data) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const { data: rgba } = context.getImageData(0, 0, canvas.width, canvas.height);
    let [green, x, y] = [0, 0, 0];
    for (let index = 0; index < rgba.length; index += 4) {
      if (rgba[index + 1]! - rgba[index]! > 150 && rgba[index + 1]! - rgba[index + 2]! > 150) {
        green += 1;
        x += (index / 4) % canvas.width;
        y += Math.floor(index / 4 / canvas.width);
      }
    }
    return { count: green, sumX: x, sumY: y };
  }, png);
  // Pixel centres (+0.5) against the frame's middle.
  return { count, dx: sumX / count + 0.5 - box.width / 2, dy: sumY / count + 0.5 - box.height / 2, width: box.width, height: box.height };
}

describe.skipIf(unavailable)('GCJ-02 office basemap under the WGS-84 map (headless Chromium)', () => {
  let journey: Journey;
  let tiles: Awaited<ReturnType<typeof startTileServer>>;

  beforeAll(async () => {
    tiles = await startTileServer();
    journey = await startJourney('gcj02-basemap', { BASEMAP_STYLE_URL: `${tiles.origin}/style.json`, BASEMAP_CRS: 'gcj02' });
  });
  afterAll(async () => {
    await journey?.close();
    await tiles?.close();
  });

  it('draws the office tiles shifted so the landmark lands on its WGS-84 position', async () => {
    const { page } = journey;
    await journey.logIn('leader');
    await page.goto(`${journey.server.url}/overview?z=${ZOOM}&c=${LANDMARK[0]},${LANDMARK[1]}`);
    await mapReady(page);
    let square = await markerOffset(page);
    for (let tries = 0; square.count === 0 && tries < 40; tries += 1) {
      await page.waitForTimeout(500);
      square = await markerOffset(page);
    }
    await journey.shot('1-landmark');
    expect(tiles.requests).toContain('/style.json');
    // 256-px tiles: MapLibre asks for tiles one zoom deeper than the view's (512-px) zoom.
    expect(tiles.requests.some((url) => url.startsWith(`/gcj/${ZOOM + 1}/`))).toBe(true);
    // The square (9×9 px; at least its 7×7 core however the map samples it), in the middle of the view within 2 px; unshifted it would be ~530 px east.
    const found = JSON.stringify(square);
    expect(square.count, found).toBeGreaterThanOrEqual(49);
    expect(Math.abs(square.dx), found).toBeLessThan(2);
    expect(Math.abs(square.dy), found).toBeLessThan(2);
    expect(journey.pageErrors).toEqual([]);
    expect(journey.consoleErrors).toEqual([]);
    expect(journey.foreignRequests.every((url) => url.startsWith(tiles.origin))).toBe(true);
  });
});
