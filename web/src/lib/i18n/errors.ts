/**
 * What went wrong, said to the user: by the API's error code where we know it, else by the
 * HTTP status class. The server's own message (English, for developers) never reaches the screen.
 */
export const zh = {
  'error.badRequest': '请求的内容不符合要求，请检查后重试。',
  'error.invalidField': '“{field}”填写不正确，请检查后重试。',
  'error.unauthenticated': '登录已失效，请重新登录。',
  'error.forbidden': '您的账号无权进行此操作。',
  'error.notFound': '要找的记录不存在或已被删除。',
  'error.conflict': '操作与当前数据冲突，请刷新后重试。',
  'error.tooLarge': '文件或范围太大，请缩小后重试。',
  'error.rateLimited': '请求过于频繁，请稍候再试。',
  'error.unexpected': '发生意外错误，请重试。',
  'error.code.bbox_too_large': '当前视野太大，请放大地图。',
  'error.code.password_change_required': '请先修改临时密码。',
  'error.code.csrf': '页面已过期，请刷新后重试。',
  'error.code.login_throttled': '尝试次数过多，请稍候再登录。',
  'error.code.invalid_credentials': '用户名或密码不正确。',
  'error.code.area_too_large': '所选范围太大，请缩小后重试。',
  'error.code.export_too_large': '导出的记录太多，请缩小范围后重试。',
} as const;

export const en: Record<keyof typeof zh, string> = {
  'error.badRequest': 'The request was not accepted: check what you entered and try again.',
  'error.invalidField': '“{field}” is not valid: check it and try again.',
  'error.unauthenticated': 'Your session has ended: log in again.',
  'error.forbidden': 'Your account may not do this.',
  'error.notFound': 'The record does not exist or was deleted.',
  'error.conflict': 'This conflicts with the current data: refresh and try again.',
  'error.tooLarge': 'The file or area is too large: make it smaller and try again.',
  'error.rateLimited': 'Too many requests: wait a moment and try again.',
  'error.unexpected': 'Something unexpected went wrong: try again.',
  'error.code.bbox_too_large': 'The view is too large: zoom in.',
  'error.code.password_change_required': 'Change the temporary password first.',
  'error.code.csrf': 'The page has expired: refresh and try again.',
  'error.code.login_throttled': 'Too many attempts: wait a moment before logging in.',
  'error.code.invalid_credentials': 'Wrong username or password.',
  'error.code.area_too_large': 'The chosen area is too large: make it smaller and try again.',
  'error.code.export_too_large': 'Too many records to export: narrow the selection and try again.',
};
