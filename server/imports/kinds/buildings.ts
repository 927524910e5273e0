import { z } from 'zod';
import { checkBuildingCode } from '../../domain/codes.ts';
import { toWgs84 } from '../../domain/coordinates.ts';
import { latitude, longitude, optionalBoolean, optionalText, requiredInteger, requiredText, vocabulary } from '../cells.ts';
import { footprintOf, withPointOf } from '../geometry.ts';
import { inputTable, numberedInputTable, readOnFile, type InputColumns } from '../repository/batches.ts';
import { buildingsToRefuse, insertBuildings, POINT_AS_TEXT, POINT_FROM_TEXT } from '../repository/buildings.ts';
import { copiedFields, parseWithSchema, problemsWhere, type ImportKindSpec } from './kind.ts';
import { codeField, phoneField } from './shared-fields.ts';

/** 建筑物: one row per building, placed by its point (经度/纬度) or, in GeoJSON, its footprint. */

const buildingUse = vocabulary({
  residential: ['住宅', '居民住宅', '住宅楼'],
  mixed: ['商住', '综合', '商住混合', '混合'],
  factory_dormitory: ['厂房宿舍', '工厂宿舍', '厂区宿舍'],
  shop_house: ['商铺', '铺面', '门店', '商住铺面'],
  urban_village: ['城中村', '自建房', '城中村自建房'],
});

const managementMode = vocabulary({
  hotel: ['旅业式', '旅业式管理'],
  property: ['物业式', '物业式管理'],
  employer: ['单位自管式', '单位自管'],
  patrol: ['散居包片式', '散居包片'],
  gated: ['院区围合式', '院区围合'],
});

export const BUILDING_FIELDS = [
  { name: 'code', headers: ['建筑物编码', '建筑编码', '楼栋编码', 'building_code'], required: true },
  { name: 'address', headers: ['地址', '门牌地址', '门牌', '门牌号'], required: true },
  { name: 'floors', headers: ['楼层数', '层数', '总层数'], required: true },
  { name: 'use', headers: ['建筑用途', '用途'], required: true },
  { name: 'managementMode', headers: ['管理模式', '管理方式'], required: true },
  { name: 'hasAccessControl', headers: ['门禁', '有无门禁', '门禁系统', 'access_control'] },
  { name: 'hasVideo', headers: ['视频监控', '监控', '有无监控', 'video'] },
  { name: 'responsibilityLetterSigned', headers: ['治安责任书', '签订治安责任书', '责任书'] },
  { name: 'landlordName', headers: ['房东姓名', '业主姓名', '房东', '业主'] },
  { name: 'landlordPhone', headers: ['房东电话', '业主电话', '房东联系电话'] },
  { name: 'lon', headers: ['经度', 'longitude', 'lng', 'x'] },
  { name: 'lat', headers: ['纬度', 'latitude', 'y'] },
] as const;

const buildingSchema = z.object({
  code: codeField(checkBuildingCode),
  address: requiredText(200),
  floors: requiredInteger(1, 200),
  use: buildingUse.required,
  managementMode: managementMode.required,
  hasAccessControl: optionalBoolean,
  hasVideo: optionalBoolean,
  responsibilityLetterSigned: optionalBoolean,
  landlordName: optionalText(100),
  landlordPhone: phoneField,
  lon: longitude.optional,
  lat: latitude.optional,
});

export type BuildingRow = Omit<z.infer<typeof buildingSchema>, 'lon' | 'lat'> & { point?: [number, number]; footprint?: string };

// `satisfies` keeps the literal keys, so checkColumns below can name them without an index check.
const insertColumns = {
  code: ['text', (row) => row.code],
  address: ['text', (row) => row.address],
  floors: ['int', (row) => row.floors],
  use: ['text', (row) => row.use],
  management_mode: ['text', (row) => row.managementMode],
  has_access_control: ['boolean', (row) => row.hasAccessControl],
  has_video: ['boolean', (row) => row.hasVideo],
  responsibility_letter_signed: ['boolean', (row) => row.responsibilityLetterSigned],
  landlord_name: ['text', (row) => row.landlordName],
  landlord_phone: ['text', (row) => row.landlordPhone],
  lon: ['float8', (row) => row.point?.[0]],
  lat: ['float8', (row) => row.point?.[1]],
  footprint: ['text', (row) => row.footprint],
} satisfies InputColumns<BuildingRow>;

