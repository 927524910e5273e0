import type { Geometry, Position } from 'geojson';
import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
import { extentOf, positionsOf, type ColumnType, type Extent, type Layer, type OutputCrs, type Value } from './layer.ts';

/**
 * OGC GeoPackage 1.3 (OGC 12-128r18) writer: an SQLite file built in memory with SQLite's official
 * WebAssembly build (@sqlite.org/sqlite-wasm: nothing native to build, and, unlike sql.js, compiled
 * with the R*Tree module), holding the three required metadata tables, one feature table, its
 * geometries as GeoPackage binary (header + ISO WKB) and its spatial index (gpkg_rtree_index), so
 * that QGIS and GDAL answer bbox queries on a large export without reading every feature.
 *
 * The package is pinned to 3.50.4-build1: later builds declare Node >= 22 and this project runs on 20.
 */

// PRAGMA application_id 'GPKG' and user_version 10300 (GeoPackage 1.3), as the standard requires.
const APPLICATION_ID = 0x47504b47;
const USER_VERSION = 10300;

const WGS84_WKT =
  'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],' +
  'PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],' +
  'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]';

interface SpatialReference {
  srsId: number;
  name: string;
  organization: string;
  definition: string;
  description: string;
}

/**
 * GCJ-02 has no EPSG code: it is WGS84 with a deliberate, position-dependent offset. It is
 * declared as its own geographic system (same ellipsoid) so that a GIS shows what it is rather
 * than silently treating offset coordinates as EPSG:4326.
 */
const SPATIAL_REFERENCES: Record<OutputCrs, SpatialReference> = {
  wgs84: {
    srsId: 4326,
    name: 'WGS 84 geodetic',
    organization: 'EPSG',
    definition: WGS84_WKT,
    description: 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid',
  },
  gcj02: {
    srsId: 990002,
    name: 'GCJ-02',
    organization: 'NONE',
    definition:
      'GEOGCS["GCJ-02",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AXIS["Latitude",NORTH],AXIS["Longitude",EAST]]',
    description: 'GCJ-02 ("Mars coordinates"): WGS 84 offset by the national obfuscation formula, as AMap and Tencent maps use; not EPSG:4326',
  },
};

const METADATA_TABLES = `
  CREATE TABLE gpkg_spatial_ref_sys (
    srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
    organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
  CREATE TABLE gpkg_contents (
    table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
    last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
    CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
  CREATE TABLE gpkg_geometry_columns (
    table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
    z TINYINT NOT NULL, m TINYINT NOT NULL,
    CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE (table_name),
    CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
    CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
  INSERT INTO gpkg_spatial_ref_sys VALUES
    ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
    ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');`;

// ---------------------------------------------------------------- geometry encoding

const WKB_TYPE = { Point: 1, Polygon: 3, MultiPolygon: 6 } as const;

/** ISO WKB, little-endian, 2D. */
function wkbOf(geometry: Geometry): Buffer {
  const parts: Buffer[] = [];
  const header = (type: number) => {
    const buffer = Buffer.alloc(5);
    buffer.writeUInt8(1, 0);
    buffer.writeUInt32LE(type, 1);
    parts.push(buffer);
  };
  const count = (value: number) => {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value, 0);
    parts.push(buffer);
  };
  const points = (positions: Position[]) => {
    const buffer = Buffer.alloc(16 * positions.length);
    positions.forEach(([x, y], index) => {
      buffer.writeDoubleLE(x!, 16 * index);
      buffer.writeDoubleLE(y!, 16 * index + 8);
    });
    parts.push(buffer);
  };
  const polygon = (rings: Position[][]) => {
    header(WKB_TYPE.Polygon);
    count(rings.length);
    for (const ring of rings) {
      count(ring.length);
      points(ring);
    }
  };
  switch (geometry.type) {
    case 'Point':
      header(WKB_TYPE.Point);
      points([geometry.coordinates]);
      break;
    case 'Polygon':
      polygon(geometry.coordinates);
      break;
    case 'MultiPolygon':
      header(WKB_TYPE.MultiPolygon);
      count(geometry.coordinates.length);
      geometry.coordinates.forEach(polygon);
      break;
    default:
      throw new Error(`GeoPackage export writes points and polygons, not ${geometry.type}`);
  }
  return Buffer.concat(parts);
}

