import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/service.ts';
import type { Principal } from '../auth/session.ts';
import type { PlanTable } from '../http/attachments.ts';
import type { DB } from '../db/schema.ts';
import { assertInJurisdiction } from '../http/jurisdiction.ts';
import { notFound } from '../http/errors.ts';
import { presentStay, type StayView } from '../person-data/stays.ts';
import { maskedPerson } from '../person-data/visibility.ts';
import { spreadsheetCell, type TableFormat } from './formats.ts';
import type { LayerColumn, Value } from './layer.ts';
import { buildingOrGridExists, currentStaysIn } from './repository.ts';
import { assertWithinCap, MAX_PERSON_ROWS } from './scope.ts';

/**
 * Police lists of the people currently living in a building or a grid of their jurisdiction.
 * Identities are shown as the registrations feature shows them to the caller (presentStay:
 * police see them whole); `masked` asks for ID and phone numbers masked as for other roles, for
 * a copy that leaves the station. Every export writes one audit row with the purpose.
 */

export interface ExportTarget {
  kind: 'building' | 'grid';
  code: string;
}

const SEX_WORDS = { M: '男', F: '女' };
const ID_TYPE_WORDS = { id_card: '居民身份证', passport: '护照' };
const CATEGORY_WORDS = { registered: '常住', lodging: '寄住', floating: '流动', overseas: '境外' };
const FLOATING_TYPE_WORDS = { single: '单身', shared: '合租', dormitory: '集体宿舍', family: '家庭' };

interface PersonColumn extends Pick<LayerColumn, 'label' | 'words'> {
  value(stay: StayView, unit: { floor: number; room: string }): Value;
  /** Left out of masked copies: the value would give back the masked digits of the ID number. */
  wholeOnly?: boolean;
}

const PERSON_COLUMNS: PersonColumn[] = [
  { label: '单元编码', value: (stay) => stay.unitCode },
  { label: '楼层', value: (_stay, unit) => unit.floor },
  { label: '房号', value: (_stay, unit) => unit.room },
  { label: '姓名', value: (stay) => stay.person.name },
  { label: '性别', words: SEX_WORDS, value: (stay) => stay.person.sex },
  { label: '出生日期', value: (stay) => stay.person.birthDate ?? null, wholeOnly: true },
  { label: '年龄', value: (stay) => stay.person.age },
  { label: '证件类型', words: ID_TYPE_WORDS, value: (stay) => stay.person.idType },
  { label: '证件号码', value: (stay) => stay.person.idNumber },
  { label: '国籍', value: (stay) => stay.person.nationality },
  { label: '民族', value: (stay) => stay.person.ethnicity },
  { label: '人员类别', words: CATEGORY_WORDS, value: (stay) => stay.person.category },
  { label: '流动人口类型', words: FLOATING_TYPE_WORDS, value: (stay) => stay.person.floatingType },
  { label: '联系电话', value: (stay) => stay.person.phone },
  { label: '工作单位', value: (stay) => stay.person.employer },
  { label: '户籍地址', value: (stay) => stay.person.hukouAddress },
  { label: '入住日期', value: (stay) => stay.movedIn },
  { label: '登记日期', value: (stay) => stay.registeredAt },
  { label: '逾期登记', value: (stay) => stay.registeredLate },
];

async function assertTargetExists(db: Kysely<DB>, target: ExportTarget): Promise<void> {
  if (!(await buildingOrGridExists(db, target.kind === 'building' ? 'buildings' : 'grids', target.code)))
    throw notFound(target.kind === 'building' ? 'Building' : 'Grid', target.code);
}

const masking = (view: StayView): StayView => ({ ...view, person: maskedPerson(view.person) });

export interface PersonExport {
  target: ExportTarget;
  purpose: string;
  format: TableFormat;
  masked: boolean;
}

/** The occupants as a table, after the jurisdiction check and with the audit row written. */
export async function occupantsTable(db: Kysely<DB>, principal: Principal, request: PersonExport): Promise<PlanTable> {
  const { target } = request;
  assertInJurisdiction(principal, target.code, target.kind === 'building' ? 'Building' : 'Grid');
  await assertTargetExists(db, target);
  const stays = await currentStaysIn(db, target.code, MAX_PERSON_ROWS + 1);
  assertWithinCap(stays.length, MAX_PERSON_ROWS, target.kind);
  const columns = PERSON_COLUMNS.filter((column) => !(request.masked && column.wholeOnly));
  const rows = stays.map((stay) => {
    const view = presentStay(stay, principal);
    const shown = request.masked ? masking(view) : view;
    return columns.map((column) => spreadsheetCell(column.value(shown, stay), column.words));
  });
  // One row per export, like the other lists of people: person row ids (never ID numbers) answer "who looked at X".
  await recordAudit(db, principal, {
    action: 'export',
    targetType: target.kind,
    targetId: target.code,
    purpose: request.purpose,
    details: { view: 'occupants_export', format: request.format, masked: request.masked, people: stays.length, personIds: stays.map((stay) => stay.id) },
  });
  return { sheet: '现住人员', columns: columns.map((column) => column.label), rows };
}
