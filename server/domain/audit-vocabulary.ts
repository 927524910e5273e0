/**
 * Every action and target type the server writes into the audit log. recordAudit takes only these
 * (server/audit/service.ts), and the web labels each in Chinese and English (web/src/lib/i18n/audit.ts;
 * tests/unit/audit-vocabulary.test.ts fails on a code without a label), so an auditor never reads
 * an internal name such as `rental_unit_score`.
 */
export const AUDIT_ACTIONS = [
  'read',
  'search',
  'export',
  'import',
  'move_in',
  'move',
  'move_out',
  'correct',
  'identity_conflict',
  'unit_use_change',
  'unit_flagged',
  'issue_permit',
  'renew_permit',
  'revoke_permit',
  'create',
  'update',
  'assign',
  'end_assignment',
  'disable',
  'enable',
  'reset_password',
  'change_password',
  'refresh',
  'score',
  'login',
  'login_failed',
  'logout',
  'approve_grant',
  'reject_grant',
  'token_create',
  'token_revoke',
  'token_use',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_TARGET_TYPES = [
  'person',
  'person_search',
  'unit',
  'building',
  'compound',
  'grid',
  'user',
  'collector',
  'collector_plan',
  'setting',
  'grid_stats',
  'inspection',
  'person_flag',
  'rental_rule_version',
  'rental_score',
  'rental_unit_score',
  'rental_scores',
  'grids_layer',
  'buildings_layer',
  'tiles_archive',
  'import_job',
  'access_token',
] as const;

export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];
