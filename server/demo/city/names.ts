/** Chinese and foreign names, place names and company names for the synthetic city. */
import { WeightedTable, type Rng } from './random.ts';

// Common surnames with rough relative frequencies (per mille).
const SURNAMES = new WeightedTable<string>([
  ['王', 72],
  ['李', 72],
  ['张', 68],
  ['刘', 54],
  ['陈', 54],
  ['杨', 31],
  ['黄', 25],
  ['赵', 22],
  ['吴', 21],
  ['周', 21],
  ['徐', 17],
  ['孙', 15],
  ['马', 15],
  ['朱', 14],
  ['胡', 13],
  ['郭', 12],
  ['何', 12],
  ['林', 12],
  ['罗', 11],
  ['高', 11],
  ['郑', 10],
  ['梁', 9],
  ['谢', 8],
  ['宋', 8],
  ['唐', 8],
  ['许', 7],
  ['韩', 7],
  ['邓', 7],
  ['冯', 7],
  ['曹', 7],
  ['彭', 7],
  ['曾', 6],
  ['肖', 6],
  ['田', 6],
  ['董', 6],
  ['潘', 5],
  ['袁', 5],
  ['蔡', 5],
  ['蒋', 5],
  ['余', 5],
  ['于', 5],
  ['杜', 5],
  ['叶', 5],
  ['程', 4],
  ['魏', 4],
  ['苏', 4],
  ['吕', 4],
  ['丁', 4],
  ['任', 4],
  ['卢', 4],
  ['姚', 4],
  ['沈', 4],
  ['钟', 4],
  ['姜', 4],
  ['崔', 4],
  ['谭', 4],
  ['陆', 3],
  ['范', 3],
  ['汪', 3],
  ['廖', 3],
  ['石', 3],
  ['金', 3],
  ['韦', 3],
  ['贾', 3],
  ['夏', 3],
  ['付', 3],
  ['方', 3],
  ['邹', 3],
  ['熊', 3],
  ['白', 3],
  ['孟', 3],
  ['秦', 3],
  ['邱', 3],
  ['侯', 3],
  ['江', 3],
  ['尹', 3],
  ['薛', 2],
  ['闫', 2],
  ['段', 2],
  ['雷', 2],
  ['龙', 2],
  ['黎', 2],
  ['史', 2],
  ['陶', 2],
  ['贺', 2],
  ['毛', 2],
  ['郝', 2],
  ['顾', 2],
  ['龚', 2],
  ['邵', 2],
  ['万', 2],
  ['覃', 2],
  ['武', 2],
  ['钱', 2],
  ['戴', 2],
  ['严', 2],
  ['莫', 2],
  ['孔', 1],
  ['向', 1],
  ['汤', 1],
  ['赖', 2],
  ['温', 2],
  ['欧阳', 1],
  ['司马', 0.2],
  ['上官', 0.2],
]);

const MALE_GIVEN = [
  ...'伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯俊健帅峰建国志文宏亮林东海龙旭阳晨博睿轩皓然子豪宇航俊杰浩宇振兴德才永福家豪泽锦程嘉懿一鸣梓涵思远',
];
const FEMALE_GIVEN = [...'芳娜敏静丽艳娟霞燕玲婷雪琳颖慧莉倩红梅兰英萍洁琴云佳欣怡悦诗雨涵梓萱思彤可馨晓月春桃秀珍美玲嘉怡紫琪若曦婉清雅琪语嫣'];

export function pickSurname(rng: Rng): string {
  return SURNAMES.draw(rng);
}

export function chineseName(rng: Rng, sex: 'M' | 'F', surname = pickSurname(rng)): string {
  const pool = sex === 'M' ? MALE_GIVEN : FEMALE_GIVEN;
  const length = rng.chance(0.22) ? 1 : 2;
  let given = '';
  for (let index = 0; index < length; index += 1) given += rng.pick(pool);
  return surname + given;
}

