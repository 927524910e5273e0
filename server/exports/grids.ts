import type { Kysely } from 'kysely';
import type { Principal } from '../auth/session.ts';
import { codeRange } from '../db/code-prefix.ts';
import { computeAllocation, savedAllocationSettings } from '../collectors/service.ts';
import type { DB } from '../db/schema.ts';
import { METRICS, percent, type Figures, type MetricName, type MetricOptions } from '../domain/heatmap-metrics.ts';
import { figureSource, privacyThreshold, suppressesSmallCounts, type FigureSource, type SourceParams } from '../heatmaps/service.ts';
import type { Layer, LayerColumn, LayerFeature, Value } from './layer.ts';
import { gridRowsWithFigures, type ExportScope, type GridRow } from './repository.ts';
import { assertWithinCap, MAX_LAYER_FEATURES } from './scope.ts';

/**
 * The grid layer: every grid in scope with the figures the heatmaps and KPI cards show, read from
 * the same maintained per-grid tables (sql/0003_heatmaps.sql, rental_tier_counts) through the
 * heatmaps' figure sources, plus the collectors' need and gap. Leaders get the heatmaps'
 * small-count suppression: a figure about fewer than k people is left empty.
 */

interface GridFigure {
  key: string;
  label: string;
  type: 'integer' | 'real';
  value(sums: Figures, areaKm2: number): number | null;
  /** How many people the figure is about, for the leader's suppression; absent when it counts no people. */
  people?(sums: Figures): number;
}

const ALL_PEOPLE: MetricOptions = { category: 'all', tier: 'red' };

const count = (key: string, label: string, people?: (sums: Figures) => number): GridFigure => ({
  key,
  label,
  type: 'integer',
  value: (sums) => sums[key] ?? 0,
  people,
});
const ofFloating = (sums: Figures) => sums.floating!;
const ratio = (key: string, label: string, numerator: string, denominator: string): GridFigure => ({
  key,
  label,
  type: 'real',
  value: (sums) => percent(sums[numerator]!, sums[denominator]!),
});

/** A heatmap metric as a column: the same value and the same people it is about. */
function metric(key: string, label: string, name: MetricName, type: GridFigure['type'] = 'real'): GridFigure {
  const definition = METRICS[name];
  return {
    key,
    label,
    type,
    value: (sums, areaKm2) => definition.value(definition.figures(sums, ALL_PEOPLE), areaKm2, ALL_PEOPLE),
    people: (sums) => definition.people!(definition.figures(sums, ALL_PEOPLE)),
  };
}

const POPULATION_FIGURES: GridFigure[] = [
  metric('population', '实有人口', 'population', 'integer'),
  count('registered', '常住人口', (sums) => sums.registered!),
  count('lodging', '寄住人口', (sums) => sums.lodging!),
  count('floating', '流动人口', ofFloating),
  count('overseas', '境外人员', (sums) => sums.overseas!),
  metric('floating_density', '流动人口密度(人/km²)', 'floating_density'),
  count('floating_registered', '已登记流动人口', ofFloating),
  metric('registration_rate', '居住登记率(%)', 'registration_rate'),
  count('floating_permitted', '持证流动人口', ofFloating),
  metric('permit_rate', '发证率(%)', 'permit_rate'),
];

const OTHER_FIGURES: GridFigure[] = [
  count('cases', '案件数'),
  count('criminal', '刑事案件'),
  count('public_order', '治安案件'),
  count('in_rental', '出租屋内案件'),
  count('buildings', '建筑栋数'),
  count('units', '房屋单元'),
  count('rental_houses', '出租房屋(户)'),
  count('rented_units', '出租单元'),
  count('registered_rental_units', '已登记出租单元'),
  ratio('rental_registration_rate', '出租登记率(%)', 'registered_rental_units', 'rented_units'),
  count('rental_buildings', '出租屋栋数'),
  count('signed_rental_buildings', '已签治安责任书出租屋'),
  ratio('letter_rate', '治安责任书签订率(%)', 'signed_rental_buildings', 'rental_buildings'),
  count('red', '红色出租屋'),
  count('yellow', '黄色出租屋'),
  count('green', '绿色出租屋'),
  count('star', '星级出租屋'),
  count('collectors_need', '应配专职协管员'),
  count('collectors_full_time', '已配专职协管员'),
  count('collectors_part_time', '已配兼职协管员'),
  count('collectors_gap', '协管员缺口(负数为缺)'),
];

