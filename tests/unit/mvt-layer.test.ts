import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { describe, expect, it } from 'vitest';
import { encodeVectorTile } from '../../server/tiles/encoder.ts';
import { readMvtLayer, writeMvtLayer } from '../../server/tiles/mvt-layer.ts';

// server/tiles/mvt-layer.ts reads a tile's layer and writes it again with other properties, the
// geometry carried as encoded: what a standard decoder (@mapbox/vector-tile, as MapLibre reads
// tiles) finds in the result must be the features, ids, shapes and values put in.
const TILE = { z: 14, x: 13389, y: 7130 };
const square = (west: number, south: number, size: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [west, south],
      [west + size, south],
      [west + size, south + size],
      [west, south + size],
      [west, south],
    ],
  ],
});
const source = encodeVectorTile(
  'grids',
  [
    { type: 'Feature', id: 44030700100101, geometry: square(114.195, 22.7, 0.004), properties: { code: '44030700100101', name: '西网格' } },
    { type: 'Feature', id: 44030700100102, geometry: square(114.205, 22.705, 0.003), properties: { code: '44030700100102', name: '东网格' } },
  ],
  TILE,
);

function decoded(tile: Uint8Array, name: string) {
  const layer = new VectorTile(new PbfReader(tile)).layers[name]!;
  return Array.from({ length: layer.length }, (_, index) => {
    const feature = layer.feature(index);
    return { id: feature.id, type: feature.type, properties: feature.properties, rings: feature.loadGeometry().map((ring) => ring.map(({ x, y }) => [x, y])) };
  });
}

describe('MVT layer read and written with other properties', () => {
  it('reads ids, types, properties and extent as a standard decoder does', () => {
    const layer = readMvtLayer(source)!;
    expect(layer.name).toBe('grids');
    expect(layer.extent).toBe(4096);
    expect(layer.features.map((feature) => [feature.id, feature.type, feature.properties])).toEqual(
      decoded(source, 'grids').map((feature) => [feature.id, feature.type, feature.properties]),
    );
  });

  it('writes a renamed layer whose shapes are the source’s and whose values keep their types', () => {
    const layer = readMvtLayer(source)!;
    const values = [
      { units: 7, residents: 5, share: 0.25, change: -3, checked: true },
      { units: 0, residents: 5, share: 1.5, change: 12, checked: false },
    ];
    const written = writeMvtLayer({
      ...layer,
      name: 'statistics',
      features: layer.features.map((feature, index) => ({ ...feature, properties: { ...feature.properties, ...values[index] } })),
    });
    const before = decoded(source, 'grids');
    const after = decoded(written, 'statistics');
    expect(after.map((feature) => feature.rings)).toEqual(before.map((feature) => feature.rings));
    expect(after.map((feature) => feature.id)).toEqual(before.map((feature) => feature.id));
    expect(after.map((feature) => feature.properties)).toEqual(before.map((feature, index) => ({ ...feature.properties, ...values[index] })));
  });

  it('gives no bytes for a layer without features, and no layer for an empty tile', () => {
    expect(writeMvtLayer({ name: 'statistics', version: 2, extent: 4096, features: [] })).toHaveLength(0);
    expect(readMvtLayer(new Uint8Array())).toBeUndefined();
  });
});
