import { z } from 'zod';
import { buildingCodeOfUnit, checkBuildingCode, checkUnitCode, gridCodeOf } from '../../domain/codes.ts';
import { toWgs84 } from '../../domain/coordinates.ts';
import { cellText, latitude, longitude, requiredMoment, requiredText, vocabulary } from '../cells.ts';
import { withPointOf } from '../geometry.ts';
import { inputTable, numberedInputTable, type InputColumns } from '../repository/batches.ts';
import { casesToRefuse, insertCases } from '../repository/cases.ts';
import { parseWithSchema, problemsWhere, type FieldProblem, type ImportKindSpec } from './kind.ts';
import { optionalCodeField } from './shared-fields.ts';

/**
 * 案件: criminal and public-order cases with a point and, when they happened in a house, the
 * building or unit code. The grid is the one given, else the building's, else the grid the
 * point falls in (none: the case is kept but counted in no grid, as sql/0003 says).
 */

const caseKind = vocabulary({ criminal: ['刑事', '刑事案件'], public_order: ['治安', '治安案件'] });

export const CASE_FIELDS = [
  { name: 'caseNo', headers: ['案件编号', '案件编码', '警情编号', '案件号', 'case_no'], required: true },
  { name: 'kind', headers: ['案件类型', '案件性质', 'case_kind'], required: true },
  { name: 'category', headers: ['案由', '案件类别', '案别'], required: true },
  { name: 'occurredAt', headers: ['发案时间', '案发时间', '发生时间', 'occurred_at'], required: true },
  { name: 'lon', headers: ['经度', 'longitude', 'lng', 'x'] },
  { name: 'lat', headers: ['纬度', 'latitude', 'y'] },
  { name: 'gridCode', headers: ['网格编码', '所属网格', 'grid_code'] },
  { name: 'buildingCode', headers: ['建筑物编码', '建筑编码', '楼栋编码', 'building_code'] },
  { name: 'unitCode', headers: ['房屋编码', '房间编码', 'unit_code'] },
] as const;

const gridCode = z.preprocess(
  cellText,
  z
    .string()
    .regex(/^\d{12}(?!00)\d{2}$/, 'must be a 14-digit grid code (community code + 2 digits, not 00)')
    .optional(),
);

const caseSchema = z.object({
  caseNo: requiredText(50),
  kind: caseKind.required,
  category: requiredText(50),
  occurredAt: requiredMoment,
  lon: longitude.required,
  lat: latitude.required,
  gridCode,
  buildingCode: optionalCodeField(checkBuildingCode),
  unitCode: optionalCodeField(checkUnitCode),
});
type CaseFields = z.infer<typeof caseSchema>;
export type CaseRow = Omit<CaseFields, 'lon' | 'lat'> & { point: [number, number] };

/** The codes must agree with each other: a unit lies in its building, a building in its grid. */
function placeProblems(fields: CaseFields, now: number): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (Date.parse(fields.occurredAt) > now) problems.push({ field: 'occurredAt', reason: 'is in the future' });
  const buildingCode = fields.buildingCode ?? (fields.unitCode && buildingCodeOfUnit(fields.unitCode));
  if (fields.unitCode && fields.buildingCode && buildingCodeOfUnit(fields.unitCode) !== fields.buildingCode) {
    problems.push({ field: 'unitCode', reason: 'is not a unit of the building given' });
  }
  if (buildingCode && fields.gridCode && gridCodeOf(buildingCode) !== fields.gridCode) {
    problems.push({ field: 'gridCode', reason: 'is not the grid of the building given' });
  }
  return problems;
}

const insertColumns: InputColumns<CaseRow> = {
  case_no: ['text', (row) => row.caseNo],
  kind: ['text', (row) => row.kind],
  category: ['text', (row) => row.category],
  occurred_at: ['timestamptz', (row) => row.occurredAt],
  lon: ['float8', (row) => row.point[0]],
  lat: ['float8', (row) => row.point[1]],
  grid_code: ['text', (row) => row.gridCode],
  building_code: ['text', (row) => row.buildingCode],
  unit_code: ['text', (row) => row.unitCode],
};

export const casesImport: ImportKindSpec<CaseRow> = {
  kind: 'cases',
  fields: CASE_FIELDS,

  parse(fields, { crs, geometry }) {
    const parsed = parseWithSchema(caseSchema, withPointOf(fields, geometry));
    if (!parsed.row) return parsed;
    const problems = placeProblems(parsed.row, Date.now());
    if (problems.length > 0) return { problems };
    const { lon, lat, ...place } = parsed.row;
    const buildingCode = place.buildingCode ?? (place.unitCode && buildingCodeOfUnit(place.unitCode));
    return { row: { ...place, buildingCode, point: toWgs84([lon, lat], crs) } };
  },

  scope(row) {
    if (row.unitCode) return { field: 'unitCode', code: row.unitCode };
    if (row.buildingCode) return { field: 'buildingCode', code: row.buildingCode };
    if (row.gridCode) return { field: 'gridCode', code: row.gridCode };
    return undefined;
  },
  key: (row) => ({ field: 'caseNo', value: row.caseNo }),

  async check(db, rows, grids) {
    const flagged = await casesToRefuse(db, numberedInputTable(rows, insertColumns), grids);
    return problemsWhere(flagged, [
      ['on_file', 'caseNo', 'a case with this number is already on file'],
      ['grid_missing', 'gridCode', 'no grid with this code is on file'],
      ['building_missing', 'buildingCode', 'no building with this code is on file'],
      ['unit_missing', 'unitCode', 'no unit with this code is on file'],
      ['outside', 'lon', 'the case lies outside your grids'],
    ]);
  },

  async insert(trx, rows) {
    return { cases: await insertCases(trx, inputTable(rows, insertColumns)) };
  },
};
