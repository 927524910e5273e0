import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceMetres, fromWgs84, gcj02ToWgs84 } from '../../server/domain/coordinates.ts';
import { startTestApp, type LoggedIn, type TestApp } from '../helpers/app.ts';
import { ANALYTICS, insertAnalyticsCity } from '../helpers/analytics-fixture.ts';
import {
  type Database,
  decodeGeometry,
  geoPackageValidator,
  ogrinfoSql,
  ogrinfoSummary,
  ogrinfoVersion,
  openGeoPackage,
  rowsOf,
  validateGeoPackage,
} from '../helpers/export-geopackage.ts';
import { FIXTURE, fixtureUnitCode, insertUser } from '../helpers/fixture-city.ts';
import { insertCounted, writeCounted } from '../helpers/hand-edits.ts';
import { parseCsv, readXlsx } from '../e2e/support/files.ts';

/**
 * Exports (issue 9): aggregated layers in four formats read back and compared with the APIs the
 * figures come from, GCJ-02 output, and police lists of occupants (masking, audit, jurisdiction).
 * The city is the analytics fixture (tests/helpers/analytics-fixture.ts) with one month scored.
 */
let t: TestApp;
const sessions = new Map<string, LoggedIn>();
const as = async (username: string) => sessions.get(username) ?? sessions.set(username, await t.logIn(username)).get(username)!;

/** Figures on a day inside the fixture's history, cases over a period that holds them. */
const PERIOD = 'asOf=2025-06-30&from=2025-04-01&to=2025-07-31';
const PHONE = '13800138000';
let phoneOwnerId: number;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_USER_PER_MINUTE: '100000', RATE_LIMIT_IP_PER_MINUTE: '100000' });
  const db = t.handle.db;
  const city = await insertAnalyticsCity(db);
  phoneOwnerId = city.personIds.W1!;
  await writeCounted(db, 'persons', [phoneOwnerId], (trx) => trx.updateTable('persons').set({ phone: PHONE }).where('id', '=', phoneOwnerId).execute());
  for (const role of ['leader', 'planner', 'admin', 'auditor'] as const) await insertUser(db, role, role);
  await insertUser(db, 'police', 'police', [FIXTURE.district]);
  await insertUser(db, 'police_north', 'police', [ANALYTICS.northCommunity]);
  await insertUser(db, 'collector', 'collector', [FIXTURE.gridWest]);
  await insertUser(db, 'police_nowhere', 'police', []);
  await (await as('admin')).post('/api/rentals/scores/run', { from: '2025-05', to: '2025-06' }).expect(200);
});
afterAll(async () => t?.close());

interface Download {
  status: number;
  type: string;
  disposition: string;
  body: Buffer;
  text: string;
}

async function download(username: string, url: string, status = 200): Promise<Download> {
  const response = await (await as(username)).get(url).responseType('blob');
  expect({ url, status: response.status }).toEqual({ url, status });
  const body = Buffer.from(response.body as Buffer);
  return {
    status: response.status,
    type: response.headers['content-type'] ?? '',
    disposition: response.headers['content-disposition'] ?? '',
    body,
    text: body.toString('utf8'),
  };
}

type Properties = Record<string, string | number | boolean | null>;
interface ExportedFeature {
  id: string;
  geometry: { type: string; coordinates: unknown };
  properties: Properties;
}
interface ExportedCollection {
  type: string;
  name: string;
  coordinateSystem: string;
  features: ExportedFeature[];
}

const geoJson = async (username: string, url: string) => JSON.parse((await download(username, url)).text) as ExportedCollection;
const byCode = (collection: ExportedCollection) => new Map(collection.features.map((feature) => [feature.properties.code as string, feature.properties]));

/** CSV rows as objects keyed by the header; the BOM must be there. */
function csvRecords(text: string): Record<string, string>[] {
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const [header, ...rows] = parseCsv(text);
  return rows.map((row) => Object.fromEntries(header!.map((label, index) => [label, row[index] ?? ''])));
}

async function heatmapCells(username: string, metric: string, query: string) {
  const response = await (await as(username)).get(`/api/heatmaps/${metric}?level=grid&${query}`).expect(200);
  return new Map(
    (response.body.cells as { code: string; value?: number | null; suppressed?: boolean; figures?: Record<string, number> }[]).map((cell) => [cell.code, cell]),
  );
}

