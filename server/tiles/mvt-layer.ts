import { PbfReader, PbfWriter } from 'pbf';

/**
 * One layer of a Mapbox Vector Tile (spec 2.1), read and written without touching the geometry:
 * a feature's encoded commands are carried as the bytes they are, so a layer can be given other
 * properties (statistics-tiles.ts) for the price of its tags, not of clipping and quantising again.
 */

export type MvtValue = string | number | boolean;

export interface MvtFeature {
  id: number | undefined;
  /** 1 point, 2 line string, 3 polygon. */
  type: number;
  /** The packed geometry commands, as encoded. */
  geometry: Uint8Array;
  properties: Record<string, MvtValue>;
}

export interface MvtLayer {
  name: string;
  version: number;
  extent: number;
  features: MvtFeature[];
}

/** Field numbers of vector_tile.proto. */
const TILE_LAYER = 3;
const LAYER = { name: 1, feature: 2, key: 3, value: 4, extent: 5, version: 15 } as const;
const FEATURE = { id: 1, tags: 2, type: 3, geometry: 4 } as const;
const VALUE = { string: 1, float: 2, double: 3, int: 4, uint: 5, sint: 6, bool: 7 } as const;
const DEFAULT_EXTENT = 4096;
const DEFAULT_VERSION = 1;

interface RawFeature extends Omit<MvtFeature, 'properties'> {
  tags: number[];
}

interface RawLayer extends Omit<MvtLayer, 'features'> {
  features: RawFeature[];
  keys: string[];
  values: MvtValue[];
}

function readValue(tag: number, value: { value?: MvtValue }, pbf: PbfReader): void {
  if (tag === VALUE.string) value.value = pbf.readString();
  else if (tag === VALUE.float) value.value = pbf.readFloat();
  else if (tag === VALUE.double) value.value = pbf.readDouble();
  else if (tag === VALUE.int) value.value = pbf.readVarint(true);
  else if (tag === VALUE.uint) value.value = pbf.readVarint();
  else if (tag === VALUE.sint) value.value = pbf.readSVarint();
  else if (tag === VALUE.bool) value.value = pbf.readBoolean();
}

function readFeature(tag: number, feature: RawFeature, pbf: PbfReader): void {
  if (tag === FEATURE.id) feature.id = pbf.readVarint();
  else if (tag === FEATURE.tags) pbf.readPackedVarint(feature.tags);
  else if (tag === FEATURE.type) feature.type = pbf.readVarint();
  else if (tag === FEATURE.geometry) feature.geometry = pbf.readBytes();
}

function readLayer(tag: number, layer: RawLayer, pbf: PbfReader): void {
  if (tag === LAYER.name) layer.name = pbf.readString();
  else if (tag === LAYER.version) layer.version = pbf.readVarint();
  else if (tag === LAYER.extent) layer.extent = pbf.readVarint();
  else if (tag === LAYER.key) layer.keys.push(pbf.readString());
  else if (tag === LAYER.value) layer.values.push(pbf.readMessage(readValue, {} as { value?: MvtValue }).value ?? '');
  else if (tag === LAYER.feature) layer.features.push(pbf.readMessage(readFeature, { id: undefined, type: 0, geometry: new Uint8Array(), tags: [] }));
}

/** The tile's first layer, with each feature's properties resolved from its tags; undefined for an empty tile. */
export function readMvtLayer(tile: Uint8Array): MvtLayer | undefined {
  const pbf = new PbfReader(tile);
  let raw: RawLayer | undefined;
  pbf.readFields((tag, _result, reader) => {
    if (tag === TILE_LAYER && !raw)
      raw = reader.readMessage(readLayer, { name: '', version: DEFAULT_VERSION, extent: DEFAULT_EXTENT, features: [], keys: [], values: [] });
  }, {});
  if (!raw) return undefined;
  const { keys, values } = raw;
  const features = raw.features.map(({ tags, ...feature }) => {
    const properties: Record<string, MvtValue> = {};
    for (let index = 0; index + 1 < tags.length; index += 2) properties[keys[tags[index]!]!] = values[tags[index + 1]!]!;
    return { ...feature, properties };
  });
  return { name: raw.name, version: raw.version, extent: raw.extent, features };
}

function writeValue(value: MvtValue, pbf: PbfWriter): void {
  if (typeof value === 'string') pbf.writeStringField(VALUE.string, value);
  else if (typeof value === 'boolean') pbf.writeBooleanField(VALUE.bool, value);
  else if (!Number.isInteger(value)) pbf.writeDoubleField(VALUE.double, value);
  else if (value >= 0) pbf.writeVarintField(VALUE.uint, value);
  else pbf.writeSVarintField(VALUE.sint, value);
}

/** Keys and values numbered once per layer, as the spec asks (each feature's tags point into them). */
class TagTable {
  readonly keys: string[] = [];
  readonly values: MvtValue[] = [];
  private readonly keyIndex = new Map<string, number>();
  private readonly valueIndex = new Map<string, number>();

  tagsOf(properties: Record<string, MvtValue>): number[] {
    const tags: number[] = [];
    for (const [key, value] of Object.entries(properties))
      tags.push(this.indexOf(this.keyIndex, this.keys, key, key), this.indexOf(this.valueIndex, this.values, `${typeof value}:${value}`, value));
    return tags;
  }

  private indexOf<T>(index: Map<string, number>, list: T[], id: string, item: T): number {
    let position = index.get(id);
    if (position === undefined) {
      position = list.push(item) - 1;
      index.set(id, position);
    }
    return position;
  }
}

/** A tile of one layer; empty bytes when the layer has no features (the tile routes answer 204). */
export function writeMvtLayer(layer: MvtLayer): Uint8Array {
  if (layer.features.length === 0) return new Uint8Array();
  const table = new TagTable();
  const features = layer.features.map((feature) => ({ ...feature, tags: table.tagsOf(feature.properties) }));
  const pbf = new PbfWriter();
  pbf.writeMessage(
    TILE_LAYER,
    (_layer: MvtLayer, out) => {
      out.writeVarintField(LAYER.version, layer.version);
      out.writeStringField(LAYER.name, layer.name);
      for (const feature of features) out.writeMessage(LAYER.feature, writeFeature, feature);
      for (const key of table.keys) out.writeStringField(LAYER.key, key);
      for (const value of table.values) out.writeMessage(LAYER.value, writeValue, value);
      out.writeVarintField(LAYER.extent, layer.extent);
    },
    layer,
  );
  return pbf.finish();
}

function writeFeature(feature: Omit<MvtFeature, 'properties'> & { tags: number[] }, pbf: PbfWriter): void {
  if (feature.id !== undefined) pbf.writeVarintField(FEATURE.id, feature.id);
  pbf.writePackedVarint(FEATURE.tags, feature.tags);
  pbf.writeVarintField(FEATURE.type, feature.type);
  pbf.writeBytesField(FEATURE.geometry, feature.geometry);
}