/**
 * How far outside its grid polygon a building's point may lie, in metres: grid outlines are drawn
 * by hand and points are taken on site, so a point just over the edge is accepted; one farther
 * out is most likely in another grid, or mistyped (issue 15.5).
 */
export const GRID_EDGE_TOLERANCE_M = 20;

const checkColumns: InputColumns<BuildingRow> = {
  code: insertColumns.code,
  lon: insertColumns.lon,
  lat: insertColumns.lat,
  footprint: insertColumns.footprint,
};

/** The problem of a row whose point lies outside its grid: the field it was read from and how far out it is. */
function outsideGridProblem(
  flagged: { row_number: number; outside_m: number | null; grid_code: string },
  rows: readonly { row: number; value: BuildingRow }[],
) {
  const input = rows.find((row) => row.row === flagged.row_number)?.value;
  return {
    row: flagged.row_number,
    field: input?.point ? 'lon' : 'geometry',
    reason:
      `the point is ${Number(flagged.outside_m)} m outside its grid ${flagged.grid_code} (${GRID_EDGE_TOLERANCE_M} m allowed at the edge)` +
      ' / 位置在所属网格之外',
  };
}

/** What an updated register may change of a building on file (mode upsert): not its code, nor its footprint. */
const UPDATABLE_COLUMNS = {
  address: 'address',
  floors: 'floors',
  use: 'use',
  managementMode: 'management_mode',
  hasAccessControl: 'has_access_control',
  hasVideo: 'has_video',
  responsibilityLetterSigned: 'responsibility_letter_signed',
  landlordName: 'landlord_name',
  landlordPhone: 'landlord_phone',
};

const pointText = (point: [number, number] | undefined) => (point ? point.map((degrees) => degrees.toFixed(7).replace(/\.?0+$/, '')).join(',') : undefined);

export const buildingsImport: ImportKindSpec<BuildingRow> = {
  kind: 'buildings',
  fields: BUILDING_FIELDS,

  parse(fields, { crs, geometry }) {
    const parsed = parseWithSchema(buildingSchema, withPointOf(fields, geometry));
    const { footprint, problem } = footprintOf(geometry, crs);
    if (parsed.problems || problem) return { problems: [...(parsed.problems ?? []), ...(problem ? [problem] : [])] };
    const { lon, lat, ...building } = parsed.row;
    if (lon === undefined || lat === undefined) {
      if (footprint) return { row: { ...building, footprint } };
      return { problems: [{ field: lon === undefined ? 'lon' : 'lat', reason: 'is required (a point, or a footprint polygon in GeoJSON)' }] };
    }
    return { row: { ...building, point: toWgs84([lon, lat], crs), ...(footprint ? { footprint } : {}) } };
  },

  scope: (row) => ({ field: 'code', code: row.code }),
  key: (row) => ({ field: 'code', value: row.code }),

  async check(db, rows, _grids, mode) {
    const flagged = await buildingsToRefuse(db, numberedInputTable(rows, checkColumns), GRID_EDGE_TOLERANCE_M);
    return [
      ...problemsWhere(flagged, [
        ['grid_missing', 'code', 'its grid (the first 14 digits) does not exist'],
        ...(mode === 'add' ? [['on_file', 'code', 'a building with this code is already on file (codes are never reused)'] as const] : []),
      ]),
      ...flagged.filter((row) => row.outside_m !== null).map((row) => outsideGridProblem(row, rows)),
    ];
  },

  async insert(trx, rows) {
    return { buildings: await insertBuildings(trx, inputTable(rows, insertColumns)) };
  },

  updates: {
    table: 'buildings',
    keyColumn: 'code',
    targetType: 'building',
    fields: [
      ...copiedFields(insertColumns, UPDATABLE_COLUMNS, { landlordName: 'name', landlordPhone: 'phone' }),
      // The point as "lon,lat" to 7 decimals (about 1 cm), so that a point read back compares equal.
      {
        name: 'point',
        column: 'point',
        type: 'text',
        valueOf: (row) => pointText(row.point),
        presentWhenSet: true,
        readFrom: ['lon', 'lat'],
        set: POINT_FROM_TEXT,
      },
    ],
    onFile: (db, keys) => readOnFile(db, 'buildings', 'code', keys, { ...UPDATABLE_COLUMNS, point: POINT_AS_TEXT }),
    counted: 'buildings',
  },
};
