/**
 * The Chinese of an import's bad-row reasons (issue 16.8). Reasons are stored as the English the
 * rules write (import_job_errors.reason); the report and the API add the Chinese when they are
 * read, so the stored rows of earlier jobs are translated too. Each entry matches one reason an
 * import rule writes (server/imports/cells.ts, kinds/*, server/domain codes, ID numbers and
 * registration rules); tests/unit/import-reasons.test.ts keeps the list complete.
 */

type Translation = [RegExp, (...parts: string[]) => string];

const CODE_KIND: Record<string, string> = { Building: '建筑物', Unit: '房屋' };
const CODE_PART: Record<string, string> = {
  province: '省',
  city: '市',
  district: '区',
  street: '街道',
  community: '社区',
  grid: '基础网格',
  building: '建筑',
  unit: '房屋',
};
const FIELD: Record<string, string> = {
  movedIn: '入住日期',
  registeredAt: '登记日期',
  birthDate: '出生日期',
  sex: '性别',
  nationality: '国籍',
  floatingType: '流动类型',
  idNumber: '证件号码',
};
const field = (name: string) => FIELD[name] ?? name;

const TRANSLATIONS: Translation[] = [
  [/^is required$/, () => '为必填项'],
  [/^missing column \(write one of: (.*)\)$/, (headers) => `缺少列（请写其中之一：${headers.split(', ').join('、')}）`],
  [/^repeats row (\d+)$/, (row) => `与第 ${row} 行重复`],
  [/^is outside your grids$/, () => '不在您负责的网格内'],
  [/^the case lies outside your grids$/, () => '案件位置不在您负责的网格内'],
  [/^contains a NUL character$/, () => '含有空字符（NUL）'],
  [/^must be at most (\d+) characters$/, (max) => `最多 ${max} 个字符`],
  [/^must be a whole number from (-?\d+) to (-?\d+)$/, (min, max) => `须为 ${min} 到 ${max} 之间的整数`],
  [/^must be a whole number of households from (\d+) to (\d+)$/, (min, max) => `分租户数须为 ${min} 到 ${max} 之间的整数`],
  [/^must be 是\/否 \(yes\/no\)$/, () => '须填写“是”或“否”'],
  [/^must be a real date such as (.*)$/, (example) => `须为真实存在的日期，例如 ${example}`],
  [/^must be a date and time such as (.*)$/, (example) => `须为日期和时间，例如 ${example}`],
  [/^must be a number of degrees$/, () => '须为以度表示的数字'],
  [/^must be a number of square metres$/, () => '须为以平方米表示的数字'],
  [/^must be one of: (.*)$/, (listing) => `须为以下之一：${listing}`],
  [/^Too small: expected number to be >=?(-?[\d.]+)$/, (limit) => `不得小于 ${limit}`],
  [/^Too small: expected number to be >(-?[\d.]+)$/, (limit) => `必须大于 ${limit}`],
  [/^Too big: expected number to be <=?(-?[\d.]+)$/, (limit) => `不得大于 ${limit}`],
  [/^was stored as a number and lost digits: format the column as text$/, () => '以数字格式保存，位数已丢失：请把该列设为文本格式'],
  [/^must be 5 to 20 digits, spaces, \+ or -$/, () => '须为 5 到 20 位数字、空格、+ 或 -'],
  [/^must be a 3-letter country code such as CHN$/, () => '须为三位字母国家代码，例如 CHN'],
  [/^must be a 14-digit grid code .*$/, () => '须为 14 位网格编码（社区编码加 2 位数字，不能为 00）'],
  [/^must be a Point, or a Polygon .*$/, () => '须为点，或由至少 4 个坐标组成的闭合多边形'],
  [/^is required \(a point, or a footprint polygon in GeoJSON\)$/, () => '为必填项（须有坐标点，或 GeoJSON 中的建筑轮廓多边形）'],
  [/^is in the future$/, () => '晚于当前时间'],
  [/^is not a unit of the building given$/, () => '不是所填建筑物中的房屋'],
  [/^is not the grid of the building given$/, () => '不是所填建筑物所在的网格'],
  [/^is not a valid code$/, () => '编码无效'],
  [/^(Building|Unit) code must be a string of (\d+) digits$/, (kind, length) => `${CODE_KIND[kind]}编码须为 ${length} 位数字`],
  [/^(Building|Unit) code must contain digits only, got "(.*)"$/, (kind, got) => `${CODE_KIND[kind]}编码只能包含数字，实际为“${got}”`],
  [/^(Building|Unit) code must have (\d+) digits, got (\d+)$/, (kind, length, got) => `${CODE_KIND[kind]}编码须为 ${length} 位，实际为 ${got} 位`],
  [
    /^(Building|Unit) code: (\w+) part \(.*?\) "(\d*)" is not a province code \((.*)\)$/,
    (kind, _part, value, range) => `${CODE_KIND[kind]}编码：省级代码“${value}”不是有效的省份代码（${range}）`,
  ],
  [
    /^(Building|Unit) code: (\w+) part \(.*?\) "(\d*)" must not be all zeros$/,
    (kind, part, value) => `${CODE_KIND[kind]}编码：${CODE_PART[part] ?? part}部分“${value}”不能全为 0`,
  ],
  [/^its grid \(the first 14 digits\) does not exist$/, () => '所属网格（前 14 位）不存在'],
  [/^a building with this code is already on file .*$/, () => '该编码的建筑物已在册（编码不重复使用）'],
  [
    /^the point is (\d+) m outside its grid (\d+) \((\d+) m allowed at the edge\).*$/,
    (metres, grid, allowed) => `位置在所属网格 ${grid} 之外 ${metres} 米（边界允许 ${allowed} 米）`,
  ],
  [/^its building \(the first 19 digits\) is not on file.*$/, () => '所属建筑物（前 19 位）不在册：请先导入建筑物'],
  [/^its building is demolished$/, () => '所属建筑物已拆除'],
  [/^a unit with this code is already on file .*$/, () => '该编码的房屋已在册（编码不重复使用）'],
  [/^only a rented unit \(出租\) can be registered as a rental$/, () => '只有出租房屋才能办理出租登记'],
  [/^only a rented unit \(出租\) can be let to several households \(分租\)$/, () => '只有出租房屋才能分租给多户'],
  [/^a case with this number is already on file$/, () => '该案件编号已在册'],
  [/^no grid with this code is on file$/, () => '该编码的网格不在册'],
  [/^no building with this code is on file$/, () => '该编码的建筑物不在册'],
  [/^no unit with this code is on file$/, () => '该编码的房屋不在册'],
  [/^the unit belongs to a demolished building$/, () => '该房屋所属建筑物已拆除'],
  [/^the details do not match the person on file with this ID number.*$/, () => '所填信息与该证件号码在册人员不符；请核对证件，或请派出所核实记录'],
  [/^this person already has a current residence.*$/, () => '此人已有现住址；请先办理迁移或迁出登记'],
  [/^this person lives in another unit.*$/, () => '此人现住另一房屋；请先办理迁移或迁出登记（导入不改写已登记的居住记录）'],
  [/^is before this person's last move-out$/, () => '早于此人最近一次迁出日期'],
  [/^ID number must be 17 digits followed by a digit or X.*$/, () => '身份证号须为 17 位数字加 1 位数字或 X（共 18 位）'],
  [/^ID number: division code (\d+) is not a known province$/, (code) => `身份证号：行政区划代码 ${code} 不是已知的省份`],
  [/^ID number: birth date (\d+) does not exist$/, (date) => `身份证号：出生日期 ${date} 不存在`],
  [/^ID number: birth date (\S+) is in the future$/, (date) => `身份证号：出生日期 ${date} 晚于今天`],
  [/^ID number: birth date (\S+) is more than (\d+) years ago$/, (date, years) => `身份证号：出生日期 ${date} 距今超过 ${years} 年`],
  [/^ID number: check character is (\S+), expected (\S+)$/, () => '身份证号：校验码不正确'],
  [/^A passport number has 5 to 20 letters or digits$/, () => '护照号码须为 5 到 20 位字母或数字'],
  [/^Foreigners \(category overseas\) register with a passport.*$/, () => '境外人员须以护照登记，其他人员须以身份证登记'],
  [/^floatingType applies only to category floating$/, () => '流动类型仅适用于流动人口'],
  [/^sex (\S+) disagrees with the ID number, which says (\S+)$/, () => '性别与身份证号不符'],
  [/^birthDate (\S+) disagrees with the ID number, which says (\S+)$/, () => '出生日期与身份证号不符'],
  [/^An ID card holder's nationality is (\S+)$/, (country) => `身份证持有人的国籍为 ${country}`],
  [/^(\w+) is required for a passport holder$/, (name) => `护照持有人须填写${field(name)}`],
  [/^(\w+) (\S+) is after today \((\S+)\)$/, (name, date, today) => `${field(name)} ${date} 晚于今天（${today}）`],
  [/^(\w+) (\S+) is before (\w+) (\S+)$/, (name, date, other, otherDate) => `${field(name)} ${date} 早于${field(other)} ${otherDate}`],
  [/^(\w+) (\S+) is before the person's birth date (\S+)$/, (name, date, birth) => `${field(name)} ${date} 早于出生日期 ${birth}`],
  [/^birthDate (\S+) is more than (\d+) years ago$/, (date, years) => `出生日期 ${date} 距今超过 ${years} 年`],
  // Compounds (server/imports/kinds/compounds.ts).
  [/^must be the community code \(12 digits\), a hyphen and 3 digits.*$/, () => '须为社区编码（12 位）、连字符和 3 位数字，例如 440307001001-001'],
  [/^its community \(the first 12 digits\) does not exist$/, () => '所属社区（前 12 位）不存在'],
  [/^a compound with this code is already on file$/, () => '该编码的小区已在册'],
  [/^names more than (\d+) buildings$/, (max) => `所列楼栋超过 ${max} 栋`],
  [/^building code (\S+): (.*)$/, (code, message) => `楼栋编码 ${code}：${reasonZh(message)}`],
  [/^building (\d+) lies outside community (\d+)$/, (building, community) => `楼栋 ${building} 不在小区所在社区 ${community} 内`],
  [/^building (\d+) does not exist$/, (building) => `楼栋 ${building} 不存在`],
  [/^building (\d+) already belongs to compound (\S+)$/, (building, compound) => `楼栋 ${building} 已属于小区 ${compound}`],
  [/^building (\d+) is already named in row (\d+)$/, (building, row) => `楼栋 ${building} 已在第 ${row} 行列出`],
];

/** The Chinese of a stored reason; one no rule matches is shown as written, marked as untranslated. */
export function reasonZh(reason: string): string {
  for (const [pattern, translate] of TRANSLATIONS) {
    const match = pattern.exec(reason);
    if (match) return translate(...match.slice(1));
  }
  return `不符合规则：${reason}`;
}

/** A stored bad row as the API shows it: the English reason (also as `message`) and its Chinese. */
export const bilingualReason = (reason: string) => ({ reason, message: reason, messageZh: reasonZh(reason) });