const FIGURES = [...POPULATION_FIGURES, ...OTHER_FIGURES];

const GRID_COLUMNS: LayerColumn[] = [
  { key: 'code', label: '网格编码', type: 'text' },
  { key: 'name', label: '网格名称', type: 'text' },
  { key: 'community_code', label: '社区编码', type: 'text' },
  { key: 'area_km2', label: '面积(km²)', type: 'real' },
  ...FIGURES.map(({ key, label, type }) => ({ key, label, type })),
  { key: 'suppressed', label: '因少于k人未显示的项数', type: 'integer' },
];

export interface GridLayerRequest extends SourceParams {
  scope: ExportScope;
}

async function gridRows(db: Kysely<DB>, sources: FigureSource[], scope: ExportScope): Promise<GridRow[]> {
  const rows = await gridRowsWithFigures(db, sources, scope, MAX_LAYER_FEATURES + 1);
  assertWithinCap(rows.length, MAX_LAYER_FEATURES, 'area');
  return rows;
}

/** Need, full- and part-time assigned and gap per grid, computed over whole communities (their minimum applies per community). */
async function collectorFigures(db: Kysely<DB>, scope: ExportScope): Promise<Map<string, Figures>> {
  const single = scope?.length === 1 ? scope[0]!.slice(0, 12) : null;
  const view = await computeAllocation(db, await savedAllocationSettings(db), codeRange(single), { withEmployers: false });
  return new Map(
    view.grids.map((grid) => [
      grid.code,
      {
        collectors_need: grid.need,
        collectors_full_time: grid.fullTimeAssigned,
        collectors_part_time: grid.partTimeAssigned,
        collectors_gap: grid.gap,
      },
    ]),
  );
}

function gridFeature(row: GridRow, collectors: Figures | undefined, k: number | null): LayerFeature {
  const sums: Figures = {};
  for (const [key, value] of Object.entries(row)) if (typeof value === 'number') sums[key] = value;
  Object.assign(sums, collectors);
  let suppressed = 0;
  const figures = FIGURES.map((figure): Value => {
    if (k !== null && figure.people && figure.people(sums) < k) {
      suppressed += 1;
      return null;
    }
    return figure.value(sums, row.area_km2);
  });
  return {
    geometry: row.geometry,
    anchor: [row.anchor_lon, row.anchor_lat],
    values: [row.code, row.name, row.community_code, Math.round(row.area_km2 * 1e4) / 1e4, ...figures, suppressed],
  };
}

const periodNote = (time: FigureSource['time']): Value => {
  if ('from' in time) return `${time.from} 至 ${time.to}`;
  if ('scoringMonth' in time) return time.scoringMonth?.slice(0, 7) ?? '尚未评分';
  return 'asOf' in time ? time.asOf : '当前';
};

export async function gridLayer(db: Kysely<DB>, principal: Principal, request: GridLayerRequest): Promise<Layer> {
  const sources = [
    await figureSource(db, 'population', request),
    await figureSource(db, 'cases', request),
    await figureSource(db, 'units', request),
    await figureSource(db, 'rental_tiers', request),
  ];
  const rows = await gridRows(db, sources, request.scope);
  const collectors = await collectorFigures(db, request.scope);
  const k = suppressesSmallCounts(principal) ? await privacyThreshold(db) : null;
  return {
    name: 'grids',
    title: '网格统计',
    geometryType: 'MULTIPOLYGON',
    columns: GRID_COLUMNS,
    features: rows.map((row) => gridFeature(row, collectors.get(row.code), k)),
    notes: [
      ['人口统计日', periodNote(sources[0]!.time)],
      ['案件统计期', periodNote(sources[1]!.time)],
      ['出租屋评分月份', periodNote(sources[3]!.time)],
      ['范围', request.scope?.join(',') ?? '全市'],
      ['隐私保护', k === null ? '不适用' : `涉及少于${k}人的数字不显示`],
    ],
  };
}
