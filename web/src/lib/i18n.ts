/**
 * UI text in Chinese (the default: the users are street offices and police stations) and
 * English. Plain data plus one pure lookup; the reactive current language lives in
 * locale.svelte.ts. A key missing from English is a type error, not a blank label.
 */

export type Locale = 'zh-CN' | 'en';
export const locales: readonly Locale[] = ['zh-CN', 'en'];
export const defaultLocale: Locale = 'zh-CN';

const zhCN = {
  'app.name': '人屋',
  'app.latinName': 'renwu',
  'app.tagline': '实有人口管理 · 一户一码',

  'lang.label': '语言',
  'lang.zh-CN': '中文',
  'lang.en': 'English',

  'session.checking': '正在检查登录状态…',
  'session.expired': '登录已过期，请重新登录。',
  'session.checkFailed': '无法确认登录状态：{message}',

  'login.title': '登录',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.submitting': '正在登录…',
  'login.required': '请输入用户名和密码。',
  'login.invalidCredentials': '用户名或密码不正确，请重新输入。',
  'login.failed': '登录失败：{message}',

  'error.network': '无法连接服务器，请检查网络后重试。',
  'error.server': '服务器出错（{status}）。',

  'topbar.user': '当前用户',
  'topbar.logout': '退出登录',

  'role.leader': '领导',
  'role.planner': '规划',
  'role.police': '民警',
  'role.collector': '采集员',
  'role.admin': '管理员',
  'role.auditor': '审计员',

  'level.district': '区',
  'level.street': '街道',
  'level.community': '社区',
  'level.grid': '网格',

  'map.label': '辖区地图',
  'map.loadingAreas': '正在加载辖区边界…',
  'map.areasFailed': '辖区边界加载失败：{message}',
  'map.noAreas': '没有可显示的辖区边界（当前账号的辖区为空）。',
  'map.retry': '重试',
  'map.loadingBuildings': '正在加载建筑…',
  'map.buildingsFailed': '建筑加载失败：{message}',
  'map.buildingsTruncated': '当前范围内建筑太多，只显示了 {count} 栋，请放大查看全部。',
  'map.buildingsShown': '当前视图 {count} 栋建筑',
  'map.zoomInForBuildings': '放大到 {zoom} 级以上显示建筑轮廓',
  'map.mapFailed': '地图出错：{message}',
  'map.zoomIn': '放大',
  'map.zoomOut': '缩小',
  'map.resetBearing': '恢复正北方向',

  'layers.title': '图层',
  'layers.buildings': '建筑',

  'legend.title': '建筑用途',

  'use.residential': '住宅',
  'use.mixed': '混合',
  'use.factory_dormitory': '厂房宿舍',
  'use.shop_house': '商住',
  'use.urban_village': '城中村',

  'mode.hotel': '旅业式',
  'mode.property': '物业式',
  'mode.employer': '单位自管式',
  'mode.patrol': '散居包片式',
  'mode.gated': '院区围合式',

  'status.active': '在用',
  'status.demolished': '已拆除',

  'common.yes': '是',
  'common.no': '否',

  'building.title': '建筑',
  'building.close': '关闭',
  'building.loading': '正在加载建筑信息…',
  'building.failed': '建筑信息加载失败：{message}',
  'building.code': '建筑编码',
  'building.gridCode': '所属网格',
  'building.address': '门牌地址',
  'building.floors': '层数',
  'building.floorsCount': '{count} 层',
  'building.use': '用途',
  'building.managementMode': '管理模式',
  'building.status': '状态',
  'building.hasAccessControl': '门禁',
  'building.hasVideo': '视频监控',
  'building.responsibilityLetterSigned': '已签治安责任书',
  'building.point': '坐标',
  'building.unitCount': '房屋（户）数',
  'building.floorPlanTitle': '分层分户',
  'building.floorPlanPending': '逐层、逐户的楼栋视图将在后续版本提供。',
} as const;

