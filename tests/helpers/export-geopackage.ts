import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import sqlite3InitModule from '@sqlite.org/sqlite-wasm';

/**
 * Reading exported GeoPackages back, independently of the writer: the file opened with SQLite's
 * WebAssembly build (which has the R*Tree module the spatial index needs), its tables as rows, and
 * a geometry blob decoded by the standard's layout (header, envelope, ISO WKB). Also ogrinfo and
 * GDAL's validator, when GDAL is installed.
 */

type Sqlite3 = Awaited<ReturnType<typeof sqlite3InitModule>>;
export type Database = InstanceType<Sqlite3['oo1']['DB']>;
export type Row = Record<string, unknown>;

let sqlite3: Promise<Sqlite3> | undefined;

/** The file's bytes as an in-memory database (sqlite3_deserialize; SQLite frees the copy on close). */
export async function openGeoPackage(file: Buffer): Promise<Database> {
  const sqlite = await (sqlite3 ??= sqlite3InitModule({ print: () => undefined, printErr: () => undefined }));
  const db = new sqlite.oo1.DB(':memory:');
  const bytes = sqlite.wasm.allocFromTypedArray(new Uint8Array(file));
  const flags = sqlite.capi.SQLITE_DESERIALIZE_FREEONCLOSE | sqlite.capi.SQLITE_DESERIALIZE_RESIZEABLE;
  db.checkRc(sqlite.capi.sqlite3_deserialize(db, 'main', bytes, file.length, file.length, flags));
  return db;
}

export function rowsOf(db: Database, query: string): Row[] {
  return db.selectObjects(query);
}

export interface DecodedGeometry {
  magic: string;
  version: number;
  littleEndian: boolean;
  /** 0 none, 1 [minx, maxx, miny, maxy]. */
  envelopeCode: number;
  empty: boolean;
  srsId: number;
  envelope: number[];
  wkbType: number;
  /** The rings of every polygon, or the one point as [[[x, y]]]. */
  polygons: number[][][][];
}

const ENVELOPE_DOUBLES = [0, 4, 6, 6, 8] as const;

export function decodeGeometry(blob: Uint8Array): DecodedGeometry {
  const data = Buffer.from(blob);
  const flags = data.readUInt8(3);
  const littleEndian = (flags & 1) === 1;
  const envelopeCode = (flags >> 1) & 0b111;
  const doubles = ENVELOPE_DOUBLES[envelopeCode as 0 | 1 | 2 | 3 | 4];
  const envelope = Array.from({ length: doubles }, (_unused, index) => (littleEndian ? data.readDoubleLE(8 + 8 * index) : data.readDoubleBE(8 + 8 * index)));
  let cursor = 8 + 8 * doubles;
  const wkbLittle = () => data.readUInt8(cursor) === 1;
  const uint = (little: boolean) => {
    const value = little ? data.readUInt32LE(cursor) : data.readUInt32BE(cursor);
    cursor += 4;
    return value;
  };
  const double = (little: boolean) => {
    const value = little ? data.readDoubleLE(cursor) : data.readDoubleBE(cursor);
    cursor += 8;
    return value;
  };
  const readHeader = () => {
    const little = wkbLittle();
    cursor += 1;
    return { little, type: uint(little) };
  };
  const readPolygon = (little: boolean) =>
    Array.from({ length: uint(little) }, () => Array.from({ length: uint(little) }, () => [double(little), double(little)]));
  const top = readHeader();
  let polygons: number[][][][];
  if (top.type === 1) polygons = [[[[double(top.little), double(top.little)]]]];
  else if (top.type === 3) polygons = [readPolygon(top.little)];
  else if (top.type === 6) {
    polygons = Array.from({ length: uint(top.little) }, () => readPolygon(readHeader().little));
  } else throw new Error(`unexpected WKB type ${top.type}`);
  return {
    magic: data.subarray(0, 2).toString('ascii'),
    version: data.readUInt8(2),
    littleEndian,
    envelopeCode,
    empty: ((flags >> 4) & 1) === 1,
    srsId: littleEndian ? data.readInt32LE(4) : data.readInt32BE(4),
    envelope,
    wkbType: top.type,
    polygons,
  };
}

const run = promisify(execFile);

/** ogrinfo's version line, or undefined when GDAL is not installed (REQUIRE_GDAL=1 makes that an error). */
export async function ogrinfoVersion(): Promise<string | undefined> {
  try {
    return (await run('ogrinfo', ['--version'])).stdout.trim();
  } catch {
    if (process.env.REQUIRE_GDAL === '1') throw new Error('REQUIRE_GDAL=1 but ogrinfo (gdal-bin) is not installed');
    process.stdout.write('\n[renwu tests] skipping the GDAL check of the GeoPackage exports: ogrinfo (gdal-bin) is not installed\n');
    return undefined;
  }
}

/** `ogrinfo -ro -so -al file`: the summary of every layer. */
export async function ogrinfoSummary(path: string): Promise<string> {
  return (await run('ogrinfo', ['-ro', '-so', '-al', path], { timeout: 60_000 })).stdout;
}

/** `ogrinfo -ro file -sql query` (GDAL's SQLite dialect, with its GeoPackage functions such as HasSpatialIndex). */
export async function ogrinfoSql(path: string, query: string, { write = false } = {}): Promise<string> {
  return (await run('ogrinfo', [...(write ? [] : ['-ro']), path, '-sql', query], { timeout: 60_000 })).stdout;
}

// GDAL's own GeoPackage validator ships with its Python bindings (Debian: python3-gdal, which gdal-bin depends on).
const VALIDATOR_PLACES = ['/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py', '/usr/share/doc/python3-gdal/examples/validate_gpkg.py'];

/** The path of validate_gpkg.py, or undefined (said on stdout) when it is not installed. */
export function geoPackageValidator(): string | undefined {
  const found = VALIDATOR_PLACES.find((place) => existsSync(place));
  if (!found && process.env.REQUIRE_GDAL === '1') throw new Error("REQUIRE_GDAL=1 but GDAL's validate_gpkg.py (python3-gdal) is not installed");
  if (!found) process.stdout.write("\n[renwu tests] skipping GDAL's validate_gpkg.py check of the GeoPackage exports: python3-gdal is not installed\n");
  return found;
}

/** Runs the validator with every requirement, extra checks and warnings as errors; rejects with its report. */
export async function validateGeoPackage(validator: string, path: string): Promise<void> {
  await run('python3', [validator, '-k', '--extra', '--warning-as-error', path], { timeout: 60_000 });
}
