/**
 * Vector tiles at the zooms a city map uses: grids from z11, grid statistics from z12, buildings
 * from z14 (points) and z15 (footprints). Tiles are sampled evenly over the city's extent.
 */
import { percentiles, underLoad, unexpectedStatuses, type ApiSession } from './client.ts';
import { latencyFigure, type Figure } from './figures.ts';
import { query } from './target.ts';

const LAYER_ZOOMS: readonly [string, number][] = [
  ['grids', 11],
  ['grids', 12],
  ['grids', 13],
  ['statistics', 12],
  ['statistics', 13],
  ['buildings', 14],
  ['buildings', 15],
];

export async function measureTiles(session: ApiSession, databaseUrl: string, tilesPerZoom: number, concurrency: number): Promise<Figure[]> {
  const [extent] = await query<{ west: number; south: number; east: number; north: number }>(
    databaseUrl,
    'SELECT ST_XMin(e) AS west, ST_YMin(e) AS south, ST_XMax(e) AS east, ST_YMax(e) AS north FROM (SELECT ST_Extent(geom) AS e FROM grids) AS x',
  );
  if (!extent) throw new Error('the city has no grids');
  const requests = LAYER_ZOOMS.flatMap(([layer, z]) =>
    sampleTiles(extent, z, tilesPerZoom).map(([x, y]) => ({ layer, z, path: `/tiles/${layer}/${z}/${x}/${y}.mvt` })),
  );
  await session.get(requests[0]!.path);
  const load = await underLoad(requests.length, concurrency, (index) => session.get(requests[index]!.path));
  const failures = unexpectedStatuses(load.results, [200, 204]);
  if (Object.keys(failures).length > 0) throw new Error(`tile requests failed: ${JSON.stringify(failures)}`);
  const all = percentiles(load.results.map((result) => result.ms));
  const perZoom = LAYER_ZOOMS.map(([layer, z]) => {
    const results = load.results.filter((_, index) => requests[index]!.layer === layer && requests[index]!.z === z);
    const stats = percentiles(results.map((result) => result.ms));
    const bytes = results.map((result) => result.bytes);
    return latencyFigure(`tiles.${layer}.z${z}`, `  ${layer} z${z}`, stats, undefined, {
      maxBytes: Math.max(...bytes),
      empty: results.filter((result) => result.status === 204).length,
    });
  });
  return [latencyFigure('tiles', `vector tiles z11–z15 (${requests.length} tiles), ${concurrency} concurrent`, all, 50, { concurrency }), ...perZoom];
}

/** Up to `count` tiles of zoom `z` covering the extent, spread evenly over it (row by row). */
export function sampleTiles(extent: { west: number; south: number; east: number; north: number }, z: number, count: number): [number, number][] {
  const [xMin, yMin] = tileOf(extent.west, extent.north, z);
  const [xMax, yMax] = tileOf(extent.east, extent.south, z);
  const all: [number, number][] = [];
  for (let y = yMin; y <= yMax; y += 1) for (let x = xMin; x <= xMax; x += 1) all.push([x, y]);
  const step = Math.max(1, all.length / count);
  return Array.from({ length: Math.min(count, all.length) }, (_, index) => all[Math.floor(index * step)]!);
}

/** Web Mercator tile (x, y from the north-west) holding a point. */
function tileOf(lon: number, lat: number, z: number): [number, number] {
  const tiles = 2 ** z;
  const radians = (lat * Math.PI) / 180;
  const x = Math.floor(((lon + 180) / 360) * tiles);
  const y = Math.floor(((1 - Math.log(Math.tan(radians) + 1 / Math.cos(radians)) / Math.PI) / 2) * tiles);
  return [Math.min(tiles - 1, Math.max(0, x)), Math.min(tiles - 1, Math.max(0, y))];
}
