import type { AllocationSettings, ApportionBasis, CommunityNeedSteps, DecidingRule, RatioRule } from '../domain/allocation.ts';
import type { PlanTable } from '../http/attachments.ts';
import type { AllocationView, RebalanceProposal } from './service.ts';

/** The plan as tables (server/http/attachments.ts writes them as CSV or XLSX). Labels are Chinese, for the people who print it. */

const YES_NO = (value: boolean) => (value ? '是' : '否');

export function movesTable(proposal: RebalanceProposal): PlanTable {
  return {
    sheet: '调配方案',
    columns: [
      '步骤',
      '调出网格编码',
      '调出网格',
      '调出网格经度',
      '调出网格纬度',
      '调入网格编码',
      '调入网格',
      '调入网格经度',
      '调入网格纬度',
      '建议调整协管员',
      '相距网格跳数',
      '相邻网格',
      '同一社区',
      '调出网格调整前缺口',
      '调出网格调整后缺口',
      '调入网格调整前缺口',
      '调入网格调整后缺口',
    ],
    rows: proposal.moves.map((move) => [
      move.step,
      move.from.code,
      move.from.name,
      move.from.centroid?.[0] ?? null,
      move.from.centroid?.[1] ?? null,
      move.to.code,
      move.to.name,
      move.to.centroid?.[0] ?? null,
      move.to.centroid?.[1] ?? null,
      move.collector?.name ?? null,
      move.hops,
      YES_NO(move.adjacent),
      YES_NO(move.sameCommunity),
      move.from.gapBefore,
      move.from.gapAfter,
      move.to.gapBefore,
      move.to.gapAfter,
    ]),
  };
}

const RULE_LABELS: Record<DecidingRule, string> = {
  floating: '流动人口',
  rental: '出租屋',
  population: '实有人口',
  community_minimum: '小社区配备',
  none: '无需配备',
};

const BASIS_LABELS: Record<ApportionBasis, string> = { floating: '流动人口', rental: '出租房屋', population: '实有人口', equal: '平均' };

/** One row per grid: its counts and its share of its community's need (largest remainder). */
export function gridsTable(view: AllocationView): PlanTable {
  return {
    sheet: '网格配置',
    columns: [
      '网格编码',
      '网格名称',
      '社区编码',
      '流动人口',
      '出租房屋(户)',
      '出租屋楼栋',
      '实有人口',
      '社区应配专职',
      '社区依据',
      '分配依据',
      '本网格基数',
      '社区基数',
      '应得份额',
      '整数部分',
      '余数',
      '按最大余数补配',
      '应配专职',
      '已配专职',
      '已配兼职',
      '缺口(负数为缺)',
    ],
    rows: view.grids.map(({ steps, ...grid }) => [
      grid.code,
      grid.name,
      grid.communityCode,
      grid.floating,
      grid.rentalHouses,
      grid.rentalBuildings,
      grid.population,
      steps.communityNeed,
      RULE_LABELS[steps.communityDecidedBy],
      BASIS_LABELS[steps.basis],
      steps.count,
      steps.basisTotal,
      steps.quota,
      steps.floor,
      steps.remainder,
      steps.extra,
      grid.need,
      grid.fullTimeAssigned,
      grid.partTimeAssigned,
      grid.gap,
    ]),
  };
}

const ratioNeed = (community: CommunityNeedSteps, rule: RatioRule) => community.ratios.find((step) => step.rule === rule)?.need ?? null;

/** One row per community: the ratios over the whole community, the small-community rule and the need shared out. */
export function communitiesTable(view: AllocationView): PlanTable {
  return {
    sheet: '社区测算',
    columns: [
      '社区编码',
      '网格数',
      '流动人口',
      '出租房屋(户)',
      '出租屋楼栋',
      '实有人口',
      '按流动人口应配',
      '按出租屋应配',
      '按实有人口应配',
      '按比例应配(取大)',
      '流动人口少于此数为小社区',
      '小社区',
      '小社区配备',
      '应配专职',
      '依据',
      '分配到网格依据',
    ],
    rows: [...view.communities.values()].map((community) => [
      community.code,
      community.grids,
      community.floating,
      community.rentalHouses,
      community.rentalBuildings,
      community.population,
      ratioNeed(community, 'floating'),
      ratioNeed(community, 'rental'),
      ratioNeed(community, 'population'),
      community.ratioNeed,
      community.smallCommunity.floatingBelow,
      YES_NO(community.smallCommunity.isSmallCommunity),
      `${community.smallCommunity.kind === 'exactly' ? '恰好' : '至少'} ${community.smallCommunity.minimum}`,
      community.need,
      RULE_LABELS[community.decidedBy],
      BASIS_LABELS[community.apportionment.basis],
    ]),
  };
}

export function employersTable(view: AllocationView): PlanTable {
  return {
    sheet: '用工单位兼职',
    columns: ['用工单位', '流动人员', '主要居住社区', '须确定兼职协管员', '已确定', '缺口(负数为缺)'],
    rows: view.employers.map((employer) => [
      employer.employer,
      employer.floatingStaff,
      employer.homeCommunityCode,
      employer.required,
      employer.namedPartTime,
      employer.gap,
    ]),
  };
}

export function settingsTable(settings: AllocationSettings, whatIf: boolean): PlanTable {
  return {
    sheet: '配备参数',
    columns: ['参数', '值'],
    rows: [
      ['测算方式', settings.mode === 'population' ? '按实有人口' : '按流动人口或出租屋取大'],
      ['每名专职协管员对应流动人口', settings.floatingPerCollector],
      ['每名专职协管员对应出租屋', settings.rentalHousesPerCollector],
      ['每名专职协管员对应实有人口', settings.populationPerCollector],
      ['小社区：流动人口少于', settings.smallCommunityFloatingBelow],
      [settings.mode === 'population' ? '小社区至少配备' : '小社区恰好配备', settings.smallCommunityMinimum],
      ['用工单位流动人员达到此数须确定一名兼职协管员', settings.employerFloatingStaffForPartTime],
      ['模拟测算(未保存)', YES_NO(whatIf)],
    ],
  };
}
