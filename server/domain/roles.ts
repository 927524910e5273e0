/**
 * The six roles of DOMAIN.md (三权分立: admin, auditor and the business roles are separate). A leaf
 * module: the users tables and the database schema that composes them both read it.
 */
export const ROLES = ['leader', 'planner', 'police', 'collector', 'admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];