/** Given names as printed in passports, by nationality. */
const FOREIGN_NAMES: Record<string, { family: readonly string[]; given: readonly string[] }> = {
  KOR: {
    family: ['KIM', 'LEE', 'PARK', 'CHOI', 'JUNG', 'KANG', 'CHO', 'YOON'],
    given: ['MINJUN', 'SEOYEON', 'JIHOON', 'HAEUN', 'DOYUN', 'JIWOO', 'SUBIN', 'HYUNWOO'],
  },
  JPN: {
    family: ['SATO', 'SUZUKI', 'TAKAHASHI', 'TANAKA', 'WATANABE', 'ITO', 'YAMAMOTO', 'NAKAMURA'],
    given: ['HIROSHI', 'YUKI', 'KENTA', 'AOI', 'HARUTO', 'SAKURA', 'TAKUMI', 'MISAKI'],
  },
  USA: {
    family: ['SMITH', 'JOHNSON', 'WILLIAMS', 'BROWN', 'JONES', 'MILLER', 'DAVIS', 'GARCIA'],
    given: ['JAMES', 'MARY', 'MICHAEL', 'JENNIFER', 'DAVID', 'SARAH', 'DANIEL', 'EMILY'],
  },
  VNM: {
    family: ['NGUYEN', 'TRAN', 'LE', 'PHAM', 'HOANG', 'VU', 'DANG', 'BUI'],
    given: ['VAN AN', 'THI LAN', 'MINH DUC', 'THI HOA', 'QUANG HUY', 'THU TRANG', 'VAN NAM', 'NGOC ANH'],
  },
  IND: {
    family: ['SHARMA', 'PATEL', 'KUMAR', 'SINGH', 'GUPTA', 'REDDY', 'IYER', 'NAIR'],
    given: ['RAHUL', 'PRIYA', 'AMIT', 'ANANYA', 'VIKRAM', 'DEEPA', 'ARJUN', 'NEHA'],
  },
  MYS: {
    family: ['TAN', 'LIM', 'WONG', 'ABDULLAH', 'RAHMAN', 'LEE', 'ISMAIL', 'CHAN'],
    given: ['WEI MING', 'SITI', 'AHMAD', 'MEI LING', 'HAFIZ', 'NURUL', 'KAH WAI', 'AISYAH'],
  },
  SGP: {
    family: ['TAN', 'LIM', 'NG', 'ONG', 'GOH', 'CHUA', 'KOH', 'TEO'],
    given: ['JUN JIE', 'HUI MIN', 'WEI LIANG', 'XIN YI', 'ZHI HAO', 'SHU FEN', 'KAI WEN', 'JIA HUI'],
  },
  GBR: {
    family: ['TAYLOR', 'WILSON', 'EVANS', 'THOMAS', 'ROBERTS', 'WALKER', 'WRIGHT', 'HUGHES'],
    given: ['OLIVER', 'AMELIA', 'HARRY', 'ISLA', 'GEORGE', 'AVA', 'JACK', 'EMMA'],
  },
  DEU: {
    family: ['MUELLER', 'SCHMIDT', 'SCHNEIDER', 'FISCHER', 'WEBER', 'MEYER', 'WAGNER', 'BECKER'],
    given: ['LUKAS', 'ANNA', 'FELIX', 'LENA', 'JONAS', 'LEA', 'MAX', 'HANNAH'],
  },
  FRA: {
    family: ['MARTIN', 'BERNARD', 'DUBOIS', 'THOMAS', 'ROBERT', 'PETIT', 'DURAND', 'LEROY'],
    given: ['LOUIS', 'CHLOE', 'GABRIEL', 'LEA', 'HUGO', 'MANON', 'ARTHUR', 'CAMILLE'],
  },
  CAN: {
    family: ['TREMBLAY', 'ROY', 'GAGNON', 'CAMPBELL', 'ANDERSON', 'MACDONALD', 'CHEN', 'WONG'],
    given: ['LIAM', 'OLIVIA', 'NOAH', 'CHARLOTTE', 'ETHAN', 'SOPHIE', 'LUCAS', 'ZOE'],
  },
  AUS: {
    family: ['SMITH', 'JONES', 'WILLIAMS', 'KELLY', 'RYAN', 'NGUYEN', 'TAYLOR', 'WHITE'],
    given: ['JACK', 'CHLOE', 'THOMAS', 'MIA', 'WILLIAM', 'GRACE', 'LACHLAN', 'RUBY'],
  },
  RUS: {
    family: ['IVANOV', 'SMIRNOV', 'KUZNETSOV', 'POPOV', 'VASILIEV', 'PETROV', 'SOKOLOV', 'VOLKOV'],
    given: ['ALEXANDER', 'ANASTASIA', 'DMITRY', 'MARIA', 'SERGEY', 'EKATERINA', 'IVAN', 'OLGA'],
  },
  THA: {
    family: ['SAETANG', 'CHAIYAPORN', 'SRISUK', 'WONGSA', 'BOONMA', 'SUKSAN', 'RATANA', 'KAEWMANEE'],
    given: ['SOMCHAI', 'NATTAYA', 'ANAN', 'KANYA', 'PRASERT', 'SIRIPORN', 'WICHAI', 'PORNTIP'],
  },
  PHL: {
    family: ['SANTOS', 'REYES', 'CRUZ', 'BAUTISTA', 'GARCIA', 'MENDOZA', 'TORRES', 'RAMOS'],
    given: ['JOSE', 'MARIA', 'JUAN', 'ANGELICA', 'MARK', 'KRISTINE', 'JOHN PAUL', 'MARY JOY'],
  },
};

