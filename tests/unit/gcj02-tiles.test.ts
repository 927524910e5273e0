import type { StyleSpecification } from 'maplibre-gl';
import { describe, expect, it } from 'vitest';
import { gcj02ToWgs84, wgs84ToGcj02, type LonLat } from '../../server/domain/coordinates.ts';
import { shiftGcj02Style } from '../../web/src/lib/map/gcj02-style.ts';
import {
  gcj02PixelOf,
  lonLatOfPixel,
  parseShiftedTileUrl,
  shiftedTileTemplate,
  shiftPlan,
  sourceTileUrl,
  worldPixel,
  type ShiftPlan,
  type TileAddress,
} from '../../web/src/lib/map/gcj02-tiles.ts';

const SHENZHEN: LonLat = [114.0579, 22.5431];

function tileAt(point: LonLat, z: number, tileSize: number): TileAddress {
  const [px, py] = worldPixel(point, z, tileSize);
  return { z, x: Math.floor(px / tileSize), y: Math.floor(py / tileSize) };
}

/** The world pixel of the GCJ-02 imagery the plan puts at pixel (column, row) of the tile. */
function plannedSourcePixel(plan: ShiftPlan, tile: TileAddress, tileSize: number, column: number, row: number): [number, number] {
  const draw = plan.draws.find((d) => column >= d.dx && column < d.dx + d.width && row >= d.dy && row < d.dy + d.height);
  if (!draw) throw new Error(`pixel ${column},${row} of ${JSON.stringify(tile)} is not drawn`);
  const source = plan.sources[draw.source]!;
  return [source.x * tileSize + draw.sx + (column - draw.dx), source.y * tileSize + draw.sy + (row - draw.dy)];
}

describe('the GCJ-02 transform the basemap shift uses', () => {
  it('goes back and forth across mainland China within 1e-6 degrees', () => {
    let worst = 0;
    for (let lon = 74; lon <= 134; lon += 1.7) {
      for (let lat = 18.5; lat <= 53; lat += 1.3) {
        const [backLon, backLat] = gcj02ToWgs84(wgs84ToGcj02([lon, lat]));
        worst = Math.max(worst, Math.abs(backLon - lon), Math.abs(backLat - lat));
      }
    }
    expect(worst).toBeLessThan(1e-6);
  });
});

describe('which GCJ-02 tiles make a WGS-84 basemap tile, and where they go', () => {
  it('at the zoom of a street in Shenzhen: the imagery moves by the GCJ-02 offset, hundreds of pixels', () => {
    const tileSize = 256;
    const tile = tileAt(SHENZHEN, 17, tileSize);
    const plan = shiftPlan(tile, tileSize);
    const centre: [number, number] = [(tile.x + 0.5) * tileSize, (tile.y + 0.5) * tileSize];
    const [gcjX, gcjY] = worldPixel(wgs84ToGcj02(lonLatOfPixel(centre, 17, tileSize)), 17, tileSize);
    // GCJ-02 is ~500 m east and ~300 m south of WGS-84 here: ~+580 px east, ~+360 px down at z17.
    expect(gcjX - centre[0]).toBeGreaterThan(400);
    expect(gcjY - centre[1]).toBeGreaterThan(250);
    expect(plan.sources.length).toBeLessThanOrEqual(4);
    expect(plan.sources.every((source) => source.z === 17 && source.x > tile.x && source.y > tile.y)).toBe(true);
    const [plannedX, plannedY] = plannedSourcePixel(plan, tile, tileSize, 128, 128);
    expect(Math.abs(plannedX - gcjX)).toBeLessThanOrEqual(1);
    expect(Math.abs(plannedY - gcjY)).toBeLessThanOrEqual(1);
  });

  it.each([256, 512])('covers every pixel of a %i-px tile exactly once, inside the source tiles', (tileSize) => {
    const plan = shiftPlan(tileAt(SHENZHEN, 15, tileSize), tileSize);
    const covered = new Uint8Array(tileSize * tileSize);
    for (const draw of plan.draws) {
      expect(draw.sx).toBeGreaterThanOrEqual(0);
      expect(draw.sy).toBeGreaterThanOrEqual(0);
      expect(draw.sx + draw.width).toBeLessThanOrEqual(tileSize);
      expect(draw.sy + draw.height).toBeLessThanOrEqual(tileSize);
      for (let row = draw.dy; row < draw.dy + draw.height; row += 1) {
        for (let column = draw.dx; column < draw.dx + draw.width; column += 1) covered[row * tileSize + column]! += 1;
      }
    }
    expect(covered.every((count) => count === 1)).toBe(true);
  });

  it('puts every pixel within 1 px of its exact GCJ-02 place, z 8–18, for 256- and 512-px tiles', () => {
    const places: LonLat[] = [SHENZHEN, [116.404, 39.915], [121.4737, 31.2304], [104.0665, 30.5723], [87.6168, 43.8256], [126.535, 45.8038]];
    let worst = 0;
    for (const tileSize of [256, 512]) {
      for (const place of places) {
        for (let z = 8; z <= 18; z += 1) {
          const tile = tileAt(place, z, tileSize);
          const plan = shiftPlan(tile, tileSize);
          expect(plan.sources.length).toBeLessThanOrEqual(4);
          for (let row = 0; row < tileSize; row += 37) {
            for (let column = 0; column < tileSize; column += 37) {
              const planned = plannedSourcePixel(plan, tile, tileSize, column, row);
              const exact = gcj02PixelOf([tile.x * tileSize + column + 0.5, tile.y * tileSize + row + 0.5], z, tileSize);
              // The planned source pixel's centre against the exact place of this pixel's centre.
              worst = Math.max(worst, Math.abs(planned[0] + 0.5 - exact[0]), Math.abs(planned[1] + 0.5 - exact[1]));
            }
          }
        }
      }
    }
    expect(worst).toBeLessThan(1);
  });

  it('outside mainland China the tile is its own single source, unshifted', () => {
    const tile = tileAt([139.6917, 35.6895], 14, 256); // Tokyo
    const plan = shiftPlan(tile, 256);
    expect(plan.sources).toEqual([tile]);
    expect(plan.draws.every((draw) => draw.sx === draw.dx && draw.sy === draw.dy && draw.source === 0)).toBe(true);
  });
});

