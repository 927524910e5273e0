import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { RentalTier } from '../domain/rental-scoring.ts';
import { shownScoreMonth } from '../rentals/service.ts';
import type { Layer, LayerColumn, Value } from './layer.ts';
import { buildingLayerRows, type ExportScope } from './repository.ts';
import { assertWithinCap, MAX_LAYER_FEATURES } from './scope.ts';

/**
 * The building layer: active buildings in scope as points, with their units, rentals and the
 * rental tier of one scoring month (三色四级; null where the building was not scored). No
 * landlord names or phones: a layer carries no person data.
 */

const USE_WORDS = { residential: '住宅', mixed: '混合', factory_dormitory: '厂房宿舍', shop_house: '商住', urban_village: '城中村' };
const MODE_WORDS = { hotel: '旅业式', property: '物业式', employer: '单位自管式', patrol: '散居包片式', gated: '院区围合式' };
const TIER_WORDS: Record<RentalTier, string> = { red: '红', yellow: '黄', green: '绿', star: '星级' };

const BUILDING_COLUMNS: LayerColumn[] = [
  { key: 'code', label: '建筑编码', type: 'text' },
  { key: 'grid_code', label: '网格编码', type: 'text' },
  { key: 'address', label: '门牌地址', type: 'text' },
  { key: 'floors', label: '层数', type: 'integer' },
  { key: 'use', label: '用途', type: 'text', words: USE_WORDS },
  { key: 'management_mode', label: '管理模式', type: 'text', words: MODE_WORDS },
  { key: 'has_access_control', label: '门禁', type: 'boolean' },
  { key: 'has_video', label: '视频监控', type: 'boolean' },
  { key: 'responsibility_letter_signed', label: '已签治安责任书', type: 'boolean' },
  { key: 'units', label: '房屋单元', type: 'integer' },
  { key: 'rented_units', label: '出租单元', type: 'integer' },
  // Let dwellings: a unit let to several households (分租) counts each (sql/0014_rental_houses.sql).
  { key: 'rental_houses', label: '出租房屋(户)', type: 'integer' },
  { key: 'registered_rental_units', label: '已登记出租单元', type: 'integer' },
  { key: 'tier', label: '出租屋等级', type: 'text', words: TIER_WORDS },
  { key: 'score', label: '评分', type: 'real' },
  { key: 'clean_months', label: '连续无案月数', type: 'integer' },
];

export interface BuildingLayerRequest {
  scope: ExportScope;
  /** First day of the scoring month; default the latest scored. */
  month?: string;
  /** Only buildings of this tier. */
  tier?: RentalTier;
}

export async function buildingLayer(db: Kysely<DB>, request: BuildingLayerRequest): Promise<Layer> {
  const month = await shownScoreMonth(db, request.month);
  const rows = await buildingLayerRows(db, request.scope, month, request.tier ?? null, MAX_LAYER_FEATURES + 1);
  assertWithinCap(rows.length, MAX_LAYER_FEATURES, 'area');
  return {
    name: 'buildings',
    title: '建筑与出租屋等级',
    geometryType: 'POINT',
    columns: BUILDING_COLUMNS,
    features: rows.map((row) => ({
      geometry: row.geometry,
      anchor: row.geometry.coordinates as [number, number],
      values: BUILDING_COLUMNS.map((column) => (row[column.key] ?? null) as Value),
    })),
    notes: [
      ['出租屋评分月份', month?.slice(0, 7) ?? '尚未评分'],
      ['等级筛选', request.tier ? TIER_WORDS[request.tier] : '全部'],
      ['范围', request.scope?.join(',') ?? '全市'],
    ],
  };
}