/** Nationalities of foreign residents, with weights. */
export const NATIONALITIES: readonly (readonly [string, number])[] = [
  ['KOR', 18],
  ['VNM', 12],
  ['JPN', 12],
  ['USA', 10],
  ['IND', 6],
  ['MYS', 6],
  ['SGP', 5],
  ['GBR', 5],
  ['PHL', 5],
  ['DEU', 4],
  ['CAN', 4],
  ['RUS', 4],
  ['THA', 4],
  ['FRA', 3],
  ['AUS', 3],
];

export function foreignName(rng: Rng, nationality: string): string {
  const names = FOREIGN_NAMES[nationality] ?? FOREIGN_NAMES.USA!;
  return `${rng.pick(names.family)} ${rng.pick(names.given)}`;
}

/** Streets (街道) of the district; more are made up when a large scale needs them. */
export const STREET_NAMES = ['布吉', '吉华', '坂田', '南湾', '平湖', '横岗', '园山', '龙城', '龙岗', '宝龙', '坪地'];
const EXTRA_STREET_SYLLABLES = ['清', '爱', '回', '大', '丹', '甘', '雪', '荷', '同', '盛', '新', '五', '南', '西', '东', '华', '安', '康'];

export function streetName(index: number): string {
  if (index < STREET_NAMES.length) return STREET_NAMES[index]!;
  const rest = index - STREET_NAMES.length;
  const count = EXTRA_STREET_SYLLABLES.length;
  return EXTRA_STREET_SYLLABLES[rest % count]! + EXTRA_STREET_SYLLABLES[(Math.floor(rest / count) + 3) % count]! + (rest >= count * count ? String(rest) : '');
}

export const COMMUNITY_NAMES: readonly string[] = [
  ...new Set([
    '南岭村',
    '沙湾',
    '丹竹头',
    '木棉湾',
    '大芬',
    '水径',
    '上水径',
    '下水径',
    '甘坑',
    '三联',
    '下李朗',
    '上李朗',
    '长龙',
    '岗头',
    '象角塘',
    '雪象',
    '五和',
    '新雪',
    '马安堂',
    '杨美',
    '大发埔',
    '禾坪岗',
    '德兴',
    '罗岗',
    '金排',
    '信义',
    '百鸽笼',
    '樟树布',
    '龙岭',
    '草埔',
    '南门',
    '翠湖',
    '丽湖',
    '黄金山',
    '京南',
    '南坑',
    '五园',
    '清平',
    '康乐',
    '樟坑径',
    '大和',
    '新围',
    '鹅公岭',
    '辅城坳',
    '白泥坑',
    '凤凰',
    '山厦',
    '力昌',
    '良安田',
    '上木古',
    '新木',
    '守珍',
    '禾花',
    '新南',
    '大康',
    '简龙',
    '西坑',
    '安良',
    '四联',
    '保安',
    '荷坳',
    '银荷',
    '六约',
    '塘坑',
    '正中',
    '年丰',
    '坪西',
    '坪东',
    '六联',
    '高桥',
    '回龙埔',
    '爱联',
    '嶂背',
    '五联',
    '黄阁坑',
    '同心',
    '龙西',
    '南联',
    '龙东',
    '同乐',
    '盛平',
    '龙新',
    '新生',
    '紫薇',
    '黄竹',
    '龙腾',
    '愉园',
    '南约',
    '吉祥',
    '尚景',
    '龙平',
    '天安',
    '中海',
    '荷康',
    '嶂下',
    '吉厦',
    '石芽岭',
    '坂雪岗',
    '岗贝',
    '大浪',
    '水岸',
    '佳华',
    '松元',
    '长坑',
  ]),
];

/**
 * `count` distinct community names: the list above in random order, then made-up pairs, then
 * (for a city-sized district) the names so far with 二, 三 … appended.
 */
