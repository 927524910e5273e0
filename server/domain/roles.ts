/**
 * The six roles of DOMAIN.md (三权分立: admin, auditor and the business roles are separate). A leaf
 * module: the users tables and the database schema that composes them both read it.
 */
export const ROLES = ['leader', 'planner', 'police', 'collector', 'admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who reads grid analytics (heatmaps and KPIs). Aggregates carry no person data, so leader,
 * planner and police may read them (police and collectors only inside their jurisdiction,
 * leaders with small cells suppressed); admin and auditor hold no brief for population figures
 * (三权分立) and get 403.
 */
export const ANALYTICS_READERS = ['leader', 'planner', 'police', 'collector'] as const;

/**
 * Who exports what (exports/ files and the tiles/ offline archive; over which codes: exports/scope.ts).
 *
 * Layers (aggregates, never persons) go to the roles whose work is the whole picture: leaders
 * (with the k-suppression of their screens), planners, and police inside their jurisdiction.
 * Collectors enter data for their own grid and have no brief for files of it; admin and auditor
 * hold no brief for population figures (三权分立), as for the heatmaps.
 * Person lists go to police only (DOMAIN.md: nothing withheld inside their jurisdiction, every
 * look audited); everyone else gets 403.
 */
export const LAYER_EXPORTERS: readonly Role[] = ['leader', 'planner', 'police'];
export const PERSON_EXPORTERS: readonly Role[] = ['police'];