const auditCount = async () => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log`.execute(t.handle.db)).rows[0]!.n);

/** A 400 naming `field`, with no audit row written (a rejected request changes nothing). */
async function expectRejected(username: string, url: string, field: string): Promise<void> {
  const before = await auditCount();
  const response = await (await as(username)).get(url).expect(400);
  expect(response.body.error.details.fields.map((entry: { field: string }) => entry.field)).toContain(field);
  expect(await auditCount()).toBe(before);
}

describe('grid layer figures', () => {
  it('carries the heatmaps’ figures, the tier counts and the collectors’ need and gap for every grid', async () => {
    const grids = byCode(await geoJson('planner', `/api/exports/grids?format=geojson&${PERIOD}`));
    const [population, density, registration, permits, cases, rentals] = await Promise.all([
      heatmapCells('planner', 'population', 'asOf=2025-06-30'),
      heatmapCells('planner', 'floating_density', 'asOf=2025-06-30'),
      heatmapCells('planner', 'registration_rate', 'asOf=2025-06-30'),
      heatmapCells('planner', 'permit_rate', 'asOf=2025-06-30'),
      heatmapCells('planner', 'cases', 'from=2025-04-01&to=2025-07-31'),
      heatmapCells('planner', 'rental_units', ''),
    ]);
    const tiers = (await (await as('planner')).get('/api/rentals/tiers/grids?month=2025-06').expect(200)).body.grids as Record<string, number | string>[];
    const allocation = (await (await as('planner')).get('/api/collectors/allocation?level=grid').expect(200)).body.rows as Record<string, number | string>[];

    expect([...grids.keys()]).toEqual([...population.keys()]);
    expect(grids.size).toBe(3);
    for (const [code, grid] of grids) {
      expect({ code, population: grid.population, floating: grid.floating }).toEqual({
        code,
        population: population.get(code)!.value,
        floating: density.get(code)!.figures!.floating,
      });
      expect(grid.floating_density).toBeCloseTo(density.get(code)!.value!, 2);
      expect(grid.registration_rate).toBe(registration.get(code)!.value);
      expect(grid.permit_rate).toBe(permits.get(code)!.value);
      expect(grid.cases).toBe(cases.get(code)!.value);
      expect(grid.criminal).toBe(cases.get(code)!.figures!.criminal);
      const rental = rentals.get(code)!;
      expect([grid.rental_houses, grid.rented_units, grid.rental_buildings]).toEqual([
        rental.value,
        rental.figures!.rentedUnits,
        rental.figures!.rentalBuildings,
      ]);
      const tier = tiers.find((row) => row.gridCode === code);
      expect([grid.red, grid.yellow, grid.green, grid.star]).toEqual(tier ? [tier.red, tier.yellow, tier.green, tier.star] : [0, 0, 0, 0]);
      const plan = allocation.find((row) => row.code === code)!;
      expect([grid.collectors_need, grid.collectors_full_time, grid.collectors_gap]).toEqual([plan.need, plan.fullTimeAssigned, plan.gap]);
      expect(grid.suppressed).toBe(0);
    }
    // By hand (tests/helpers/analytics-fixture.ts) on 2025-06-30: West W1 W3 W4 W5 W6 floating, W7 lodging, W8 overseas.
    expect(grids.get(FIXTURE.gridWest)).toMatchObject({
      name: '西网格',
      community_code: FIXTURE.community,
      population: 7,
      floating: 5,
      lodging: 1,
      overseas: 1,
      registered: 0,
    });
    const tierTotal = tiers.reduce((sum, row) => sum + Number(row.total), 0);
    expect(tierTotal).toBeGreaterThan(0);
  });

  it('suppresses, for leaders, every figure about fewer than k people, as their heatmaps do', async () => {
    const leader = byCode(await geoJson('leader', `/api/exports/grids?format=geojson&${PERIOD}`));
    const planner = byCode(await geoJson('planner', `/api/exports/grids?format=geojson&${PERIOD}`));
    const population = await heatmapCells('leader', 'population', 'asOf=2025-06-30');
    const density = await heatmapCells('leader', 'floating_density', 'asOf=2025-06-30');
    for (const [code, grid] of leader) {
      expect({ code, blank: grid.population === null }).toEqual({ code, blank: population.get(code)!.suppressed === true });
      expect({ code, blank: grid.floating_density === null }).toEqual({ code, blank: density.get(code)!.suppressed === true });
      // Counts that are no people's business stay.
      expect(grid.cases).toBe(planner.get(code)!.cases);
      expect(grid.red).toBe(planner.get(code)!.red);
    }
    // North has one floating person; West's 5 floating people are shown, its 1 lodger is not.
    expect(leader.get(ANALYTICS.northGrid)).toMatchObject({ floating: null, population: null, registration_rate: null });
    expect(leader.get(FIXTURE.gridWest)).toMatchObject({ floating: 5, lodging: null, overseas: null });
    expect(leader.get(ANALYTICS.northGrid)!.suppressed).toBeGreaterThan(0);
  });
});

/**
 * The GeoPackage RTree spatial index (gpkg_rtree_index): declared in gpkg_extensions, one entry per
 * feature holding its envelope (SQLite's R*Tree stores 32-bit floats rounded outwards by up to two steps, hence the
 * tolerance), and the six triggers the standard requires to keep it in step with edits.
 */
function expectSpatialIndex(db: Database, layer: string): void {
  expect(rowsOf(db, 'SELECT table_name, column_name, extension_name, scope FROM gpkg_extensions')).toEqual([
    { table_name: layer, column_name: 'geom', extension_name: 'gpkg_rtree_index', scope: 'write-only' },
  ]);
  const entries = rowsOf(db, `SELECT id, minx, maxx, miny, maxy FROM rtree_${layer}_geom ORDER BY id`);
  const features = rowsOf(db, `SELECT fid, geom FROM ${layer} ORDER BY fid`);
  expect(entries.map((entry) => entry.id)).toEqual(features.map((feature) => feature.fid));
  features.forEach((feature, index) => {
    const positions = decodeGeometry(feature.geom as Uint8Array).polygons.flat(2);
    const [minX, maxX] = [Math.min(...positions.map(([x]) => x!)), Math.max(...positions.map(([x]) => x!))];
    const [minY, maxY] = [Math.min(...positions.map(([, y]) => y!)), Math.max(...positions.map(([, y]) => y!))];
    const entry = entries[index]! as Record<'minx' | 'maxx' | 'miny' | 'maxy', number>;
    expect(entry.minx).toBeLessThanOrEqual(minX);
    expect(entry.miny).toBeLessThanOrEqual(minY);
    expect(entry.maxx).toBeGreaterThanOrEqual(maxX);
    expect(entry.maxy).toBeGreaterThanOrEqual(maxY);
    expect(Math.max(minX - entry.minx, minY - entry.miny, entry.maxx - maxX, entry.maxy - maxY)).toBeLessThan(3e-5);
  });
  const triggers = rowsOf(db, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").map((row) => row.name);
  expect(triggers).toEqual(['delete', 'insert', 'update1', 'update2', 'update3', 'update4'].map((suffix) => `rtree_${layer}_geom_${suffix}`));
}

/**
 * The cells of one column of an XLSX sheet as ExcelJS reads them: their type and their value. Excel
 * shows a String cell as typed, so an 18/19-digit code stays whole (a Number cell keeps 15 digits).
 */
async function xlsxColumn(file: Buffer, sheet: string, column: string): Promise<{ type: number; value: unknown }[]> {
  const ExcelJS = (await import('exceljs')).default;
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(file as unknown as ArrayBuffer);
  const worksheet = workbook.getWorksheet(sheet)!;
  const header = (worksheet.getRow(1).values as unknown[]).indexOf(column);
  expect(header, `column ${column}`).toBeGreaterThan(0);
  const cells: { type: number; value: unknown }[] = [];
  worksheet.eachRow((row, number) => {
    if (number > 1) cells.push({ type: row.getCell(header).type, value: row.getCell(header).value });
  });
  return cells;
}

const XLSX_STRING = 3; // ExcelJS ValueType.String

describe('grid layer formats', () => {
  it('CSV: UTF-8 with a BOM, Chinese headers, the same figures as the GeoJSON, and the file named', async () => {
    const file = await download('planner', `/api/exports/grids?format=csv&${PERIOD}`);
    expect(file.type).toBe('text/csv; charset=utf-8');
    expect(file.disposition).toMatch(/^attachment; filename="grids-440307-\d{4}-\d{2}-\d{2}\.csv"$/);
    const records = csvRecords(file.text);
    const grids = byCode(await geoJson('planner', `/api/exports/grids?format=geojson&${PERIOD}`));
    expect(records.map((record) => record['网格编码'])).toEqual([...grids.keys()]);
    const west = records.find((record) => record['网格编码'] === FIXTURE.gridWest)!;
    expect(west).toMatchObject({ 网格名称: '西网格', 流动人口: '5', 实有人口: '7', '居住登记率(%)': String(grids.get(FIXTURE.gridWest)!.registration_rate) });
    expect(Number(west['经度(WGS84)'])).toBeGreaterThan(114.2);
    expect(Number(west['经度(WGS84)'])).toBeLessThan(114.21);
  });

  it('XLSX: a sheet of grids and a sheet saying what the figures describe', async () => {
    const file = await download('planner', `/api/exports/grids?format=xlsx&${PERIOD}`);
    expect(file.disposition).toMatch(/filename="grids-440307-.*\.xlsx"/);
    const workbook = readXlsx(file.body);
    expect(workbook.sheetNames).toEqual(['网格统计', '导出说明']);
    const [header, ...rows] = workbook.sheets.get('网格统计')!;
    const csv = parseCsv((await download('planner', `/api/exports/grids?format=csv&${PERIOD}`)).text);
    expect(header).toEqual(csv[0]);
    expect(rows.map((row) => row[0])).toEqual(csv.slice(1).map((row) => row[0]));
    expect(rows[0]![header!.indexOf('流动人口')]).toBe(csv[1]![header!.indexOf('流动人口')]);
    const notes = Object.fromEntries(
      workbook.sheets
        .get('导出说明')!
        .slice(1)
        .map(([label, value]) => [label, value]),
    );
    expect(notes).toMatchObject({ 人口统计日: '2025-06-30', 案件统计期: '2025-04-01 至 2025-07-31', 出租屋评分月份: '2025-06', 坐标系: 'WGS84' });
  });

  it('GeoJSON: each grid’s polygon as stored', async () => {
    const collection = await geoJson('planner', `/api/exports/grids?format=geojson&${PERIOD}`);
    expect(collection).toMatchObject({ type: 'FeatureCollection', name: 'grids', coordinateSystem: 'WGS84' });
    const stored = await sql<{
      code: string;
      geometry: { coordinates: unknown };
    }>`SELECT code, ST_AsGeoJSON(geom, 7)::json AS geometry FROM grids ORDER BY code`.execute(t.handle.db);
    expect(collection.features.map((feature) => [feature.id, feature.geometry])).toEqual(stored.rows.map((row) => [row.code, row.geometry]));
  });

  it('GeoPackage: the required tables, GeoPackage binary geometries and one feature per grid the API lists', async () => {
    const file = await download('planner', `/api/exports/grids?format=gpkg&${PERIOD}`);
    expect(file.type).toBe('application/geopackage+sqlite3');
    expect(file.disposition).toMatch(/filename="grids-440307-.*\.gpkg"/);
    const db = await openGeoPackage(file.body);
    try {
      expect(rowsOf(db, 'PRAGMA application_id')[0]!.application_id).toBe(0x47504b47);
      expect(rowsOf(db, 'PRAGMA user_version')[0]!.user_version).toBe(10300);
      expect(rowsOf(db, 'SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id').map((row) => row.srs_id)).toEqual([-1, 0, 4326]);
      const [contents] = rowsOf(db, 'SELECT * FROM gpkg_contents');
      expect(contents).toMatchObject({
        table_name: 'grids',
        data_type: 'features',
        identifier: '网格统计',
        srs_id: 4326,
        min_x: 114.2,
        min_y: 22.7,
        max_x: 114.22,
        max_y: 22.72,
      });
      expect(rowsOf(db, 'SELECT * FROM gpkg_geometry_columns')).toEqual([
        { table_name: 'grids', column_name: 'geom', geometry_type_name: 'MULTIPOLYGON', srs_id: 4326, z: 0, m: 0 },
      ]);
      expect(rowsOf(db, 'PRAGMA integrity_check')[0]!.integrity_check).toBe('ok');
      expectSpatialIndex(db, 'grids');

      const features = rowsOf(db, 'SELECT * FROM grids ORDER BY fid');
      const apiGrids = await heatmapCells('planner', 'population', 'asOf=2025-06-30');
      expect(features.length).toBe(apiGrids.size);
      const collection = await geoJson('planner', `/api/exports/grids?format=geojson&${PERIOD}`);
      features.forEach((feature, index) => {
        const { fid: _fid, geom, ...properties } = feature;
        expect(properties).toEqual(collection.features[index]!.properties);
        const geometry = decodeGeometry(geom as Uint8Array);
        expect(geometry).toMatchObject({ magic: 'GP', version: 0, littleEndian: true, envelopeCode: 1, empty: false, srsId: 4326, wkbType: 6 });
        expect(geometry.polygons).toEqual(collection.features[index]!.geometry.coordinates);
        const xs = geometry.polygons.flat(2).map(([x]) => x!);
        const ys = geometry.polygons.flat(2).map(([, y]) => y!);
        expect(geometry.envelope).toEqual([Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]);
      });
    } finally {
      db.close();
    }
  });
});

describe('codes in spreadsheets', () => {
  it.each([
    ['grids', '网格统计', '网格编码', 14],
    ['buildings', '建筑与出租屋等级', '建筑编码', 19],
  ] as const)(
    'XLSX: the %s layer’s codes are text cells with every digit, so Excel neither rounds nor reformats them',
    async (layer, sheet, column, digits) => {
      const file = (await download('planner', `/api/exports/${layer}?format=xlsx`)).body;
      const collection = await geoJson('planner', `/api/exports/${layer}?format=geojson`);
      const cells = await xlsxColumn(file, sheet, column);
      expect(cells.map((cell) => cell.value)).toEqual(collection.features.map((feature) => feature.properties.code));
      for (const cell of cells) {
        expect(cell.type).toBe(XLSX_STRING);
        expect(cell.value).toMatch(new RegExp(`^\\d{${digits}}$`));
      }
    },
  );
});

describe('building layer', () => {
  it('lists active buildings with the tiers the rentals API shows, in every format', async () => {
    const collection = await geoJson('police', '/api/exports/buildings?format=geojson&month=2025-06');
    const tiers = (await (await as('police')).get('/api/rentals/tiers?month=2025-06').expect(200)).body.buildings as {
      code: string;
      tier: string;
      score: number;
      point: number[];
    }[];
    const active = await t.handle.db.selectFrom('buildings').select('code').where('status', '=', 'active').orderBy('code').execute();
    expect(collection.features.map((feature) => feature.id)).toEqual(active.map((row) => row.code));
    for (const feature of collection.features) {
      const scored = tiers.find((row) => row.code === feature.id);
      expect({ code: feature.id, tier: feature.properties.tier, score: feature.properties.score }).toEqual({
        code: feature.id,
        tier: scored?.tier ?? null,
        score: scored?.score ?? null,
      });
      expect(feature.geometry.type).toBe('Point');
    }
    expect(tiers.length).toBeGreaterThan(0);
    const west = collection.features.find((feature) => feature.id === FIXTURE.westHouse)!;
    expect(west.properties).toMatchObject({ use: 'urban_village', units: 6, rented_units: 6, responsibility_letter_signed: true });
    expect(west.properties).not.toHaveProperty('landlord_name');

    const records = csvRecords((await download('police', '/api/exports/buildings?format=csv&month=2025-06')).text);
    const westRow = records.find((record) => record['建筑编码'] === FIXTURE.westHouse)!;
    expect(westRow).toMatchObject({ 用途: '城中村', 已签治安责任书: '是', 出租单元: '6' });
    expect(westRow['出租屋等级']).toBe({ red: '红', yellow: '黄', green: '绿', star: '星级' }[west.properties.tier as string]);

    const onlyTier = await geoJson('police', `/api/exports/buildings?format=geojson&month=2025-06&tier=${west.properties.tier}`);
    expect(onlyTier.features.map((feature) => feature.id)).toEqual(
      tiers
        .filter((row) => row.tier === west.properties.tier)
        .map((row) => row.code)
        .sort(),
    );
  });

  it('writes a point GeoPackage whose features match the GeoJSON', async () => {
    const db = await openGeoPackage((await download('planner', '/api/exports/buildings?format=gpkg')).body);
    try {
      expect(rowsOf(db, 'SELECT geometry_type_name FROM gpkg_geometry_columns')).toEqual([{ geometry_type_name: 'POINT' }]);
      expectSpatialIndex(db, 'buildings');
      const features = rowsOf(db, 'SELECT * FROM buildings ORDER BY fid');
      const collection = await geoJson('planner', '/api/exports/buildings?format=geojson');
      expect(features.map((feature) => feature.code)).toEqual(collection.features.map((feature) => feature.id));
      const geometry = decodeGeometry(features[0]!.geom as Uint8Array);
      expect(geometry).toMatchObject({ magic: 'GP', envelopeCode: 0, srsId: 4326, wkbType: 1 });
      expect(geometry.polygons[0]![0]![0]).toEqual(collection.features[0]!.geometry.coordinates);
      expect(features[0]!.has_video).toBe(0);
    } finally {
      db.close();
    }
  });
});

const gdal = await ogrinfoVersion();

describe.runIf(gdal)(`GDAL reads the GeoPackages (${gdal})`, () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'renwu-gpkg-'));
  });
  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it.each([
    ['grids', 'Multi Polygon', 'EPSG:4326|WGS 84'],
    ['buildings', 'Point', 'EPSG:4326|WGS 84'],
  ])('ogrinfo -so sees layer %s as %s with the API’s feature count', async (layer, geometryType, crsName) => {
    const path = join(directory, `${layer}.gpkg`);
    await writeFile(path, (await download('planner', `/api/exports/${layer}?format=gpkg`)).body);
    const summary = await ogrinfoSummary(path);
    const collection = await geoJson('planner', `/api/exports/${layer}?format=geojson`);
    expect(summary).toMatch(new RegExp(`Layer name: ${layer}\\b`));
    expect(summary).toMatch(new RegExp(`Geometry: ${geometryType}`));
    expect(summary).toMatch(new RegExp(crsName));
    expect(Number(/Feature Count: (\d+)/.exec(summary)?.[1])).toBe(collection.features.length);
    expect(summary).toMatch(/code: String/);
    // GDAL finds the RTree index, so QGIS and ogr2ogr -spat read only the features in view.
    expect(await ogrinfoSql(path, `SELECT HasSpatialIndex('${layer}', 'geom')`)).toMatch(/HasSpatialIndex \(Integer\) = 1/);
  });

  it.each(['grids', 'buildings'])('keeps the %s spatial index in step when GDAL edits the file (the RTree triggers run there)', async (layer) => {
    const path = join(directory, `${layer}-edited.gpkg`);
    await writeFile(path, (await download('planner', `/api/exports/${layer}?format=gpkg`)).body);
    const entries = async () => Number(/n \(Integer\) = (\d+)/.exec(await ogrinfoSql(path, `SELECT count(*) AS n FROM rtree_${layer}_geom`))?.[1]);
    const before = await entries();
    expect(before).toBeGreaterThan(1);
    await ogrinfoSql(path, `DELETE FROM ${layer} WHERE fid = 1`, { write: true });
    await ogrinfoSql(path, `UPDATE ${layer} SET geom = NULL WHERE fid = 2`, { write: true });
    expect(await entries()).toBe(before - 2);
  });

  const validator = geoPackageValidator();
  it.runIf(validator).each(['grids', 'buildings'])('GDAL’s validate_gpkg.py passes the %s GeoPackage in both coordinate systems', async (layer) => {
    for (const crs of ['wgs84', 'gcj02']) {
      const path = join(directory, `${layer}-${crs}-validated.gpkg`);
      await writeFile(path, (await download('planner', `/api/exports/${layer}?format=gpkg&crs=${crs}`)).body);
      await validateGeoPackage(validator!, path);
    }
  });

  it.each([
    ['grids', '网格编码'],
    ['buildings', '建筑编码'],
  ])('reads the %s CSV’s codes as String with every digit (GDAL’s CSV driver types no field unless told)', async (layer, column) => {
    const path = join(directory, `${layer}.csv`);
    await writeFile(path, (await download('planner', `/api/exports/${layer}?format=csv`)).body);
    const listing = await ogrinfoSql(path, `SELECT "${column}" FROM "${layer}"`);
    const codes = [...listing.matchAll(new RegExp(`${column} \\((\\w+)\\) = (\\S+)`, 'g'))].map((match) => [match[1], match[2]]);
    const collection = await geoJson('planner', `/api/exports/${layer}?format=geojson`);
    expect(codes).toEqual(collection.features.map((feature) => ['String', feature.properties.code]));
  });

  it('names the GCJ-02 system in a gcj02 GeoPackage', async () => {
    const path = join(directory, 'grids-gcj02.gpkg');
    await writeFile(path, (await download('planner', '/api/exports/grids?format=gpkg&crs=gcj02')).body);
    const summary = await ogrinfoSummary(path);
    expect(summary).toMatch(/GCJ-02/);
    expect(Number(/Feature Count: (\d+)/.exec(summary)?.[1])).toBe(3);
  });

  it('labels a gcj02 GeoJSON as GCJ-02 so that GDAL never reads it as EPSG:4326 (issue 22 item 5)', async () => {
    const file = await download('planner', '/api/exports/grids?format=geojson&crs=gcj02');
    expect(file.disposition).toMatch(/filename="grids-.*-gcj02\.geojson"/);
    const path = join(directory, 'grids-gcj02.geojson');
    await writeFile(path, file.body);
    const summary = await ogrinfoSummary(path);
    expect(summary).toMatch(/GEOGCRS\["GCJ-02"/);
    expect(summary).not.toMatch(/ID\["EPSG",4326\]|GEOGCRS\["WGS 84"/);
    expect(Number(/Feature Count: (\d+)/.exec(summary)?.[1])).toBe(3);
    // The WGS84 file stays plain RFC 7946, which GDAL reads as WGS 84.
    const wgsPath = join(directory, 'grids-wgs84.geojson');
    await writeFile(wgsPath, (await download('planner', '/api/exports/grids?format=geojson')).body);
    expect(await ogrinfoSummary(wgsPath)).toMatch(/GEOGCRS\["WGS 84"/);
  });
});

describe('GCJ-02 output', () => {
  it('offsets every coordinate by the GCJ-02 formula, and converting back lands within 1 m of the stored point', async () => {
    const wgs = await geoJson('planner', '/api/exports/buildings?format=geojson');
    const gcj = await geoJson('planner', '/api/exports/buildings?format=geojson&crs=gcj02');
    expect([wgs.coordinateSystem, gcj.coordinateSystem]).toEqual(['WGS84', 'GCJ-02']);
    expect(gcj.features.map((feature) => feature.properties)).toEqual(wgs.features.map((feature) => feature.properties));
    wgs.features.forEach((feature, index) => {
      const stored = feature.geometry.coordinates as [number, number];
      const offset = gcj.features[index]!.geometry.coordinates as [number, number];
      const expected = fromWgs84(stored, 'gcj02');
      expect(offset[0]).toBeCloseTo(expected[0], 6);
      expect(offset[1]).toBeCloseTo(expected[1], 6);
      // In Shenzhen the GCJ-02 shift is several hundred metres, east and south.
      expect(distanceMetres(stored, offset)).toBeGreaterThan(200);
      expect(distanceMetres(stored, offset)).toBeLessThan(1000);
      expect(distanceMetres(stored, gcj02ToWgs84(offset))).toBeLessThan(1);
    });
  });

  it('converts polygons, spreadsheet points and the GeoPackage extent too', async () => {
    const gcj = await geoJson('planner', '/api/exports/grids?format=geojson&crs=gcj02');
    const firstCorner = (gcj.features[0]!.geometry.coordinates as number[][][][])[0]![0]![0] as [number, number];
    expect(distanceMetres(gcj02ToWgs84(firstCorner), [114.2, 22.7])).toBeLessThan(1);

    const file = await download('planner', '/api/exports/grids?format=csv&crs=gcj02');
    expect(file.disposition).toMatch(/filename="grids-440307-.*-gcj02\.csv"/);
    const west = csvRecords(file.text).find((record) => record['网格编码'] === FIXTURE.gridWest)!;
    const back = gcj02ToWgs84([Number(west['经度(GCJ-02)']), Number(west['纬度(GCJ-02)'])]);
    expect(back[0]).toBeGreaterThan(114.2);
    expect(back[0]).toBeLessThan(114.21);

    const db = await openGeoPackage((await download('planner', '/api/exports/grids?format=gpkg&crs=gcj02')).body);
    try {
      const [reference] = rowsOf(db, 'SELECT r.srs_name, r.srs_id FROM gpkg_spatial_ref_sys r JOIN gpkg_contents c ON c.srs_id = r.srs_id');
      expect(reference!.srs_name).toBe('GCJ-02');
      // The extent is that of the converted coordinates (the offset varies from corner to corner).
      const corners = gcj.features.flatMap((feature) => (feature.geometry.coordinates as number[][][][]).flat(2));
      const [contents] = rowsOf(db, 'SELECT min_x, min_y, max_x, max_y FROM gpkg_contents');
      expect(contents).toEqual({
        min_x: Math.min(...corners.map(([x]) => x!)),
        min_y: Math.min(...corners.map(([, y]) => y!)),
        max_x: Math.max(...corners.map(([x]) => x!)),
        max_y: Math.max(...corners.map(([, y]) => y!)),
      });
      const [feature] = rowsOf(db, 'SELECT geom FROM grids LIMIT 1');
      expect(decodeGeometry(feature!.geom as Uint8Array).srsId).toBe(reference!.srs_id);
    } finally {
      db.close();
    }
  });
});

describe('who exports which layer', () => {
  it.each(['collector', 'admin', 'auditor'])('refuses %s with 403', async (username) => {
    await download(username, '/api/exports/grids', 403);
    await download(username, '/api/exports/buildings', 403);
  });

  it('gives police only their jurisdiction: an area cut to it, an area outside it 404', async () => {
    const all = byCode(await geoJson('police_north', '/api/exports/grids?format=geojson'));
    expect([...all.keys()]).toEqual([ANALYTICS.northGrid]);
    const district = byCode(await geoJson('police_north', `/api/exports/grids?format=geojson&area=${FIXTURE.district}`));
    expect([...district.keys()]).toEqual([ANALYTICS.northGrid]);
    await download('police_north', `/api/exports/grids?area=${FIXTURE.gridWest}`, 404);
    await download('police_north', `/api/exports/buildings?area=${FIXTURE.community}`, 404);
    const buildings = await geoJson('police_north', '/api/exports/buildings?format=geojson');
    expect(buildings.features.map((feature) => feature.id)).toEqual([ANALYTICS.northHouse]);
  });

  it('gives police without a jurisdiction empty files that still open', async () => {
    const csv = parseCsv((await download('police_nowhere', '/api/exports/grids?format=csv')).text);
    expect(csv.length).toBe(1);
    const file = await download('police_nowhere', '/api/exports/buildings?format=gpkg');
    expect(file.disposition).toMatch(/filename="buildings-none-/);
    const db = await openGeoPackage(file.body);
    try {
      expect(rowsOf(db, 'SELECT count(*) AS n FROM buildings')).toEqual([{ n: 0 }]);
      expect(rowsOf(db, 'SELECT min_x FROM gpkg_contents')).toEqual([{ min_x: null }]);
    } finally {
      db.close();
    }
  });

  it('limits any role to the area asked for, and answers 404 for an area that does not exist', async () => {
    const west = await geoJson('leader', `/api/exports/buildings?format=geojson&area=${FIXTURE.gridWest}`);
    expect(west.features.map((feature) => feature.id)).toEqual([FIXTURE.westHouse, FIXTURE.westShop]);
    const community = byCode(await geoJson('planner', `/api/exports/grids?format=geojson&area=${FIXTURE.community}`));
    expect([...community.keys()]).toEqual([FIXTURE.gridWest, FIXTURE.gridEast]);
    await download('planner', '/api/exports/grids?area=440399', 404);
  });

  it('records each layer export in the audit log', async () => {
    await download('planner', `/api/exports/grids?format=xlsx&area=${FIXTURE.community}`);
    const row = await t.handle.db
      .selectFrom('audit_log')
      .select(['action', 'target_type', 'target_id', 'details', 'username'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      action: 'export',
      target_type: 'grids_layer',
      target_id: FIXTURE.community,
      username: 'planner',
      details: { format: 'xlsx', crs: 'wgs84', features: 2 },
    });
  });

  it.each([
    ['format=pdf', 'format'],
    ['crs=bd09', 'crs'],
    ['area=4403', 'area'],
    ['asOf=2999-01-01', 'asOf'],
    ['from=2025-07-01&to=2025-06-01', 'from'],
    ['asOf=2025-02-30', 'asOf'],
  ])('answers 400 naming the field for %s, writing nothing', async (query, field) => {
    await expectRejected('planner', `/api/exports/grids?${query}`, field);
  });

  it('validates the building layer’s month and tier', async () => {
    await expectRejected('planner', '/api/exports/buildings?month=2025-13', 'month');
    await expectRejected('planner', '/api/exports/buildings?tier=purple', 'tier');
  });
});

describe('occupant lists (police only)', () => {
  const westUrl = (extra = '') => `/api/exports/people?building=${FIXTURE.westHouse}&purpose=${encodeURIComponent('出租屋检查')}${extra}`;

  async function currentOccupants(prefix: string) {
    const result = await sql<{ id: number; id_number: string; name: string }>`
      SELECT p.id, p.id_number, p.name FROM residencies r JOIN persons p ON p.id = r.person_id
      WHERE r.moved_out IS NULL AND starts_with(r.unit_code, ${prefix}) ORDER BY r.unit_code, p.name, p.id`.execute(t.handle.db);
    return result.rows;
  }

  it('lists the building’s current occupants with full ID and phone numbers for police, and audits the export', async () => {
    const file = await download('police', westUrl());
    expect(file.disposition).toMatch(new RegExp(`filename="people-${FIXTURE.westHouse}-.*\\.csv"`));
    const records = csvRecords(file.text);
    const expected = await currentOccupants(FIXTURE.westHouse);
    expect(records.map((record) => [record['姓名'], record['证件号码']])).toEqual(expected.map((row) => [row.name, row.id_number]));
    expect(records.find((record) => record['姓名'] === 'W1')).toMatchObject({
      联系电话: PHONE,
      人员类别: '流动',
      单元编码: fixtureUnitCode(FIXTURE.westHouse, 1, 1),
    });

    const audit = await t.handle.db
      .selectFrom('audit_log')
      .select(['action', 'target_type', 'target_id', 'purpose', 'details', 'username', 'role'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      action: 'export',
      target_type: 'building',
      target_id: FIXTURE.westHouse,
      purpose: '出租屋检查',
      username: 'police',
      role: 'police',
    });
    expect(audit.details).toMatchObject({ view: 'occupants_export', format: 'csv', masked: false, people: expected.length });
    const written = JSON.stringify(audit.details);
    for (const person of expected) {
      expect(written).not.toContain(person.id_number);
      expect(written).not.toContain(`"${person.name}"`);
    }
    expect(written).not.toContain(PHONE);
  });

  it('masks ID numbers (first 6 + last 4) and phones (3 + 4) when asked, as for every other role', async () => {
    const records = csvRecords((await download('police', westUrl('&masked=true'))).text);
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      expect(record['证件号码']).toMatch(/^(\d{6}\*{8}[\dX]{4}|[A-Z0-9]{2}\*+)$/);
    }
    expect(records.find((record) => record['姓名'] === 'W1')!['联系电话']).toBe('138****8000');
    const audit = await t.handle.db.selectFrom('audit_log').select('details').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ masked: true });
  });

  it('exports a grid’s occupants as XLSX', async () => {
    const url = `/api/exports/people?grid=${FIXTURE.gridEast}&format=xlsx&purpose=${encodeURIComponent('走访核查')}`;
    const workbook = readXlsx((await download('police', url)).body);
    const [header, ...rows] = workbook.sheets.get('现住人员')!;
    const expected = await currentOccupants(FIXTURE.gridEast);
    expect(rows.map((row) => row[header!.indexOf('证件号码')])).toEqual(expected.map((row) => row.id_number));
    // ID numbers (18 characters, mostly digits) and unit codes are text cells: Excel would round them as numbers.
    for (const column of ['证件号码', '单元编码']) {
      expect(
        (await xlsxColumn((await download('police', url)).body, '现住人员', column)).every((cell) => cell.type === XLSX_STRING),
        column,
      ).toBe(true);
    }
    const audit = await t.handle.db.selectFrom('audit_log').select(['target_type', 'target_id', 'details']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ target_type: 'grid', target_id: FIXTURE.gridEast, details: { format: 'xlsx', people: expected.length } });
  });

  it.each(['leader', 'planner', 'collector', 'admin', 'auditor'])('refuses %s with 403 and audits nothing', async (username) => {
    const before = await auditCount();
    await download(username, westUrl(), 403);
    expect(await auditCount()).toBe(before);
  });

  it('answers 404 outside the jurisdiction, as for a building that does not exist, and audits nothing', async () => {
    const before = await auditCount();
    await download('police_north', westUrl(), 404);
    await download('police_north', `/api/exports/people?grid=${FIXTURE.gridWest}&purpose=check`, 404);
    await download('police', `/api/exports/people?building=${FIXTURE.gridWest}99999&purpose=check`, 404);
    expect(await auditCount()).toBe(before);
  });

  it.each([
    [`building=${FIXTURE.westHouse}`, 'purpose'],
    [`building=${FIXTURE.westHouse}&purpose=x`, 'purpose'],
    ['purpose=check', 'building'],
    [`building=${FIXTURE.westHouse}&grid=${FIXTURE.gridWest}&purpose=check`, 'building'],
    ['building=12345&purpose=check', 'building'],
    [`building=${FIXTURE.westHouse}&purpose=check&format=gpkg`, 'format'],
    [`building=${FIXTURE.westHouse}&purpose=check&masked=yes`, 'masked'],
  ])('answers 400 for %s naming %s, audits nothing', async (query, field) => {
    await expectRejected('police', `/api/exports/people?${query}`, field);
  });

  it('refuses a list longer than the cap, naming what to narrow', async () => {
    const unit = fixtureUnitCode(ANALYTICS.northHouse, 1, 2);
    // Passports: any 5-20 letters and digits are valid, so a few thousand people are one statement each.
    await sql`INSERT INTO persons (id_type, id_number, nationality, name, sex, birth_date, category)
              SELECT 'passport', 'CAP' || lpad(n::text, 8, '0'), 'USA', 'cap' || n, 'F', DATE '1990-01-01', 'overseas'
              FROM generate_series(1, 5001) AS n`.execute(t.handle.db);
    await insertCounted(t.handle.db, 'residencies', async (trx) => {
      const stays = await sql<{ id: number }>`INSERT INTO residencies (person_id, unit_code, street_code, moved_in, registered_at)
              SELECT id, ${unit}, left(${unit}, 9), DATE '2025-01-01', DATE '2025-01-01' FROM persons WHERE id_number LIKE 'CAP%' RETURNING id`.execute(trx);
      return stays.rows.map((stay) => stay.id);
    });
    const before = await auditCount();
    const response = await (await as('police')).get(`/api/exports/people?building=${ANALYTICS.northHouse}&purpose=check`).expect(400);
    expect(response.body.error).toMatchObject({ code: 'export_too_large', details: { limit: 5000, fields: [{ field: 'building' }] } });
    expect(await auditCount()).toBe(before);
  });
});
