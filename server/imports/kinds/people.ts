import { z } from 'zod';
import { checkUnitCode } from '../../domain/codes.ts';
import {
  eventBeforeBirthProblem,
  isRegistrationExempt,
  registrationDateProblems,
  resolveIdentity,
  type ResolvedIdentity,
  type RuleProblem,
} from '../../domain/registration-rules.ts';
import type { FLOATING_TYPES, ImportMode, PERSON_CATEGORIES } from '../../domain/word-lists.ts';
import { cellText, optionalDate, optionalText, requiredDate, requiredText, vocabulary } from '../cells.ts';
import { inputTable, numberedInputTable, readOnFile, type InputColumns } from '../repository/batches.ts';
import {
  CURRENT_UNIT,
  insertNewPeople,
  insertStays,
  insertStaysOfPeopleWithout,
  PERSON_ID,
  peopleToCheck,
  personIdsOfIdNumbers,
  updatePeopleOnFile,
  type PersonOnFile,
} from '../repository/people.ts';
import { copiedFields, parseWithSchema, type FieldProblem, type ImportKindSpec, type RowProblem } from './kind.ts';
import { codeField, digitsText, phoneField } from './shared-fields.ts';

/**
 * 实有人口 with their residence (居住登记): one row per person moving into a unit on file. A
 * person already on file (same ID number) is matched as the move-in form does: the identity
 * must agree, they must have no current residence, and the changeable fields are updated.
 */

const idType = vocabulary({ id_card: ['身份证', '居民身份证', '二代身份证'], passport: ['护照', '外国人护照'] });
const sex = vocabulary({ M: ['男', 'male'], F: ['女', 'female'] });
const category = vocabulary<(typeof PERSON_CATEGORIES)[number]>({
  registered: ['常住', '户籍', '常住人口', '户籍人口'],
  lodging: ['寄住', '寄住人口'],
  floating: ['流动', '流动人口', '暂住'],
  overseas: ['境外', '境外人员', '外籍'],
});
const floatingType = vocabulary<(typeof FLOATING_TYPES)[number]>({
  single: ['单身', '个人'],
  shared: ['合租'],
  dormitory: ['集体宿舍', '宿舍'],
  family: ['家庭', '家庭户', '举家'],
});

export const PEOPLE_FIELDS = [
  { name: 'idType', headers: ['证件类型', '证件种类'] },
  { name: 'idNumber', headers: ['身份证号', '身份证号码', '公民身份号码', '证件号码', '证件号', '护照号', 'id_number'], required: true },
  { name: 'name', headers: ['姓名'], required: true },
  { name: 'sex', headers: ['性别', 'gender'] },
  { name: 'birthDate', headers: ['出生日期', '出生年月日', 'birthday', 'date_of_birth'] },
  { name: 'nationality', headers: ['国籍', '国家地区'] },
  { name: 'ethnicity', headers: ['民族'] },
  { name: 'hukouAddress', headers: ['户籍地址', '户籍地', '户籍所在地'] },
  { name: 'phone', headers: ['联系电话', '电话', '手机', '手机号码'] },
  { name: 'category', headers: ['人员类别', '人口类别', '人员类型'], required: true },
  { name: 'floatingType', headers: ['流动类型', '居住类型', '流动人口居住类型'] },
  { name: 'employer', headers: ['工作单位', '服务处所', '就业单位'] },
  { name: 'unitCode', headers: ['房屋编码', '居住房屋编码', '现住房屋编码', 'unit_code'], required: true },
  { name: 'movedIn', headers: ['入住日期', '迁入日期', '居住起始日期', 'moved_in'], required: true },
  { name: 'registeredAt', headers: ['登记日期', '申报日期', 'registered_at'], required: true },
] as const;

/** ISO 3166 alpha-3; 中国 is what Chinese sheets write for CHN. */
const nationality = z.preprocess(
  (cell) => {
    const text = cellText(cell)?.toUpperCase();
    return text === '中国' || text === '中华人民共和国' ? 'CHN' : text;
  },
  z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a 3-letter country code such as CHN')
    .optional(),
);