/**
 * GeoPackage binary: 'GP', version 0, flags (little-endian; an [minx, maxx, miny, maxy] envelope
 * for polygons, none for points, as the standard allows), srs_id, then the WKB.
 */
export function geoPackageGeometry(geometry: Geometry, srsId: number): Buffer {
  const envelope = geometry.type === 'Point' ? null : extentOf(positionsOf(geometry));
  const header = Buffer.alloc(8 + (envelope ? 32 : 0));
  header.write('GP', 0, 'ascii');
  header.writeUInt8(0, 2);
  header.writeUInt8(envelope ? 0b0000_0011 : 0b0000_0001, 3);
  header.writeInt32LE(srsId, 4);
  if (envelope) {
    const [minX, minY, maxX, maxY] = envelope;
    [minX, maxX, minY, maxY].forEach((value, index) => header.writeDoubleLE(value, 8 + 8 * index));
  }
  return Buffer.concat([header, wkbOf(geometry)]);
}

// ---------------------------------------------------------------- the file

type Sqlite3 = Awaited<ReturnType<typeof sqlite3InitModule>>;
type Database = InstanceType<Sqlite3['oo1']['DB']>;
type SqlValue = string | number | null | Uint8Array;

let sqlite3: Promise<Sqlite3> | undefined;
/** The WebAssembly module loads once per process, on the first GeoPackage asked for (quietly: it logs its version). */
const loadSqlite = () => (sqlite3 ??= sqlite3InitModule({ print: () => undefined, printErr: () => undefined }));

// MEDIUMINT is the standard's 32-bit integer: GIS tools read it as Integer rather than Integer64.
const SQLITE_TYPE: Record<ColumnType, string> = { text: 'TEXT', integer: 'MEDIUMINT', real: 'DOUBLE', boolean: 'BOOLEAN' };
const GEOMETRY_COLUMN = 'geom';
const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
const sqliteValue = (value: Value): SqlValue => (typeof value === 'boolean' ? Number(value) : value);

function writeMetadata(db: Database, layer: Layer, reference: SpatialReference, extent: Extent | null, description: string): void {
  db.exec(`PRAGMA application_id = ${APPLICATION_ID}; PRAGMA user_version = ${USER_VERSION};`);
  db.exec(METADATA_TABLES);
  // EPSG:4326 is always listed (the standard requires it), GCJ-02 besides when the file is in it.
  for (const listed of new Set([SPATIAL_REFERENCES.wgs84, reference])) {
    db.exec('INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)', {
      bind: [listed.name, listed.srsId, listed.organization, listed.srsId, listed.definition, listed.description],
    });
  }
  db.exec('INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', {
    bind: [layer.name, 'features', layer.title, description, ...(extent ?? [null, null, null, null]), reference.srsId],
  });
  db.exec('INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)', { bind: [layer.name, GEOMETRY_COLUMN, layer.geometryType, reference.srsId] });
}

/** Features get fids 1, 2, … in the layer's order, so that the spatial index can name them. */
function writeFeatures(db: Database, layer: Layer, srsId: number): void {
  const columns = layer.columns.map((column) => `${quoteIdentifier(column.key)} ${SQLITE_TYPE[column.type]}`);
  db.exec(
    `CREATE TABLE ${quoteIdentifier(layer.name)} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, ${GEOMETRY_COLUMN} ${layer.geometryType}, ${columns.join(', ')})`,
  );
  const names = ['fid', GEOMETRY_COLUMN, ...layer.columns.map((column) => quoteIdentifier(column.key))];
  const insert = db.prepare(`INSERT INTO ${quoteIdentifier(layer.name)} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`);
  try {
    layer.features.forEach((feature, index) => {
      insert.bind([index + 1, geoPackageGeometry(feature.geometry, srsId), ...feature.values.map(sqliteValue)]).stepReset();
    });
  } finally {
    insert.finalize();
  }
}

// ---------------------------------------------------------------- spatial index

/**
 * The spatial index as GeoPackage's RTree extension (OGC 12-128r18 annex F.3) defines it: an
 * R*Tree virtual table of each feature's envelope, declared in gpkg_extensions, and the triggers
 * that keep it in step when a GIS edits the file. The triggers are the standard's own text (as
 * GDAL 3.6 writes them); they call ST_* functions that GeoPackage readers provide, so they are
 * created after the rows are in and never run here.
 */
