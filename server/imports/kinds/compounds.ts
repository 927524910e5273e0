import { z } from 'zod';
import { checkBuildingCode } from '../../domain/codes.ts';
import { communityOfBuilding, communityOfCompound, COMPOUND_CODE, splitCodeList } from '../../domain/compounds.ts';
import { cellText, requiredOr, requiredText } from '../cells.ts';
import { inputTable, numberedInputTable, type InputColumns } from '../repository/batches.ts';
import { compoundsToRefuse, groupBuildings, insertCompounds, membersToRefuse } from '../repository/compounds.ts';
import { parseWithSchema, type ImportKindSpec, type RowProblem } from './kind.ts';

/**
 * 小区 / 院落: one row per compound, naming its buildings (楼栋编码, several codes in one cell).
 * Every building must exist, lie in the compound's community and belong to no other compound.
 */

export const COMPOUND_FIELDS = [
  { name: 'code', headers: ['院落编码', '小区编码', 'compound_code'], required: true },
  { name: 'name', headers: ['院落名称', '小区名称', '名称', 'compound_name'], required: true },
  { name: 'buildings', headers: ['楼栋编码', '建筑物编码', '所含楼栋', 'buildings'], required: true },
] as const;

const MAX_BUILDINGS = 500;

const buildingList = z.preprocess(
  cellText,
  z.string(requiredOr()).transform((text, context) => {
    const codes = [...new Set(splitCodeList(text))];
    if (codes.length > MAX_BUILDINGS) context.addIssue({ code: 'custom', message: `names more than ${MAX_BUILDINGS} buildings` });
    for (const code of codes) {
      const check = checkBuildingCode(code);
      if (!check.ok) context.addIssue({ code: 'custom', message: `building code ${code}: ${check.message ?? 'is not a valid code'}` });
    }
    return codes;
  }),
);

const compoundSchema = z
  .object({
    code: z.preprocess(
      cellText,
      z.string(requiredOr()).regex(COMPOUND_CODE, 'must be the community code (12 digits), a hyphen and 3 digits, e.g. 440307001001-001'),
    ),
    name: requiredText(100),
    buildings: buildingList,
  })
  .superRefine((row, context) => {
    const outside = row.buildings.filter((code) => communityOfBuilding(code) !== communityOfCompound(row.code));
    for (const code of outside) {
      context.addIssue({ code: 'custom', path: ['buildings'], message: `building ${code} lies outside community ${communityOfCompound(row.code)}` });
    }
  });

export type CompoundRow = z.infer<typeof compoundSchema>;

/** One (compound, building) pair per member building: how the checks and the grouping read a batch. */
const memberColumns: InputColumns<{ code: string; building: string }> = {
  code: ['text', (member) => member.code],
  building: ['text', (member) => member.building],
};

async function compoundsOnFile(db: Parameters<ImportKindSpec<CompoundRow>['check']>[0], rows: { row: number; value: CompoundRow }[]): Promise<RowProblem[]> {
  const found = await compoundsToRefuse(db, numberedInputTable(rows, { code: ['text', (row: CompoundRow) => row.code] }));
  return found.flatMap((row) => [
    ...(row.community_missing ? [{ row: row.row_number, field: 'code', reason: 'its community (the first 12 digits) does not exist' }] : []),
    ...(row.on_file ? [{ row: row.row_number, field: 'code', reason: 'a compound with this code is already on file' }] : []),
  ]);
}

async function membersNotFree(db: Parameters<ImportKindSpec<CompoundRow>['check']>[0], rows: { row: number; value: CompoundRow }[]): Promise<RowProblem[]> {
  const members = rows.flatMap(({ row, value }) => value.buildings.map((building) => ({ row, value: { code: value.code, building } })));
  const found = await membersToRefuse(db, numberedInputTable(members, memberColumns));
  return found.map((row) => ({
    row: row.row_number,
    field: 'buildings',
    reason: row.missing ? `building ${row.building} does not exist` : `building ${row.building} already belongs to compound ${row.compound_code}`,
  }));
}

/** A building named by two rows of one batch would silently join the later compound: the later row is refused. */
function namedTwice(rows: { row: number; value: CompoundRow }[]): RowProblem[] {
  const firstRow = new Map<string, number>();
  const problems: RowProblem[] = [];
  for (const { row, value } of rows) {
    for (const building of value.buildings) {
      const earlier = firstRow.get(building);
      if (earlier === undefined) firstRow.set(building, row);
      else problems.push({ row, field: 'buildings', reason: `building ${building} is already named in row ${earlier}` });
    }
  }
  return problems;
}

export const compoundsImport: ImportKindSpec<CompoundRow> = {
  kind: 'compounds',
  fields: COMPOUND_FIELDS,
  parse: (fields) => parseWithSchema(compoundSchema, fields),
  // A compound code is not a grid's: a collector's import of compounds is refused (they are an admin's to draw).
  scope: (row) => ({ field: 'code', code: row.code }),
  key: (row) => ({ field: 'code', value: row.code }),

  async check(db, rows) {
    return [...(await compoundsOnFile(db, rows)), ...(await membersNotFree(db, rows)), ...namedTwice(rows)];
  },

  async insert(trx, rows) {
    const inserted = await insertCompounds(trx, inputTable(rows, { code: ['text', (row) => row.code], name: ['text', (row) => row.name] }));
    const members = rows.flatMap((row) => row.buildings.map((building) => ({ code: row.code, building })));
    const grouped = await groupBuildings(trx, inputTable(members, memberColumns));
    return { compounds: inserted, buildings: grouped };
  },
};