const personSchema = z.object({
  idType: idType.optional,
  idNumber: digitsText,
  name: requiredText(100),
  sex: sex.optional,
  birthDate: optionalDate,
  nationality,
  ethnicity: optionalText(40),
  hukouAddress: optionalText(200),
  phone: phoneField,
  category: category.required,
  floatingType: floatingType.optional,
  employer: optionalText(200),
  unitCode: codeField(checkUnitCode),
  movedIn: requiredDate,
  registeredAt: requiredDate,
});
type PersonFields = z.infer<typeof personSchema>;

export type PersonRow = Omit<PersonFields, 'idType' | 'idNumber' | 'sex' | 'birthDate' | 'nationality'> & {
  identity: ResolvedIdentity;
  registrationExempt: boolean;
};

const asFieldProblems = (problems: RuleProblem[]): FieldProblem[] => problems.map((problem) => ({ field: problem.field, reason: problem.message }));

/** The rules of server/domain/registration-rules.ts, as the move-in form applies them. */
function personRow(fields: PersonFields, today: string): { row?: PersonRow; problems: FieldProblem[] } {
  const { idType: givenIdType, idNumber, sex: givenSex, birthDate, nationality: givenNationality, ...person } = fields;
  // Foreigners register with a passport: a sheet of them need not say so on every row.
  const declaredIdType = givenIdType ?? (fields.category === 'overseas' ? 'passport' : 'id_card');
  const { identity, problems } = resolveIdentity(
    { idType: declaredIdType, idNumber, sex: givenSex, birthDate, nationality: givenNationality, category: fields.category, floatingType: fields.floatingType },
    today,
  );
  problems.push(...registrationDateProblems({ eventField: 'movedIn', eventDate: fields.movedIn, registeredAt: fields.registeredAt }, today));
  const beforeBirth = identity && eventBeforeBirthProblem(identity.birthDate, fields.movedIn, 'movedIn');
  if (beforeBirth) problems.push(beforeBirth);
  if (!identity || problems.length > 0) return { problems: asFieldProblems(problems) };
  return { row: { ...person, identity, registrationExempt: isRegistrationExempt(identity.birthDate, fields.movedIn) }, problems: [] };
}

const personColumns: InputColumns<PersonRow> = {
  id_type: ['text', (row) => row.identity.idType],
  id_number: ['text', (row) => row.identity.idNumber],
  nationality: ['text', (row) => row.identity.nationality],
  name: ['text', (row) => row.name],
  sex: ['text', (row) => row.identity.sex],
  birth_date: ['date', (row) => row.identity.birthDate],
  ethnicity: ['text', (row) => row.ethnicity],
  hukou_address: ['text', (row) => row.hukouAddress],
  phone: ['text', (row) => row.phone],
  category: ['text', (row) => row.category],
  floating_type: ['text', (row) => row.floatingType],
  employer: ['text', (row) => row.employer],
  unit_code: ['text', (row) => row.unitCode],
  moved_in: ['date', (row) => row.movedIn],
  registered_at: ['date', (row) => row.registeredAt],
  registration_exempt: ['boolean', (row) => row.registrationExempt],
};

/**
 * A person on file with a current stay: in mode add always a bad row; in mode upsert only when the
 * stay is in another unit, since an import never rewrites a registered stay (a move is registered as such).
 */
function stayProblem(found: PersonOnFile, mode: ImportMode): FieldProblem | undefined {
  if (found.current_unit === null) return undefined;
  if (mode === 'add') return { field: 'idNumber', reason: 'this person already has a current residence; register a move or a move-out first' };
  if (found.current_unit !== found.unit_code) {
    return {
      field: 'unitCode',
      reason: 'this person lives in another unit; register a move or a move-out first (an import does not rewrite registered stays)',
    };
  }
  return undefined;
}