export function communityNames(rng: Rng, count: number): string[] {
  const names = rng.shuffle([...COMMUNITY_NAMES]);
  const taken = new Set(names);
  for (let a = 0; names.length < count && a < COMMUNITY_NAMES.length; a += 1) {
    for (let b = 0; names.length < count && b < COMMUNITY_NAMES.length; b += 1) {
      const name = COMMUNITY_NAMES[a]!.slice(0, 1) + COMMUNITY_NAMES[b]!.slice(-1);
      if (a !== b && !taken.has(name)) {
        taken.add(name);
        names.push(name);
      }
    }
  }
  const bases = names.length;
  for (let round = 2; names.length < count && round <= 99; round += 1) {
    for (let index = 0; names.length < count && index < bases; index += 1) names.push(names[index]! + chineseNumber(round));
  }
  if (names.length < count) throw new Error(`no more than ${names.length} community names`);
  return names.slice(0, count);
}

/** Parts of an urban village (城中村), one per grid of a community: 南岭村新村三巷5号. */
export const VILLAGE_QUARTERS = ['新村', '老村', '东村', '西村', '上围', '下围', '南区', '北区', '中心村', '新围'];

export const ROAD_NAMES = [
  '布沙路',
  '龙岗大道',
  '吉华路',
  '坂雪岗大道',
  '五和大道',
  '环城路',
  '中心路',
  '建设路',
  '深惠路',
  '宝荷路',
  '龙翔大道',
  '黄阁路',
  '爱南路',
  '南湾路',
  '沙平路',
  '平龙路',
  '富民路',
  '新兴街',
  '仁和路',
  '友谊路',
  '东兴路',
  '兴华路',
  '和平路',
  '长安路',
  '福康路',
  '禾坪街',
  '华兴路',
  '振兴路',
  '丹竹路',
  '木棉路',
  '吉政路',
  '翠竹路',
  '碧新路',
  '金鹏路',
  '怡丰路',
  '荣华路',
  '德政路',
  '育才路',
  '文化路',
  '中兴路',
  '永安路',
  '康乐街',
  '百合路',
  '民治路',
  '凤凰大道',
  '清林路',
  '盛宝路',
];

const ESTATE_HEADS = [
  '碧湖',
  '锦绣',
  '龙园',
  '星河',
  '华业',
  '桂芳',
  '信义',
  '阳光',
  '东方',
  '金色',
  '翠拥',
  '怡翠',
  '水晶',
  '天安',
  '佳兆业',
  '万科',
  '中海',
  '京基',
  '大世纪',
  '德福',
  '四季',
  '融湖',
  '君悦',
  '雅庭',
];
const ESTATE_TAILS = ['花园', '名城', '山庄', '华庭', '雅居', '公馆', '新城', '家园', '苑', '御府', '尚府', '广场'];

export function estateName(rng: Rng): string {
  return rng.pick(ESTATE_HEADS) + rng.pick(ESTATE_TAILS);
}

const COMPANY_WORDS = [...'华富鑫创达宏盛龙辉信海科荣兴泰恒佳美联益晟鸿源通德森航'];
const INDUSTRIES = ['电子科技', '精密五金', '塑胶制品', '服装', '光电', '电路板', '包装制品', '模具', '智能科技', '物流', '家具', '玩具', '新能源', '通讯设备'];
const LOCAL_BUSINESSES = ['餐饮店', '超市', '物流', '建筑劳务', '装饰工程', '家政服务', '快递', '汽车维修', '美容美发', '酒店', '贸易', '外卖配送'];

export function factoryName(rng: Rng): string {
  return `深圳市${rng.pick(COMPANY_WORDS)}${rng.pick(COMPANY_WORDS)}${rng.pick(INDUSTRIES)}有限公司`;
}

export function businessName(rng: Rng): string {
  return `深圳市${rng.pick(COMPANY_WORDS)}${rng.pick(COMPANY_WORDS)}${rng.pick(LOCAL_BUSINESSES)}有限公司`;
}

const CHINESE_NUMERALS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** 1 → 一, 12 → 十二, 23 → 二十三 (up to 99). */
export function chineseNumber(value: number): string {
  if (value <= 10) return CHINESE_NUMERALS[value]!;
  const tens = Math.floor(value / 10);
  const ones = value % 10;
  return (tens === 1 ? '' : CHINESE_NUMERALS[tens]!) + '十' + CHINESE_NUMERALS[ones]!;
}

const MOBILE_PREFIXES = [
  '130',
  '131',
  '132',
  '133',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '155',
  '156',
  '157',
  '158',
  '159',
  '180',
  '181',
  '182',
  '183',
  '185',
  '186',
  '187',
  '188',
  '189',
];

/** An 11-digit mobile number starting 13, 15 or 18. */
export function mobilePhone(rng: Rng): string {
  return rng.pick(MOBILE_PREFIXES) + rng.digits(8);
}