export type MessageKey = keyof typeof zhCN;

const en: Record<MessageKey, string> = {
  'app.name': '人屋',
  'app.latinName': 'renwu',
  'app.tagline': 'Real population · one code per household',

  'lang.label': 'Language',
  'lang.zh-CN': '中文',
  'lang.en': 'English',

  'session.checking': 'Checking your session…',
  'session.expired': 'Your session has expired. Please sign in again.',
  'session.checkFailed': 'Could not check your session: {message}',

  'login.title': 'Sign in',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',
  'login.required': 'Enter your username and password.',
  'login.invalidCredentials': 'Wrong username or password. Please try again.',
  'login.failed': 'Sign-in failed: {message}',

  'error.network': 'Cannot reach the server. Check the network and try again.',
  'error.server': 'Server error ({status}).',

  'topbar.user': 'Signed in as',
  'topbar.logout': 'Sign out',

  'role.leader': 'Leader',
  'role.planner': 'Planner',
  'role.police': 'Police',
  'role.collector': 'Collector',
  'role.admin': 'Administrator',
  'role.auditor': 'Auditor',

  'level.district': 'District',
  'level.street': 'Street',
  'level.community': 'Community',
  'level.grid': 'Grid',

  'map.label': 'Jurisdiction map',
  'map.loadingAreas': 'Loading area boundaries…',
  'map.areasFailed': 'Could not load area boundaries: {message}',
  'map.noAreas': 'No area boundaries to show (this account has no jurisdiction).',
  'map.retry': 'Retry',
  'map.loadingBuildings': 'Loading buildings…',
  'map.buildingsFailed': 'Could not load buildings: {message}',
  'map.buildingsTruncated': 'Too many buildings here: showing {count}. Zoom in to see all.',
  'map.buildingsShown': '{count} buildings in view',
  'map.zoomInForBuildings': 'Zoom in past level {zoom} to see building footprints',
  'map.mapFailed': 'Map error: {message}',
  'map.zoomIn': 'Zoom in',
  'map.zoomOut': 'Zoom out',
  'map.resetBearing': 'Reset bearing to north',

  'layers.title': 'Layers',
  'layers.buildings': 'Buildings',

  'legend.title': 'Building use',

  'use.residential': 'Residential',
  'use.mixed': 'Mixed',
  'use.factory_dormitory': 'Factory dormitory',
  'use.shop_house': 'Shop-house',
  'use.urban_village': 'Urban village',

  'mode.hotel': 'Hotel-style',
  'mode.property': 'Property-managed',
  'mode.employer': 'Employer dormitory',
  'mode.patrol': 'Scattered (patrol area)',
  'mode.gated': 'Gated compound',

  'status.active': 'In use',
  'status.demolished': 'Demolished',

  'common.yes': 'Yes',
  'common.no': 'No',

  'building.title': 'Building',
  'building.close': 'Close',
  'building.loading': 'Loading building…',
  'building.failed': 'Could not load the building: {message}',
  'building.code': 'Building code',
  'building.gridCode': 'Grid',
  'building.address': 'Address',
  'building.floors': 'Floors',
  'building.floorsCount': '{count} floors',
  'building.use': 'Use',
  'building.managementMode': 'Management mode',
  'building.status': 'Status',
  'building.hasAccessControl': 'Access-card doors',
  'building.hasVideo': 'Video surveillance',
  'building.responsibilityLetterSigned': 'Security letter signed',
  'building.point': 'Location',
  'building.unitCount': 'Units (households)',
  'building.floorPlanTitle': 'Floors and units',
  'building.floorPlanPending': 'The floor-by-floor view of units comes in a later release.',
};

const messages: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export type MessageParams = Record<string, string | number>;

/** The text for `key` in `locale`, with `{name}` placeholders filled from `params`. */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const template = messages[locale][key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in params ? String(params[name]) : placeholder,
  );
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}