describe('the tile URLs of a shifted basemap', () => {
  const template = 'http://10.1.2.3/amap/{z}/{x}/{y}.png?style=7&lang={z}';

  it('carries the office template through the map untouched and fills in source tiles', () => {
    const shifted = shiftedTileTemplate(template, 256, 'xyz');
    expect(shifted).toMatch(/^renwu-gcj02:\/\/256\/xyz\/[^{}]+\/\{z\}\/\{x\}\/\{y\}$/);
    const asked = shifted.replace('{z}', '14').replace('{x}', '13364').replace('{y}', '7138');
    expect(parseShiftedTileUrl(asked)).toEqual({ tile: { z: 14, x: 13364, y: 7138 }, tileSize: 256, scheme: 'xyz', template });
    expect(sourceTileUrl(template, { z: 14, x: 13364, y: 7138 }, 'xyz')).toBe('http://10.1.2.3/amap/14/13364/7138.png?style=7&lang=14');
    // TMS counts rows from the south.
    expect(sourceTileUrl(template, { z: 2, x: 1, y: 0 }, 'tms')).toBe('http://10.1.2.3/amap/2/1/3.png?style=7&lang=2');
  });

  it('rewrites the raster sources of a GCJ-02 style and leaves out what cannot be shifted', () => {
    const style: StyleSpecification = {
      version: 8,
      sources: {
        streets: { type: 'raster', tiles: ['tiles/{z}/{x}/{y}.png'], tileSize: 256, scheme: 'tms' },
        labels: { type: 'raster', tiles: ['http://10.1.2.3/labels/{z}/{x}/{y}.png'] },
        pois: { type: 'vector', tiles: ['http://10.1.2.3/pois/{z}/{x}/{y}.pbf'] },
      },
      layers: [
        { id: 'ground', type: 'background', paint: { 'background-color': '#fff' } },
        { id: 'streets', type: 'raster', source: 'streets' },
        { id: 'labels', type: 'raster', source: 'labels' },
        { id: 'pois', type: 'circle', source: 'pois', 'source-layer': 'poi' },
      ],
    };
    const shifted = shiftGcj02Style(style, 'http://10.1.2.3/styles/amap.json');
    expect(Object.keys(shifted.sources)).toEqual(['streets', 'labels']);
    expect(shifted.layers.map((layer) => layer.id)).toEqual(['ground', 'streets', 'labels']);
    expect(shifted.sources.streets).toMatchObject({ type: 'raster', tileSize: 256, scheme: 'xyz' });
    const streets = parseShiftedTileUrl((shifted.sources.streets as { tiles: string[] }).tiles[0]!.replace('{z}/{x}/{y}', '1/2/3'));
    expect(streets).toMatchObject({ tileSize: 256, scheme: 'tms', template: 'http://10.1.2.3/styles/tiles/{z}/{x}/{y}.png' });
    // MapLibre's default raster tile size, made explicit so the shift draws the same size.
    expect(shifted.sources.labels).toMatchObject({ tileSize: 512 });
  });
});
