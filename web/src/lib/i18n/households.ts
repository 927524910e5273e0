/** Rental households (分租): the floor plan coloured by household tier, and a household's score card. */
export const zh = {
  'floorPlan.byHousehold': '按分户评级',
  'household.tier': '分户评级：{tier}',
  'household.unscored': '未分户评级',
  'household.title': '{room} 室 {month} 分户评分',
  'household.help': '本楼分户出租，每户单独评级：只计本户的租客、案件和入户走访，以及整栋走访查到的防盗门、卫生和邻里情况。',
  'household.loading': '正在加载本户评分…',
  'household.failed': '本户评分加载失败。',
};

export const en: Record<keyof typeof zh, string> = {
  'floorPlan.byHousehold': 'Household tier',
  'household.tier': 'Household tier: {tier}',
  'household.unscored': 'No household tier',
  'household.title': 'Room {room}: household score for {month}',
  'household.help':
    'The rooms of this building are let separately, each scored on its own: only its tenants, cases and visits to the room count, plus the doors, hygiene and neighbours found by visits to the whole building.',
  'household.loading': 'Loading the household score…',
  'household.failed': 'Could not load the household score.',
};
