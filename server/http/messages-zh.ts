/**
 * The Chinese of every error code the API answers with (issue 15 item 9): each error body carries
 * `messageZh` beside the English `message`, and each field a 400 or 409 names carries its own
 * `messageZh`, so a collector reads what went wrong in Chinese. tests/unit/error-messages-zh.test.ts
 * fails on a code the server source writes that is missing here.
 */
export const ERROR_ZH: Readonly<Record<string, string>> = {
  // Requests, bodies, sessions, limits.
  invalid_request: '请求内容不符合要求',
  bad_request: '请求不符合要求',
  invalid_json: '请求内容不是有效的 JSON',
  body_too_large: '请求内容太大',
  unsupported_charset: 'JSON 请求须使用 UTF-8 编码',
  unsupported_encoding: '不支持该压缩方式（Content-Encoding）',
  unsupported_media_type: '不支持该内容类型',
  request_aborted: '请求内容被中断',
  invalid_body_size: '请求内容长度与声明不符',
  unauthenticated: '请先登录',
  invalid_credentials: '用户名或密码不正确',
  login_throttled: '尝试次数过多，请稍候再登录',
  password_change_required: '请先修改临时密码',
  invalid_token: '访问令牌无效、已撤销或已过期，请在账号页面新建一个',
  token_not_accepted: '访问令牌为只读，只能用于 /ogc、/tiles 和图层导出；此操作请先登录',
  account_awaiting_approval: '账号的授权正等待第二人批准',
  demo_account_disabled: '演示账号已停用',
  csrf: '页面已过期，请刷新后重试',
  forbidden: '您的账号无权进行此操作',
  rate_limited: '请求过于频繁，请稍候再试',
  not_found: '记录不存在，或不在您的管辖范围内',
  no_route: '没有这个接口',
  internal: '服务器内部错误',
  query_timeout: '统计耗时过长，请缩小范围后重试',
  data_node_unavailable: '部分数据所在的数据库节点暂时无法连接，本次未作任何修改，请稍后重试',
  not_available: '该功能暂不可用',
  // What the database refused.
  conflict: '与已有记录重复',
  reference_missing: '引用的记录不存在',
  constraint_violation: '数据库拒绝了这项修改（不符合约束）',
  invalid_value: '取值不正确',
  // Field rules (zod and shared).
  required: '为必填项',
  wrong_type: '类型不正确',
  too_small: '太小或太短',
  too_big: '太大或太长',
  not_allowed: '不是允许的取值',
  invalid_format: '格式不正确',
  unknown_field: '含有未知字段',
  invalid_choice: '不符合任何可接受的形式',
  unknown_property: '不是该图层的属性',
  invalid_filter: '筛选条件（CQL2）无法识别，或用了该图层不可查询的属性',
  invalid_bbox: '范围框超出 WGS84 经纬度范围或上下颠倒',
  invalid: '不符合规则',
  from_after_to: '起始不能晚于截止',
  one_search_key: '只能按一项条件查询',
  name_search_only: '出生年份只能配合姓名查询使用',
  too_many_months: '月份跨度太大',
  invalid_building_code: '建筑物编码不正确',
  invalid_unit_code: '房屋编码不正确',
  invalid_setting: '参数取值不正确',
  area_too_large: '所选范围太大，请缩小后重试',
  export_too_large: '导出的记录太多，请缩小范围后重试',
  file_too_large: '文件太大',
  not_updatable: '此类数据不能通过导入更新',
  // People and registrations.
  date_in_future: '日期不能晚于今天',
  registered_before_event: '登记日期不能早于事件发生日期',
  before_birth: '日期不能早于出生日期',
  before_move_in: '日期不能早于入住日期',
  too_old: '出生日期距今超过 120 年',
  backdated: '补录日期太早',
  category_id_type_mismatch: '人员类别与证件类型不符（境外人员使用护照，其他人员使用身份证）',
  floating_type_not_floating: '流动人口类型只适用于流动人口',
  invalid_id_number: '身份证号码不正确',
  invalid_passport_number: '护照号码须为 5 至 20 位字母或数字',
  id_mismatch: '与身份证号码所载信息不符',
  id_number_taken: '已有他人使用此证件号码',
  identity_conflict: '证件号码与在册人员的信息不一致，请核对',
  duplicate_person: '同一人在本次登记中出现多次',
  already_resident: '此人已登记居住在别处，请办理迁移',
  not_resident: '此人目前没有居住登记',
  same_unit: '此人已住在该房屋',
  overlaps_history: '与此人已有的居住记录时间重叠',
  unit_demolished: '该房屋所在楼栋已拆除',
  unit_not_in_building: '该房屋不属于这栋楼',
  occupied: '登记册上该房屋仍有人居住，请先办理迁出',
  // Permits.
  not_eligible: '此人不属于可办理居住证的人员类别',
  permit_exists: '此人已持有有效居住证，请办理续签',
  permit_years_not_allowed: '居住证有效年限不在允许范围内',
  permit_revoked: '已注销的居住证不能续签，请重新办理',
  permit_already_renewed: '该居住证已经续签过',
  permit_expired: '居住证已过期，请重新办理而非续签',
  renewal_too_early: '还未到可续签的时间',
  permit_not_valid: '只有有效的居住证才能注销',
  // Users, collectors, grants.
  username_taken: '用户名已被使用',
  unknown_area: '没有这个区域或网格编码',
  unknown_collector: '没有这名采集员',
  jurisdiction_required: '该角色必须指定管辖范围',
  grid_required: '采集员的管辖范围须为网格',
  collector_link_needs_collector_role: '只有采集员角色才能关联采集员档案',
  cannot_lock_out_self: '不能停用自己的账号或取消自己的管理员权限',
  second_person_required: '须由另一名管理员批准',
  grant_decided: '该授权已经处理过',
  already_assigned: '该采集员已分配到这个网格',
  several_open_assignments: '该采集员有多个未结束的分配，请先处理',
  collector_inactive: '该采集员已停用',
  // Rentals and inspections.
  not_a_rental: '该楼栋没有出租房屋',
  no_check_due: '该房屋没有待走访核查的标记',
  visit_before_flag: '走访日期早于房屋被标记待查的日期',
  discriminatory_rule: '评分规则不得涉及籍贯、户籍、民族或地域：按地域区别对待属于违法歧视',
  confirmation_required: '此操作需要确认',
};

/** A status's sentence for a code this table does not know (a safety net; the unit test keeps it unused). */
function byStatus(status: number): string {
  if (status >= 500) return '服务器出错，请稍后重试';
  if (status === 404) return ERROR_ZH.not_found!;
  if (status === 409) return '操作与当前数据冲突，请刷新后重试';
  return '请求不符合要求，请检查后重试';
}

export const chineseOf = (code: string, status: number): string => ERROR_ZH[code] ?? byStatus(status);

/** A field's rule in Chinese, naming the field: "visitedOn：补录日期太早". */
export const fieldChinese = (field: string, code: string, status = 400): string => `${field}：${chineseOf(code, status)}`;
