/**
 * Hukou places (GB/T 2260 county codes) for the synthetic population: Shenzhen districts for
 * local residents, and the counties floating workers in Longgang typically come from.
 */
import { WeightedTable, type Rng } from './random.ts';

export interface Division {
  readonly code: string;
  readonly place: string;
}

interface Province {
  readonly weight: number;
  readonly divisions: readonly Division[];
  /** Minority ethnic groups with their share among people from this province. */
  readonly minorities?: readonly (readonly [string, number])[];
}

export const SHENZHEN_DIVISIONS: readonly Division[] = [
  { code: '440307', place: '广东省深圳市龙岗区' },
  { code: '440303', place: '广东省深圳市罗湖区' },
  { code: '440304', place: '广东省深圳市福田区' },
  { code: '440305', place: '广东省深圳市南山区' },
  { code: '440306', place: '广东省深圳市宝安区' },
  { code: '440308', place: '广东省深圳市盐田区' },
  { code: '440309', place: '广东省深圳市龙华区' },
  { code: '440310', place: '广东省深圳市坪山区' },
  { code: '440311', place: '广东省深圳市光明区' },
];

const ORIGINS: readonly Province[] = [
  {
    weight: 20,
    divisions: [
      { code: '445222', place: '广东省揭阳市揭西县' },
      { code: '441581', place: '广东省汕尾市陆丰市' },
      { code: '440882', place: '广东省湛江市雷州市' },
      { code: '441424', place: '广东省梅州市五华县' },
      { code: '440904', place: '广东省茂名市电白区' },
      { code: '445381', place: '广东省云浮市罗定市' },
      { code: '441322', place: '广东省惠州市博罗县' },
    ],
    minorities: [
      ['畲族', 0.005],
      ['瑶族', 0.005],
    ],
  },
  {
    weight: 18,
    divisions: [
      { code: '430421', place: '湖南省衡阳市衡阳县' },
      { code: '430524', place: '湖南省邵阳市隆回县' },
      { code: '431021', place: '湖南省郴州市桂阳县' },
      { code: '430981', place: '湖南省益阳市沅江市' },
      { code: '433127', place: '湖南省湘西土家族苗族自治州永顺县' },
      { code: '431126', place: '湖南省永州市宁远县' },
    ],
    minorities: [
      ['土家族', 0.05],
      ['苗族', 0.04],
      ['瑶族', 0.02],
    ],
  },
  {
    weight: 12,
    divisions: [
      { code: '450881', place: '广西壮族自治区贵港市桂平市' },
      { code: '450521', place: '广西壮族自治区北海市合浦县' },
      { code: '450922', place: '广西壮族自治区玉林市陆川县' },
      { code: '450981', place: '广西壮族自治区玉林市北流市' },
    ],
    minorities: [
      ['壮族', 0.3],
      ['瑶族', 0.03],
    ],
  },
  {
    weight: 10,
    divisions: [
      { code: '360703', place: '江西省赣州市南康区' },
      { code: '360730', place: '江西省赣州市宁都县' },
      { code: '361025', place: '江西省抚州市乐安县' },
      { code: '360428', place: '江西省九江市都昌县' },
    ],
    minorities: [['畲族', 0.005]],
  },
  {
    weight: 9,
    divisions: [
      { code: '421182', place: '湖北省黄冈市武穴市' },
      { code: '421127', place: '湖北省黄冈市黄梅县' },
      { code: '420981', place: '湖北省孝感市应城市' },
      { code: '421221', place: '湖北省咸宁市嘉鱼县' },
    ],
    minorities: [['土家族', 0.02]],
  },
  {
    weight: 8,
    divisions: [
      { code: '411526', place: '河南省信阳市潢川县' },
      { code: '411625', place: '河南省周口市郸城县' },
      { code: '411323', place: '河南省南阳市淅川县' },
      { code: '411722', place: '河南省驻马店市上蔡县' },
    ],
    minorities: [['回族', 0.02]],
  },
  {
    weight: 7,
    divisions: [
      { code: '511621', place: '四川省广安市岳池县' },
      { code: '510981', place: '四川省遂宁市射洪市' },
      { code: '511322', place: '四川省南充市营山县' },
      { code: '511923', place: '四川省巴中市平昌县' },
    ],
    minorities: [
      ['彝族', 0.03],
      ['藏族', 0.005],
    ],
  },
  {
    weight: 4,
    divisions: [
      { code: '500235', place: '重庆市云阳县' },
      { code: '500236', place: '重庆市奉节县' },
      { code: '500101', place: '重庆市万州区' },
    ],
    minorities: [['土家族', 0.03]],
  },
  {
    weight: 4,
    divisions: [
      { code: '520521', place: '贵州省毕节市大方县' },
      { code: '522631', place: '贵州省黔东南苗族侗族自治州黎平县' },
    ],
    minorities: [
      ['苗族', 0.15],
      ['侗族', 0.15],
      ['布依族', 0.05],
    ],
  },
  {
    weight: 3,
    divisions: [
      { code: '350583', place: '福建省泉州市南安市' },
      { code: '350128', place: '福建省福州市平潭县' },
    ],
    minorities: [['畲族', 0.02]],
  },
  { weight: 1.5, divisions: [{ code: '371321', place: '山东省临沂市沂南县' }] },
  {
    weight: 1.5,
    divisions: [{ code: '530381', place: '云南省曲靖市宣威市' }],
    minorities: [
      ['彝族', 0.08],
      ['回族', 0.02],
    ],
  },
  { weight: 1.5, divisions: [{ code: '610581', place: '陕西省渭南市韩城市' }] },
  { weight: 1, divisions: [{ code: '620421', place: '甘肃省白银市靖远县' }], minorities: [['回族', 0.05]] },
  { weight: 1, divisions: [{ code: '130434', place: '河北省邯郸市魏县' }], minorities: [['满族', 0.02]] },
];

const PROVINCES = new WeightedTable(ORIGINS.map((province) => [province, province.weight] as const));

const TOWN_WORDS = [...'石桥岭坪塘湾田溪山口洞源江湖新安和平兴隆龙凤岗头寨坝沙林'];

export interface Origin {
  readonly division: Division;
  readonly minorities: readonly (readonly [string, number])[];
}

/** A county outside Shenzhen, weighted by how many migrants come from its province. */
export function pickOrigin(rng: Rng): Origin {
  const province = PROVINCES.draw(rng);
  return { division: rng.pick(province.divisions), minorities: province.minorities ?? [] };
}

export function pickShenzhenDivision(rng: Rng): Division {
  return rng.chance(0.72) ? SHENZHEN_DIVISIONS[0]! : rng.pick(SHENZHEN_DIVISIONS.slice(1));
}

export const LOCAL_ORIGIN: Origin = {
  division: SHENZHEN_DIVISIONS[0]!,
  minorities: [
    ['壮族', 0.005],
    ['瑶族', 0.003],
    ['土家族', 0.003],
    ['回族', 0.002],
  ],
};

/** A village address in the county: 衡阳县石桥镇龙坪村3组. */
export function ruralAddress(rng: Rng, division: Division): string {
  const town = rng.pick(TOWN_WORDS) + rng.pick(TOWN_WORDS);
  const village = rng.pick(TOWN_WORDS) + rng.pick(TOWN_WORDS);
  return `${division.place}${town}镇${village}村${rng.int(1, 12)}组`;
}

export function ethnicityFor(rng: Rng, origin: Origin): string {
  let roll = rng.next();
  for (const [name, share] of origin.minorities) {
    if (roll < share) return name;
    roll -= share;
  }
  return '汉族';
}
