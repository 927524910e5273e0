import { z } from 'zod';
import { checkUnitCode } from '../../domain/codes.ts';
import { cellNumber, optionalBoolean, optionalText, requiredInteger, requiredText, vocabulary } from '../cells.ts';
import { inputTable, numberedInputTable, readOnFile, type InputColumns } from '../repository/batches.ts';
import { insertUnits, unitsToRefuse } from '../repository/units.ts';
import { copiedFields, parseWithSchema, problemsWhere, type ImportKindSpec } from './kind.ts';
import { codeField } from './shared-fields.ts';

/** 房屋: one row per unit (room or household) of a building already on file. */

export const unitUse = vocabulary({
  self_occupied: ['自住', '自用'],
  rented: ['出租', '租赁'],
  vacant: ['空置', '闲置'],
  shop: ['商铺', '铺面', '经营'],
  dormitory: ['宿舍', '集体宿舍'],
});

export const UNIT_FIELDS = [
  { name: 'code', headers: ['房屋编码', '房间编码', '户编码', 'unit_code'], required: true },
  { name: 'floor', headers: ['所在楼层', '楼层'], required: true },
  { name: 'room', headers: ['房号', '房间号', '门牌房号'], required: true },
  { name: 'areaM2', headers: ['面积', '建筑面积', '使用面积', 'area'] },
  { name: 'use', headers: ['房屋用途', '用途', '使用情况'], required: true },
  { name: 'rentalRegistered', headers: ['出租登记', '已出租登记', '是否出租登记'] },
  { name: 'landlordName', headers: ['房东姓名', '业主姓名', '房东', '业主'] },
  { name: 'letHouseholds', headers: ['分租户数', '出租户数', 'let_households'] },
] as const;

const unitSchema = z.object({
  code: codeField(checkUnitCode),
  floor: requiredInteger(-5, 200),
  room: requiredText(20),
  areaM2: z.preprocess(cellNumber, z.number('must be a number of square metres').positive().max(99999.9).optional()),
  use: unitUse.required,
  rentalRegistered: optionalBoolean,
  landlordName: optionalText(100),
  // A unit let to several households (分租) counts as that many rental houses; empty = 1.
  letHouseholds: z.preprocess(
    cellNumber,
    z
      .number('must be a whole number of households from 1 to 50')
      .int('must be a whole number of households from 1 to 50')
      .min(1, 'must be a whole number of households from 1 to 50')
      .max(50, 'must be a whole number of households from 1 to 50')
      .default(1),
  ),
});
export type UnitRow = z.infer<typeof unitSchema>;

const insertColumns: InputColumns<UnitRow> = {
  code: ['text', (row) => row.code],
  floor: ['int', (row) => row.floor],
  room: ['text', (row) => row.room],
  area_m2: ['float8', (row) => row.areaM2],
  use: ['text', (row) => row.use],
  rental_registered: ['boolean', (row) => row.rentalRegistered],
  landlord_name: ['text', (row) => row.landlordName],
  let_households: ['int', (row) => row.letHouseholds],
};

/** What an updated register may change of a unit on file (mode upsert): everything but its code. */
const UPDATABLE_COLUMNS = {
  floor: 'floor',
  room: 'room',
  areaM2: 'area_m2',
  use: 'use',
  rentalRegistered: 'rental_registered',
  landlordName: 'landlord_name',
  letHouseholds: 'let_households',
};

export const unitsImport: ImportKindSpec<UnitRow> = {
  kind: 'units',
  fields: UNIT_FIELDS,

  parse: (fields) => {
    const parsed = parseWithSchema(unitSchema, fields);
    // Only a rented unit can be registered as a rental (出租登记).
    if (parsed.row?.rentalRegistered && parsed.row.use !== 'rented') {
      return { problems: [{ field: 'rentalRegistered', reason: 'only a rented unit (出租) can be registered as a rental' }] };
    }
    if (parsed.row && parsed.row.letHouseholds > 1 && parsed.row.use !== 'rented') {
      return { problems: [{ field: 'letHouseholds', reason: 'only a rented unit (出租) can be let to several households (分租)' }] };
    }
    return parsed;
  },

  scope: (row) => ({ field: 'code', code: row.code }),
  key: (row) => ({ field: 'code', value: row.code }),

  async check(db, rows, _grids, mode) {
    const flagged = await unitsToRefuse(db, numberedInputTable(rows, { code: ['text', (row) => row.code] }));
    return problemsWhere(flagged, [
      ['building_missing', 'code', 'its building (the first 19 digits) is not on file: import the building first'],
      ['demolished', 'code', 'its building is demolished'],
      ...(mode === 'add' ? [['on_file', 'code', 'a unit with this code is already on file (codes are never reused)'] as const] : []),
    ]);
  },

  async insert(trx, rows) {
    return { units: await insertUnits(trx, inputTable(rows, insertColumns)) };
  },

  updates: {
    table: 'units',
    keyColumn: 'code',
    targetType: 'unit',
    fields: copiedFields(insertColumns, UPDATABLE_COLUMNS, { landlordName: 'name' }),
    onFile: (db, keys) => readOnFile(db, 'units', 'code', keys, UPDATABLE_COLUMNS),
    counted: 'units',
  },
};