function writeSpatialIndex(db: Database, layer: Layer): void {
  const table = quoteIdentifier(layer.name);
  const rtreeName = `rtree_${layer.name}_${GEOMETRY_COLUMN}`;
  const rtree = quoteIdentifier(rtreeName);
  db.exec(`CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
    scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`);
  db.exec("INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')", {
    bind: [layer.name, GEOMETRY_COLUMN],
  });
  db.exec(`CREATE VIRTUAL TABLE ${rtree} USING rtree(id, minx, maxx, miny, maxy)`);
  const insert = db.prepare(`INSERT INTO ${rtree} VALUES (?, ?, ?, ?, ?)`);
  try {
    layer.features.forEach((feature, index) => {
      const [minX, minY, maxX, maxY] = extentOf(positionsOf(feature.geometry))!;
      insert.bind([index + 1, minX, maxX, minY, maxY]).stepReset();
    });
  } finally {
    insert.finalize();
  }
  for (const trigger of rtreeTriggers(table, rtree, rtreeName)) db.exec(trigger);
}

function rtreeTriggers(table: string, rtree: string, rtreeName: string): string[] {
  const g = quoteIdentifier(GEOMETRY_COLUMN);
  const name = (suffix: string) => quoteIdentifier(`${rtreeName}_${suffix}`);
  const present = (row: 'NEW' | 'OLD') => `(${row}.${g} NOTNULL AND NOT ST_IsEmpty(${row}.${g}))`;
  const absent = (row: 'NEW' | 'OLD') => `(${row}.${g} ISNULL OR ST_IsEmpty(${row}.${g}))`;
  const upsert = `INSERT OR REPLACE INTO ${rtree} VALUES (NEW.fid, ST_MinX(NEW.${g}), ST_MaxX(NEW.${g}), ST_MinY(NEW.${g}), ST_MaxY(NEW.${g}));`;
  return [
    `CREATE TRIGGER ${name('insert')} AFTER INSERT ON ${table} WHEN ${present('NEW')} BEGIN ${upsert} END`,
    `CREATE TRIGGER ${name('update1')} AFTER UPDATE OF ${g} ON ${table} WHEN OLD.fid = NEW.fid AND ${present('NEW')} BEGIN ${upsert} END`,
    `CREATE TRIGGER ${name('update2')} AFTER UPDATE OF ${g} ON ${table} WHEN OLD.fid = NEW.fid AND ${absent('NEW')} BEGIN DELETE FROM ${rtree} WHERE id = OLD.fid; END`,
    `CREATE TRIGGER ${name('update3')} AFTER UPDATE ON ${table} WHEN OLD.fid != NEW.fid AND ${present('NEW')} BEGIN DELETE FROM ${rtree} WHERE id = OLD.fid; ${upsert} END`,
    `CREATE TRIGGER ${name('update4')} AFTER UPDATE ON ${table} WHEN OLD.fid != NEW.fid AND ${absent('NEW')} BEGIN DELETE FROM ${rtree} WHERE id IN (OLD.fid, NEW.fid); END`,
    `CREATE TRIGGER ${name('delete')} AFTER DELETE ON ${table} WHEN OLD.${g} NOT NULL BEGIN DELETE FROM ${rtree} WHERE id = OLD.fid; END`,
  ];
}

/** The layer as a GeoPackage file. `description` goes into gpkg_contents (what the figures describe). */
export async function toGeoPackage(layer: Layer, crs: OutputCrs, description: string): Promise<Buffer> {
  const sqlite = await loadSqlite();
  const db = new sqlite.oo1.DB(':memory:');
  try {
    const reference = SPATIAL_REFERENCES[crs];
    const extent = extentOf(layer.features.flatMap((feature) => positionsOf(feature.geometry)));
    writeMetadata(db, layer, reference, extent, description);
    db.transaction(() => {
      writeFeatures(db, layer, reference.srsId);
      writeSpatialIndex(db, layer);
    });
    return Buffer.from(sqlite.capi.sqlite3_js_db_export(db));
  } finally {
    db.close();
  }
}
