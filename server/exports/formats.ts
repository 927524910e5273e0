import type { Response } from 'express';
import type { Feature, FeatureCollection } from 'geojson';
import { sendAttachment, toCsv, toXlsx, type Cell, type PlanTable } from '../http/attachments.ts';
import { toGeoPackage } from './geopackage.ts';
import type { Layer, LayerColumn, OutputCrs, Value } from './layer.ts';

/**
 * The export formats. CSV (UTF-8 with a BOM, formula-safe) and XLSX reuse the collectors'
 * writers; GeoJSON and GeoPackage carry the geometry. Spreadsheets get Chinese headers and
 * wording, GIS formats the machine names and codes.
 *
 * Codes (12-digit communities, 14-digit grids, 19-digit buildings, 18-character ID numbers) must
 * reach the user whole. XLSX is the spreadsheet format: its code cells are text cells, which Excel
 * and WPS show as typed. CSV is the format for GIS and scripts: GDAL's CSV driver (and so QGIS
 * through it) reads every field as String unless told otherwise, so codes keep every digit. Excel
 * opening a CSV guesses types and turns long digit strings into rounded numbers; no CSV spelling
 * avoids that without breaking GDAL (="..." arrives in GDAL as formula text), so the web app offers
 * XLSX first and labels CSV as the GIS/script format rather than writing codes differently.
 */
export const LAYER_FORMATS = ['csv', 'xlsx', 'geojson', 'gpkg'] as const;
export type LayerFormat = (typeof LAYER_FORMATS)[number];
export const TABLE_FORMATS = ['csv', 'xlsx'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

const CONTENT_TYPES: Record<LayerFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  geojson: 'application/geo+json',
  gpkg: 'application/geopackage+sqlite3',
};

const CRS_LABEL: Record<OutputCrs, string> = { wgs84: 'WGS84', gcj02: 'GCJ-02' };

/** A value as a spreadsheet shows it: coded words translated, yes/no for booleans. */
export function spreadsheetCell(value: Value, words?: LayerColumn['words']): Cell {
  if (value === null) return null;
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'string' && words) return words[value] ?? value;
  return value;
}

/** The layer as one table, with the anchor point's longitude and latitude in the output system. */
function layerTable(layer: Layer, crs: OutputCrs): PlanTable {
  return {
    sheet: layer.title,
    columns: [...layer.columns.map((column) => column.label), `经度(${CRS_LABEL[crs]})`, `纬度(${CRS_LABEL[crs]})`],
    rows: layer.features.map((feature) => [
      ...feature.values.map((value, index) => spreadsheetCell(value, layer.columns[index]!.words)),
      feature.anchor[0],
      feature.anchor[1],
    ]),
  };
}

function notesTable(layer: Layer, crs: OutputCrs): PlanTable {
  return {
    sheet: '导出说明',
    columns: ['项目', '值'],
    rows: [...layer.notes.map(([label, value]) => [label, spreadsheetCell(value)]), ['坐标系', CRS_LABEL[crs]]],
  };
}

/** Notes as one line, for GeoPackage's gpkg_contents.description. */
const notesLine = (layer: Layer, crs: OutputCrs) =>
  [...layer.notes, ['坐标系', CRS_LABEL[crs]] as const].map(([label, value]) => `${label}: ${value ?? '—'}`).join('; ');

/**
 * GCJ-02 in a GeoJSON file, as the pre-RFC 7946 `crs` member GDAL/QGIS read: a geographic system
 * of its own (lon, lat; a datum named so that no tool identifies it as EPSG:4326). Without it GDAL
 * takes any GeoJSON for EPSG:4326 and the offset coordinates would pass for WGS84.
 */
const GCJ02_GEOJSON_CRS = {
  type: 'name',
  properties: {
    name: 'GEOGCS["GCJ-02",DATUM["GCJ-02 (WGS 84 with the national offset, not EPSG:4326)",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]',
  },
};

/**
 * RFC 7946 GeoJSON. GCJ-02 output is not what RFC 7946 means by coordinates (WGS84): the
 * foreign member `coordinateSystem` says which one the file holds, and a `crs` member names
 * GCJ-02 for GIS software (see GCJ02_GEOJSON_CRS).
 */
function toGeoJson(layer: Layer, crs: OutputCrs): string {
  const features: Feature[] = layer.features.map((feature) => ({
    type: 'Feature',
    id: String(feature.values[0]),
    geometry: feature.geometry,
    properties: Object.fromEntries(layer.columns.map((column, index) => [column.key, feature.values[index] ?? null])),
  }));
  const collection: FeatureCollection & Record<string, unknown> = {
    type: 'FeatureCollection',
    name: layer.name,
    coordinateSystem: CRS_LABEL[crs],
    ...(crs === 'gcj02' ? { crs: GCJ02_GEOJSON_CRS } : {}),
    notes: Object.fromEntries(layer.notes),
    features,
  };
  return JSON.stringify(collection);
}

export async function sendTables(response: Response, format: TableFormat, fileStem: string, tables: PlanTable[]): Promise<void> {
  const body = format === 'csv' ? toCsv(tables[0]!) : await toXlsx(tables);
  sendAttachment(response, `${fileStem}.${format}`, CONTENT_TYPES[format], body);
}

export async function sendLayer(response: Response, layer: Layer, format: LayerFormat, crs: OutputCrs, fileStem: string): Promise<void> {
  if (format === 'csv' || format === 'xlsx') return sendTables(response, format, fileStem, [layerTable(layer, crs), notesTable(layer, crs)]);
  const body = format === 'geojson' ? toGeoJson(layer, crs) : await toGeoPackage(layer, crs, notesLine(layer, crs));
  sendAttachment(response, `${fileStem}.${format}`, CONTENT_TYPES[format], body);
}