function onFileProblems(found: PersonOnFile, mode: ImportMode): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (found.unit_missing) problems.push({ field: 'unitCode', reason: 'no unit with this code is on file' });
  if (found.demolished) problems.push({ field: 'unitCode', reason: 'the unit belongs to a demolished building' });
  // One neutral reason, not which field differs: that would tell anyone with a spreadsheet who holds an ID number.
  if ((found.identity_differs ?? []).length > 0) {
    problems.push({
      field: 'idNumber',
      reason: 'the details do not match the person on file with this ID number; check the papers, or ask the police station to verify the record',
    });
  }
  const stay = stayProblem(found, mode);
  if (stay) problems.push(stay);
  if (found.current_unit === null && found.moved_out_after) problems.push({ field: 'movedIn', reason: "is before this person's last move-out" });
  return problems;
}

/**
 * What an updated register may change of a person on file (mode upsert): what changes with a move,
 * as the move-in form updates it. The ID number is the match key and the identity (name, sex, birth
 * date, nationality) must agree with the record, so neither is ever changed by an import.
 */
const UPDATABLE_COLUMNS = {
  category: 'category',
  floatingType: 'floating_type',
  ethnicity: 'ethnicity',
  hukouAddress: 'hukou_address',
  phone: 'phone',
  employer: 'employer',
};
/** Every field of a person is a person's fact: masked in a preview for roles that may not see it. */
const PERSON_FACTS = { category: 'name', floatingType: 'name', ethnicity: 'name', hukouAddress: 'name', phone: 'phone', employer: 'name' } as const;

export const peopleImport: ImportKindSpec<PersonRow> = {
  kind: 'people',
  fields: PEOPLE_FIELDS,

  parse(fields, { today }) {
    const parsed = parseWithSchema(personSchema, fields);
    if (!parsed.row) return parsed;
    const { row, problems } = personRow(parsed.row, today);
    return row ? { row } : { problems };
  },

  scope: (row) => ({ field: 'unitCode', code: row.unitCode }),
  key: (row) => ({ field: 'idNumber', value: row.identity.idNumber }),

  async check(db, rows, _grids, mode) {
    const input = numberedInputTable(rows, {
      id_type: ['text', (row) => row.identity.idType],
      id_number: ['text', (row) => row.identity.idNumber],
      name: ['text', (row) => row.name],
      sex: ['text', (row) => row.identity.sex],
      birth_date: ['date', (row) => row.identity.birthDate],
      nationality: ['text', (row) => row.identity.nationality],
      unit_code: ['text', (row) => row.unitCode],
      moved_in: ['date', (row) => row.movedIn],
    });
    const found = await peopleToCheck(db, input);
    return found.flatMap((row): RowProblem[] => onFileProblems(row, mode).map((problem) => ({ row: row.row_number, ...problem })));
  },

  async insert(trx, rows) {
    const input = inputTable(rows, personColumns);
    // People already on file: category, contacts and employer change with a move, as in the move-in form.
    const updated = await updatePeopleOnFile(
      trx,
      input,
      rows.map((row) => row.identity.idNumber),
    );
    const created = await insertNewPeople(trx, input);
    const residencies = await insertStays(trx, input);
    return { personsCreated: created, personsUpdated: updated, residencies };
  },

  updates: {
    table: 'persons',
    keyColumn: 'id_number',
    targetType: 'person',
    fields: [
      ...copiedFields(personColumns, UPDATABLE_COLUMNS, PERSON_FACTS),
      { name: 'unitCode', column: 'unit_code', type: 'text', valueOf: (row) => row.unitCode, writtenAfter: true, personal: 'name' },
    ],
    onFile: (db, keys) => readOnFile(db, 'persons', 'id_number', keys, { ...UPDATABLE_COLUMNS, unitCode: CURRENT_UNIT }, PERSON_ID),
    counted: 'persons',
    countedKeys: personIdsOfIdNumbers,
    // A person on file without a current stay moves in, as in mode add; one living in the unit named keeps that stay as registered.
    async afterUpdate(trx, rows) {
      return { residencies: await insertStaysOfPeopleWithout(trx, inputTable(rows, personColumns)) };
    },
  },
};
